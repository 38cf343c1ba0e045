extension Tensor {
    /// A tensor of `shape` with every element equal to `value`.
    public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) throws -> Tensor {
        let result = try empty(shape, op: "full")
        result.storage.pointer.update(repeating: value, count: result.count)
        result.requiresGrad = requiresGrad
        return result
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) throws -> Tensor {
        try full(shape, 0, requiresGrad: requiresGrad)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) throws -> Tensor {
        try full(shape, 1, requiresGrad: requiresGrad)
    }

    /// The 1-D tensor `start, start + step, …` up to (excluding) `end`.
    /// - Throws: `PolyheadError.invalidArgument` for a zero or non-finite step or bounds.
    public static func arange(_ start: Double, _ end: Double, step: Double = 1) throws -> Tensor {
        guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
            throw PolyheadError.invalidArgument(
                op: "arange", message: "need finite bounds and a non-zero step, got (\(start), \(end), \(step))")
        }
        let length = Swift.max(0, ((end - start) / step).rounded(.up))
        guard length < Double(Int32.max) else {
            throw PolyheadError.outOfMemory(op: "arange", message: "\(length) elements are too many")
        }
        let result = try empty([Int(length)], op: "arange")
        for i in 0..<result.count { result.storage.pointer[i] = Float(start + Double(i) * step) }
        return result
    }

    /// Wraps external float memory without copying; `release` runs once when the last user dies.
    /// - Throws: `PolyheadError.shapeMismatch` if `count` differs from the shape's element count (then
    ///   `release` has already run).
    public static func wrapping(
        _ pointer: UnsafeMutablePointer<Float>, count: Int, shape: [Int], release: @escaping () -> Void
    ) throws -> Tensor {
        let storage = Storage(external: pointer, count: count, release: release)
        let expected = try Shape.elementCount(shape, op: "from_buffer")
        guard expected == count else {
            throw PolyheadError.shapeMismatch(
                op: "from_buffer", message: "\(count) values do not fill shape \(describe(shape))")
        }
        return Tensor(shape: shape, count: count, storage: storage)
    }
}

extension Tensor {
    /// Creates a tensor holding a copy of `count` floats at `pointer` (which may be nil when `count` is 0).
    /// - Throws: `PolyheadError.shapeMismatch` if `count` differs from the shape's element count.
    public convenience init(copying pointer: UnsafePointer<Float>?, count: Int, shape: [Int]) throws {
        let expected = try Shape.elementCount(shape, op: "tensor")
        guard expected == count, count == 0 || pointer != nil else {
            throw PolyheadError.shapeMismatch(
                op: "tensor", message: "\(count) values do not fill shape \(describe(shape))")
        }
        let storage = try Storage(count: count, op: "tensor")
        if let pointer { storage.pointer.update(from: pointer, count: count) }
        self.init(shape: shape, count: count, storage: storage)
    }

    /// The first element of the contiguous storage, valid while the tensor (or a view of it) lives.
    /// Writes through it are not recorded by autodiff.
    public var unsafeDataPointer: UnsafeMutablePointer<Float> { storage.pointer }
}
