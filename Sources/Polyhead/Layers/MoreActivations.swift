/// The Gaussian error linear unit `x · Φ(x)` (PyTorch's `nn.GELU`), exact or tanh-approximated.
public final class GELU: ParameterFreeLayer {
    /// Exact (`.none`, the default) or the tanh approximation.
    public let approximation: GELUApproximation
    /// Creates the layer.
    public init(approximation: GELUApproximation = .none) { self.approximation = approximation }
    /// Applies GELU elementwise.
    public func callAsFunction(_ input: Tensor) throws -> Tensor { try input.gelu(approximation: approximation) }
}

/// `x` for `x > 0`, else `negativeSlope · x` (PyTorch's `nn.LeakyReLU`).
public final class LeakyReLU: ParameterFreeLayer {
    /// The slope for negative inputs.
    public let negativeSlope: Float
    /// Creates the layer (PyTorch's default slope 0.01).
    public init(negativeSlope: Float = 0.01) { self.negativeSlope = negativeSlope }
    /// Applies the leaky rectifier elementwise.
    public func callAsFunction(_ input: Tensor) throws -> Tensor { try input.leakyRelu(negativeSlope: negativeSlope) }
}

/// `x` for `x > 0`, else `alpha · (eˣ − 1)` (PyTorch's `nn.ELU`).
public final class ELU: ParameterFreeLayer {
    /// The saturation value for large negative inputs is `−alpha`.
    public let alpha: Float
    /// Creates the layer (PyTorch's default alpha 1).
    public init(alpha: Float = 1) { self.alpha = alpha }
    /// Applies ELU elementwise.
    public func callAsFunction(_ input: Tensor) throws -> Tensor { try input.elu(alpha: alpha) }
}

/// Softmax along an axis (PyTorch's `nn.Softmax`; the core supports the last axis).
public final class Softmax: ParameterFreeLayer {
    /// The axis that sums to 1.
    public let axis: Int
    /// Creates the layer.
    public init(axis: Int = -1) { self.axis = axis }
    /// Applies softmax along `axis`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor { try input.softmax(axis: axis) }
}
