/// A lookup table from integer indices to learned vectors (PyTorch's `nn.Embedding`).
public final class Embedding: Layer {
    /// The table, shaped `(numEmbeddings, embeddingDim)`, initialised N(0, 1) from the global generator.
    public let weight: Tensor
    /// The row that gets no gradient (and starts as zeros), or `nil`.
    public let paddingIndex: Int?

    /// Creates the table.
    /// - Parameters:
    ///   - paddingIndex: a row in `-numEmbeddings..<numEmbeddings` (negative counts from the end) kept at zero
    ///     at initialisation and excluded from the gradient, or `nil`.
    /// - Throws: `PolyheadError.invalidArgument` for non-positive sizes, `.indexOutOfRange` for a bad padding index.
    public init(_ numEmbeddings: Int, _ embeddingDim: Int, paddingIndex: Int? = nil) throws {
        weight = try Embedding.initialWeight(numEmbeddings, embeddingDim, paddingIndex: paddingIndex)
        self.paddingIndex = paddingIndex.map { $0 < 0 ? $0 + numEmbeddings : $0 }
    }

    /// A fresh N(0, 1) table requiring grad, with the padding row (if any) zeroed.
    /// - Throws: see `init`.
    public static func initialWeight(_ numEmbeddings: Int, _ embeddingDim: Int, paddingIndex: Int?) throws -> Tensor {
        guard numEmbeddings > 0, embeddingDim > 0 else {
            throw PolyheadError.invalidArgument(
                op: "Embedding", message: "sizes must be positive, got (\(numEmbeddings), \(embeddingDim))")
        }
        if let paddingIndex, paddingIndex < -numEmbeddings || paddingIndex >= numEmbeddings {
            throw PolyheadError.indexOutOfRange(
                op: "Embedding", message: "padding index \(paddingIndex) must be within the \(numEmbeddings) embeddings")
        }
        let weight = try Tensor.randn([numEmbeddings, embeddingDim])
        if let paddingIndex {
            let row = paddingIndex < 0 ? paddingIndex + numEmbeddings : paddingIndex
            (weight.storage.pointer + row * embeddingDim).update(repeating: 0, count: embeddingDim)
        }
        weight.requiresGrad = true
        return weight
    }

    /// `weight`.
    public var namedParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }

    /// The rows at `indices` (row-major in `shape`), shaped `shape + [embeddingDim]`.
    public func callAsFunction(indices: [Int], shape: [Int]) throws -> Tensor {
        try Tensor.embedding(weight, indices: indices, indexShape: shape, paddingIndex: paddingIndex)
    }

    /// The rows at the indices held (as integral floats) by `input`, shaped `input.shape + [embeddingDim]`.
    /// - Throws: `PolyheadError.invalidArgument` for a non-integral index, `.indexOutOfRange` for one outside
    ///   the table.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let indices = try input.scalars.map { value -> Int in
            guard value.isFinite, value == value.rounded(), abs(value) < 1e9 else {
                throw PolyheadError.invalidArgument(op: "embedding", message: "indices must be integers, got \(value)")
            }
            return Int(value)
        }
        return try callAsFunction(indices: indices, shape: input.shape)
    }
}
