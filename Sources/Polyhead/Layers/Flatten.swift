/// Merges the dimensions `startDim...endDim` into one (PyTorch's `nn.Flatten`; by default all but the batch
/// dimension). The result shares the input's storage.
public final class Flatten: ParameterFreeLayer {
    /// The first dimension merged (negative counts from the end).
    public let startDim: Int
    /// The last dimension merged (negative counts from the end).
    public let endDim: Int

    /// Creates the layer (PyTorch's defaults: from dimension 1 to the last).
    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
    }

    /// Reshapes `input`, e.g. (N, C, H, W) → (N, C·H·W).
    /// - Throws: `PolyheadError.indexOutOfRange` for a dimension outside the input's rank,
    ///   `.invalidArgument` when `startDim` comes after `endDim`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let start = try Shape.normalize(axis: startDim, rank: input.rank, op: "flatten")
        let end = try Shape.normalize(axis: endDim, rank: input.rank, op: "flatten")
        guard start <= end else {
            throw PolyheadError.invalidArgument(
                op: "flatten", message: "start_dim \(startDim) comes after end_dim \(endDim) for input \(describe(input.shape))")
        }
        let merged = try Shape.elementCount(Array(input.shape[start...end]), op: "flatten")
        return try input.reshaped(Array(input.shape[..<start]) + [merged] + Array(input.shape[(end + 1)...]))
    }
}
