/// Inverted dropout (PyTorch's `nn.Dropout`): in training, zeroes each element with probability `p` (from the
/// global generator) and scales the rest by `1 / (1 − p)`; in evaluation, returns its input unchanged.
public final class Dropout: ModeDependentLayer {
    /// The probability of zeroing an element.
    public let p: Float
    /// Whether the layer drops elements (training) or passes its input through (evaluation).
    public var isTraining = true

    /// Creates the layer.
    /// - Throws: `PolyheadError.invalidArgument` unless `0 ≤ p ≤ 1`.
    public init(p: Float = 0.5) throws {
        guard p >= 0, p <= 1 else {
            throw PolyheadError.invalidArgument(
                op: "Dropout", message: "dropout probability has to be between 0 and 1, but got \(p)")
        }
        self.p = p
    }

    /// No parameters.
    public var namedParameters: [(name: String, tensor: Tensor)] { [] }

    /// Drops elements in training; returns `input` itself in evaluation.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        isTraining ? try input.dropout(p) : input
    }
}
