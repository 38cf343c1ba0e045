/// Layer normalization over the trailing dimensions (Ba et al. 2016; PyTorch's `nn.LayerNorm`).
public final class LayerNorm: Layer {
    /// The trailing dimensions normalized together.
    public let normalizedShape: [Int]
    /// The per-element scale (ones at first), or `nil` without an elementwise affine map.
    public let weight: Tensor?
    /// The per-element shift (zeros at first), or `nil`.
    public let bias: Tensor?
    /// Added to the variance before the square root.
    public let epsilon: Float

    /// Creates the layer.
    /// - Throws: `PolyheadError.invalidArgument` for an empty or non-positive shape or a negative epsilon.
    public init(_ normalizedShape: [Int], epsilon: Float = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) throws {
        guard !normalizedShape.isEmpty, normalizedShape.allSatisfy({ $0 > 0 }), epsilon >= 0, epsilon.isFinite else {
            throw PolyheadError.invalidArgument(
                op: "LayerNorm", message: "need a non-empty positive shape and a finite eps ≥ 0, got "
                    + "\(describe(normalizedShape)) and eps \(epsilon)")
        }
        self.normalizedShape = normalizedShape
        self.epsilon = epsilon
        weight = elementwiseAffine ? try Tensor.ones(normalizedShape, requiresGrad: true) : nil
        self.bias = elementwiseAffine && bias ? try Tensor.zeros(normalizedShape, requiresGrad: true) : nil
    }

    /// `weight` then `bias`, when present.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Normalizes `input` (*, normalizedShape).
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.layerNorm(normalizedShape: normalizedShape, weight: weight, bias: bias, epsilon: epsilon)
    }
}
