/// Shape helpers: validation, element counts, axis normalisation and numpy broadcasting.
enum Shape {
    /// The number of elements of `shape`, after checking every dimension is ≥ 0 and the product fits.
    static func elementCount(_ shape: [Int], op: String) throws -> Int {
        if let negative = shape.first(where: { $0 < 0 }) {
            throw PolyheadError.invalidArgument(
                op: op, message: "negative dimension \(negative) in shape \(describe(shape))")
        }
        if shape.contains(0) { return 0 }
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= Int(Int32.max) * 64 else {
                throw PolyheadError.outOfMemory(
                    op: op, message: "shape \(describe(shape)) has too many elements")
            }
            count = product
        }
        return count
    }

    /// Maps a possibly negative `axis` into `0..<rank`.
    static func normalize(axis: Int, rank: Int, op: String) throws -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0, normalized < max(rank, 1), rank > 0 else {
            throw PolyheadError.indexOutOfRange(
                op: op, message: "axis \(axis) is out of range for a tensor of rank \(rank)")
        }
        return normalized
    }

    /// The numpy broadcast of two shapes.
    static func broadcast(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard da == db || da == 1 || db == 1 else {
                throw PolyheadError.shapeMismatch(
                    op: op, message: "shapes \(describe(a)) and \(describe(b)) cannot be broadcast together")
            }
            result[i] = da == 1 ? db : da
        }
        return result
    }

    /// Element strides of `shape` when read as `target` (a broadcast of it): 0 along broadcast dimensions.
    static func broadcastStrides(of shape: [Int], to target: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        for i in (0..<shape.count).reversed() {
            let t = i + target.count - shape.count
            strides[t] = shape[i] == 1 ? 0 : step
            // Wrapping: an empty shape may have huge dimensions whose product overflows (its strides are
            // never used); a non-empty one fits, since its element count does.
            step &*= shape[i]
        }
        return strides
    }
}
