/// A fully connected layer `y = x · weightᵀ + bias`, with PyTorch's layout and default initialisation.
public final class Linear: Layer {
    /// The weight, shaped `(outFeatures, inFeatures)` like PyTorch (so saved weights load into torch).
    public let weight: Tensor
    /// The bias, shaped `(outFeatures)`, or `nil`.
    public let bias: Tensor?

    /// Creates the layer; the weight is kaiming-uniform with a = √5 and the bias uniform in ±1/√inFeatures
    /// (both therefore uniform in ±1/√inFeatures), drawn from the global generator, weight first.
    /// - Throws: `PolyheadError.invalidArgument` for a non-positive feature count.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) throws {
        guard inFeatures > 0, outFeatures > 0 else {
            throw PolyheadError.invalidArgument(
                op: "Linear", message: "feature counts must be positive, got (\(inFeatures), \(outFeatures))")
        }
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = try Tensor.uniform([outFeatures, inFeatures], low: -bound, high: bound)
        weight.requiresGrad = true
        self.bias = bias ? try Tensor.uniform([outFeatures], low: -bound, high: bound) : nil
        self.bias?.requiresGrad = true
    }

    /// `weight` then `bias`.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Applies the layer to `input` of shape `(N, inFeatures)`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try Tensor.linear(input, weight: weight, bias: bias)
    }
}
