import PolyheadKernels

/// A tensor viewed as (outer, length, inner) around one axis, the layout every axis reduction walks.
/// For a tensor without elements `outer` and `inner` are 0, so loops over the layout do nothing (and
/// huge dimensions beside a zero one cannot overflow).
struct AxisLayout {
    let outer: Int, length: Int, inner: Int
    /// The reduced shape, with the axis kept as 1 or dropped.
    let reducedShape: [Int]

    init(_ shape: [Int], axis: Int, keepDimension: Bool) {
        let empty = shape.contains(0)
        outer = empty ? 0 : shape[..<axis].reduce(1, *)
        length = shape[axis]
        inner = empty ? 0 : shape[(axis + 1)...].reduce(1, *)
        var reduced = shape
        if keepDimension { reduced[axis] = 1 } else { reduced.remove(at: axis) }
        reducedShape = reduced
    }
}

extension Tensor {
    /// The sum of all elements, as a scalar tensor.
    public func sum() throws -> Tensor {
        let result = try Tensor.empty([], op: "sum")
        var total: Float = 0
        for i in 0..<count { total += storage.pointer[i] }
        result.storage.pointer[0] = total
        let inputShape = shape
        return try result.recorded(from: [self], op: "sum") { g in [try Tensor.full(inputShape, g.storage.pointer[0])] }
    }

    /// The mean of all elements, as a scalar tensor (NaN for an empty tensor, as PyTorch).
    public func mean() throws -> Tensor { try sum() / Float(count) }

    /// The sum along `axis` (negative counts from the end), keeping it as size 1 if `keepingDimension`.
    public func sum(axis: Int, keepingDimension: Bool = false) throws -> Tensor {
        let layout = AxisLayout(shape, axis: try Shape.normalize(axis: axis, rank: rank, op: "sum"),
                                keepDimension: keepingDimension)
        let result = try Tensor.zeros(layout.reducedShape)
        let source = storage.pointer, sums = result.storage.pointer
        for o in 0..<layout.outer {
            let row = sums + o * layout.inner
            for j in 0..<layout.length {
                let run = source + (o * layout.length + j) * layout.inner
                for i in 0..<layout.inner { row[i] += run[i] }
            }
        }
        let inputShape = shape
        return try result.recorded(from: [self], op: "sum") { g in [try g.expanded(along: layout, to: inputShape)] }
    }

    /// The mean along `axis`.
    public func mean(axis: Int, keepingDimension: Bool = false) throws -> Tensor {
        let normalized = try Shape.normalize(axis: axis, rank: rank, op: "mean")
        return try sum(axis: normalized, keepingDimension: keepingDimension) / Float(shape[normalized])
    }

    /// The maximum along `axis`; the gradient flows to the first maximal element of each slice.
    /// - Throws: `PolyheadError.invalidArgument` for an empty axis.
    public func max(axis: Int, keepingDimension: Bool = false) throws -> Tensor {
        let (layout, winners) = try maximalElements(axis: axis, keepingDimension: keepingDimension, op: "max")
        let result = try Tensor.empty(layout.reducedShape, op: "max")
        for (slot, index) in winners.enumerated() { result.storage.pointer[slot] = storage.pointer[index] }
        let inputShape = shape
        return try result.recorded(from: [self], op: "max") { g in
            let gradient = try Tensor.zeros(inputShape)
            for (slot, index) in winners.enumerated() { gradient.storage.pointer[index] += g.storage.pointer[slot] }
            return [gradient]
        }
    }

    /// The position along `axis` of the first maximal element of each slice, as float values; not
    /// differentiable. NaN counts as maximal, as in PyTorch.
    public func argmax(axis: Int, keepingDimension: Bool = false) throws -> Tensor {
        let (layout, winners) = try maximalElements(axis: axis, keepingDimension: keepingDimension, op: "argmax")
        let result = try Tensor.empty(layout.reducedShape, op: "argmax")
        for (slot, index) in winners.enumerated() {
            result.storage.pointer[slot] = Float((index / layout.inner) % layout.length)
        }
        return result
    }

    /// The flat index of the first maximal element (NaN wins) of every slice along `axis`.
    private func maximalElements(axis: Int, keepingDimension: Bool, op: String) throws -> (AxisLayout, [Int]) {
        let layout = AxisLayout(shape, axis: try Shape.normalize(axis: axis, rank: rank, op: op),
                                keepDimension: keepingDimension)
        guard layout.length > 0 else {
            throw PolyheadError.invalidArgument(op: op, message: "cannot reduce an empty axis of \(describe(shape))")
        }
        var winners = [Int](repeating: 0, count: layout.outer * layout.inner)
        let source = storage.pointer
        for o in 0..<layout.outer {
            for i in 0..<layout.inner {
                var best = o * layout.length * layout.inner + i
                for j in 1..<layout.length {
                    let index = (o * layout.length + j) * layout.inner + i
                    if source[index] > source[best] || (!source[best].isNaN && source[index].isNaN) { best = index }
                }
                winners[o * layout.inner + i] = best
            }
        }
        return (layout, winners)
    }

    /// The pullback of an axis reduction: this reduced gradient copied back along the reduced axis.
    func expanded(along layout: AxisLayout, to inputShape: [Int]) throws -> Tensor {
        let result = try Tensor.empty(inputShape, op: "sum")
        let source = storage.pointer, target = result.storage.pointer
        for o in 0..<layout.outer {
            for j in 0..<layout.length {
                (target + (o * layout.length + j) * layout.inner).update(from: source + o * layout.inner,
                                                                         count: layout.inner)
            }
        }
        return result
    }
}

/// The sums of the columns of a row-major (rows, columns) matrix, as a (columns) tensor (a bias gradient);
/// the columns are split between threads, each summed over the rows in order.
func columnSums(_ source: UnsafePointer<Float>, rows: Int, columns: Int) throws -> Tensor {
    let result = try Tensor.zeros([columns])
    let sums = result.storage.pointer
    // Threads take whole tiles of 64 columns (a thread reading a narrower slice of every row wastes the
    // memory traffic of the rest); each column is summed in row order whatever the split.
    let tile = 64, tiles = (columns + tile - 1) / tile
    parallelRanges(tiles, grain: rows * columns >= 2 * elementwiseGrain ? 1 : Int.max) { range in
        ph_add_column_sums(source, rows, columns, range.lowerBound * tile, min(range.upperBound * tile, columns), sums)
    }
    return result
}
