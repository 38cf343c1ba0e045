extension Tensor {
    /// A contiguous copy of this tensor with its axes reordered (`result.shape[i] = shape[axes[i]]`), as
    /// numpy's `transpose(axes)`; the gradient is permuted back. Used by the channels-last Keras layers.
    /// - Throws: `PolyheadError.invalidArgument` unless `axes` is a permutation of `0..<rank`.
    func permuted(_ axes: [Int]) throws -> Tensor {
        guard axes.count == rank, Set(axes) == Set(0..<rank) else {
            throw PolyheadError.invalidArgument(op: "permute", message: "axes \(axes) are not a permutation of 0..<\(rank)")
        }
        let resultShape = axes.map { shape[$0] }
        let result = try Tensor.empty(resultShape, op: "permute")
        Self.permute(storage.pointer, shape: shape, axes: axes, into: result.storage.pointer)
        var inverse = Array(repeating: 0, count: rank)
        for (i, axis) in axes.enumerated() { inverse[axis] = i }
        let inputShape = shape
        return try result.recorded(from: [self], op: "permute") { g in
            let gradient = try Tensor.empty(inputShape, op: "permute")
            Self.permute(g.storage.pointer, shape: resultShape, axes: inverse, into: gradient.storage.pointer)
            return [gradient]
        }
    }

    /// Writes the elements of a row-major `shape` array at `source`, axes reordered by `axes`, to `output`.
    private static func permute(_ source: UnsafePointer<Float>, shape: [Int], axes: [Int], into output: UnsafeMutablePointer<Float>) {
        let rank = shape.count
        var strides = Array(repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * shape[i + 1] }
        let outShape = axes.map { shape[$0] }, outStrides = axes.map { strides[$0] }
        let total = outShape.reduce(1, *)
        guard total > 0 else { return }
        var index = Array(repeating: 0, count: rank), offset = 0
        for position in 0..<total {
            output[position] = source[offset]
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                offset += outStrides[d]
                if index[d] < outShape[d] { break }
                offset -= outStrides[d] * outShape[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}
