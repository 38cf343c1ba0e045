extension Tensor {
    /// The same elements with a new shape (one entry may be -1 and is inferred); shares storage.
    /// - Throws: `PolyheadError.shapeMismatch` if the element counts differ.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var target = newShape
        let inferred = target.indices.filter { target[$0] == -1 }
        guard inferred.count <= 1 else {
            throw PolyheadError.invalidArgument(op: "reshape", message: "only one dimension can be -1, got \(describe(newShape))")
        }
        if let slot = inferred.first {
            target[slot] = 1
            let known = try Shape.elementCount(target, op: "reshape")
            guard known > 0, count % known == 0 else {
                throw PolyheadError.shapeMismatch(
                    op: "reshape", message: "shape \(describe(newShape)) is invalid for input of size \(count)")
            }
            target[slot] = count / known
        }
        guard try Shape.elementCount(target, op: "reshape") == count else {
            throw PolyheadError.shapeMismatch(
                op: "reshape", message: "shape \(describe(newShape)) is invalid for input of size \(count)")
        }
        let inputShape = shape
        return try Tensor(shape: target, count: count, storage: storage)
            .recorded(from: [self], op: "reshape") { g in [try g.reshaped(inputShape)] }
    }

    /// The transpose of a 2-D tensor (a copy).
    public func transposed() throws -> Tensor {
        guard rank == 2 else {
            throw PolyheadError.shapeMismatch(op: "transpose", message: "expected a 2-D tensor, got \(describe(shape))")
        }
        let (rows, columns) = (shape[0], shape[1])
        let result = try Tensor.empty([columns, rows], op: "transpose")
        let source = storage.pointer, target = result.storage.pointer
        if count > 0 {
            for r in 0..<rows { for c in 0..<columns { target[c * rows + r] = source[r * columns + c] } }
        }
        return try result.recorded(from: [self], op: "transpose") { g in [try g.transposed()] }
    }

    /// Concatenates tensors along `axis`; all other dimensions must agree.
    public static func concatenate(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        guard let first = tensors.first else {
            throw PolyheadError.invalidArgument(op: "concat", message: "expected at least one tensor")
        }
        let axis = try Shape.normalize(axis: axis, rank: first.rank, op: "concat")
        for t in tensors {
            var a = t.shape, b = first.shape
            guard a.count == b.count else {
                throw PolyheadError.shapeMismatch(
                    op: "concat", message: "ranks differ: \(describe(first.shape)) vs \(describe(t.shape))")
            }
            a[axis] = 0; b[axis] = 0
            guard a == b else {
                throw PolyheadError.shapeMismatch(
                    op: "concat", message: "shapes \(describe(first.shape)) and \(describe(t.shape)) "
                        + "differ outside axis \(axis)")
            }
        }
        let sizes = tensors.map { $0.shape[axis] }
        var shape = first.shape
        shape[axis] = try checkedSum(sizes, op: "concat")
        let result = try Tensor.empty(shape, op: "concat")
        let layout = AxisLayout(shape, axis: axis, keepDimension: true)
        var offset = 0
        for t in tensors {
            copyBlocks(from: t.storage.pointer, sourceLength: t.shape[axis], to: result.storage.pointer,
                       targetLength: layout.length, offset: offset, layout: layout)
            offset += t.shape[axis]
        }
        return try result.recorded(from: tensors, op: "concat") { g in
            let pieces = try g.split(sizes: sizes, axis: axis)
            return zip(tensors, pieces).map { $0.requiresGrad ? $1 : nil }
        }
    }

    /// Splits along `axis` into pieces of the given sizes, which must add up to the axis length.
    public func split(sizes: [Int], axis: Int) throws -> [Tensor] {
        let axis = try Shape.normalize(axis: axis, rank: rank, op: "split")
        guard sizes.allSatisfy({ $0 >= 0 }), try checkedSum(sizes, op: "split") == shape[axis] else {
            throw PolyheadError.invalidArgument(
                op: "split", message: "sizes \(sizes) do not add up to \(shape[axis]) (axis \(axis) of \(describe(shape)))")
        }
        let layout = AxisLayout(shape, axis: axis, keepDimension: true)
        var offset = 0
        return try sizes.map { size in
            var pieceShape = shape
            pieceShape[axis] = size
            let piece = try Tensor.empty(pieceShape, op: "split")
            let pieceLayout = AxisLayout(pieceShape, axis: axis, keepDimension: true)
            for o in 0..<layout.outer {
                (piece.storage.pointer + o * size * layout.inner).update(
                    from: storage.pointer + (o * layout.length + offset) * layout.inner, count: size * layout.inner)
            }
            let start = offset
            offset += size
            return try piece.recorded(from: [self], op: "split") { [shape] g in
                let gradient = try Tensor.zeros(shape)
                copyBlocks(from: g.storage.pointer, sourceLength: size, to: gradient.storage.pointer,
                           targetLength: layout.length, offset: start, layout: pieceLayout)
                return [gradient]
            }
        }
    }

    /// The entries along axis 0 at `indices` (negative indices count from the end), in order.
    /// - Throws: `PolyheadError.indexOutOfRange` for an index outside `-rows..<rows`.
    public func indexSelect(_ indices: [Int]) throws -> Tensor {
        guard rank > 0 else {
            throw PolyheadError.invalidArgument(op: "index_select", message: "cannot index a scalar tensor")
        }
        let rows = shape[0], width = rank > 0 ? count / Swift.max(rows, 1) : 1
        let resolved = try indices.map { index -> Int in
            guard index >= -rows, index < rows else {
                throw PolyheadError.indexOutOfRange(
                    op: "index_select", message: "index \(index) is out of bounds for dimension 0 with size \(rows)")
            }
            return index < 0 ? index + rows : index
        }
        var resultShape = shape
        resultShape[0] = resolved.count
        let result = try Tensor.empty(resultShape, op: "index_select")
        let source = storage.pointer, target = result.storage.pointer
        parallelRanges(resolved.count, grain: Swift.max(1, elementwiseGrain / Swift.max(width, 1))) { slots in
            for slot in slots { (target + slot * width).update(from: source + resolved[slot] * width, count: width) }
        }
        let inputShape = shape
        return try result.recorded(from: [self], op: "index_select") { g in
            let gradient = try Tensor.zeros(inputShape)
            for (slot, row) in resolved.enumerated() {
                let target = gradient.storage.pointer + row * width, source = g.storage.pointer + slot * width
                for i in 0..<width { target[i] += source[i] }
            }
            return [gradient]
        }
    }

    /// A new leaf sharing this tensor's storage, without history and not requiring grad.
    public func detached() -> Tensor {
        Tensor(shape: shape, count: count, storage: storage)
    }

    /// A copy of the elements (recorded: gradients flow back to this tensor).
    public func cloned() throws -> Tensor {
        let result = try Tensor.empty(shape, op: "clone")
        result.storage.pointer.update(from: storage.pointer, count: count)
        return try result.recorded(from: [self], op: "clone") { g in [g] }
    }

    /// Copies `source` (broadcast to this shape) into this tensor in place; not recorded.
    /// - Throws: `PolyheadError.invalidState` on a computed tensor, or on a leaf requiring grad while
    ///   recording is on (wrap parameter updates in `withoutGrad`); `.shapeMismatch` if it cannot broadcast.
    public func copy(from source: Tensor) throws {
        guard gradNode == nil, !graphReleased else {
            throw PolyheadError.invalidState(op: "copy_", message: "in-place copy into a tensor computed by a recorded op")
        }
        guard !(requiresGrad && GradMode.isEnabled) else {
            throw PolyheadError.invalidState(
                op: "copy_", message: "a leaf tensor that requires grad is used in an in-place operation; "
                    + "use no_grad()")
        }
        let broadcast = try Shape.broadcast(shape, source.shape, op: "copy_")
        guard broadcast == shape else {
            throw PolyheadError.shapeMismatch(
                op: "copy_", message: "source \(describe(source.shape)) cannot be broadcast to \(describe(shape))")
        }
        if source.shape == shape {
            storage.pointer.update(from: source.storage.pointer, count: count)
        } else {
            let values = try broadcastBinary(self, source, op: "copy_") { _, s in s }
            storage.pointer.update(from: values.storage.pointer, count: count)
        }
    }
}

/// Copies each of `layout.outer` blocks of `sourceLength × inner` elements into a tensor whose axis has
/// `targetLength` entries, starting at entry `offset` of that axis.
private func copyBlocks(
    from source: UnsafePointer<Float>, sourceLength: Int, to target: UnsafeMutablePointer<Float>,
    targetLength: Int, offset: Int, layout: AxisLayout
) {
    let block = sourceLength * layout.inner
    for o in 0..<layout.outer {
        (target + (o * targetLength + offset) * layout.inner).update(from: source + o * block, count: block)
    }
}

/// The sum of non-negative sizes, throwing instead of overflowing.
private func checkedSum(_ sizes: [Int], op: String) throws -> Int {
    try sizes.reduce(0) { total, size in
        let (sum, overflow) = total.addingReportingOverflow(size)
        guard !overflow else {
            throw PolyheadError.outOfMemory(op: op, message: "sizes \(sizes) add up to more than \(Int.max)")
        }
        return sum
    }
}
