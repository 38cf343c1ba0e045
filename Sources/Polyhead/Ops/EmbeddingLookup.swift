// Embedding lookup: integer indices → rows of a weight matrix; the gradient scatter-adds back into the rows.

extension Tensor {
    /// The rows of `weight` (num_embeddings, dim) at `indices`, shaped `indexShape + [dim]` (PyTorch's
    /// `embedding`). The gradient of a row is the sum of the output gradients of every position that
    /// selected it; the row `paddingIndex` (if any) gets no gradient.
    ///
    /// - Parameters:
    ///   - indices: row numbers in `0..<num_embeddings`, row-major in `indexShape`.
    ///   - indexShape: the shape of the index array (its element count must equal `indices.count`).
    ///   - paddingIndex: a row in `0..<num_embeddings` excluded from the gradient, or `nil`.
    /// - Throws: `PolyheadError.shapeMismatch` unless `weight` is 2-D and `indexShape` fits `indices`;
    ///   `.indexOutOfRange` for an index or padding index outside `0..<num_embeddings`.
    public static func embedding(
        _ weight: Tensor, indices: [Int], indexShape: [Int], paddingIndex: Int? = nil
    ) throws -> Tensor {
        guard weight.rank == 2 else {
            throw PolyheadError.shapeMismatch(
                op: "embedding", message: "weight must be 2-D (num_embeddings, embedding_dim), got \(describe(weight.shape))")
        }
        let (rows, width) = (weight.shape[0], weight.shape[1])
        guard try Shape.elementCount(indexShape, op: "embedding") == indices.count else {
            throw PolyheadError.shapeMismatch(
                op: "embedding", message: "\(indices.count) indices do not fill index shape \(describe(indexShape))")
        }
        if let bad = indices.first(where: { $0 < 0 || $0 >= rows }) {
            throw PolyheadError.indexOutOfRange(
                op: "embedding", message: "index \(bad) is out of range for \(rows) embeddings (weight \(describe(weight.shape)))")
        }
        if let paddingIndex, paddingIndex < 0 || paddingIndex >= rows {
            throw PolyheadError.indexOutOfRange(
                op: "embedding", message: "padding index \(paddingIndex) is out of range for \(rows) embeddings")
        }
        let result = try Tensor.empty(indexShape + [width], op: "embedding")
        let source = weight.storage.pointer, out = result.storage.pointer
        indices.withUnsafeBufferPointer { rowsAt in
            for (slot, row) in rowsAt.enumerated() {
                (out + slot * width).update(from: source + row * width, count: width)
            }
        }
        return try result.recorded(from: [weight], op: "embedding") { grad in
            let gradient = try Tensor.zeros(weight.shape)
            let pg = grad.storage.pointer, pd = gradient.storage.pointer
            indices.withUnsafeBufferPointer { rowsAt in
                for (slot, row) in rowsAt.enumerated() where row != paddingIndex {
                    let target = pd + row * width, run = pg + slot * width
                    for i in 0..<width { target[i] += run[i] }
                }
            }
            return [gradient]
        }
    }
}
