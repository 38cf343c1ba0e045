/// A layer without parameters (activations); `namedParameters` is empty.
public protocol ParameterFreeLayer: Layer {}

extension ParameterFreeLayer {
    /// No parameters.
    public var namedParameters: [(name: String, tensor: Tensor)] { [] }
}

/// `max(x, 0)` elementwise, PyTorch's `nn.ReLU`.
public final class ReLU: ParameterFreeLayer {
    /// Creates the layer.
    public init() {}
    /// Applies `max(x, 0)`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor { try input.relu() }
}

/// The logistic function elementwise, PyTorch's `nn.Sigmoid`.
public final class Sigmoid: ParameterFreeLayer {
    /// Creates the layer.
    public init() {}
    /// Applies `1 / (1 + e^-x)`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor { try input.sigmoid() }
}

/// The hyperbolic tangent elementwise, PyTorch's `nn.Tanh`.
public final class Tanh: ParameterFreeLayer {
    /// Creates the layer.
    public init() {}
    /// Applies `tanh(x)`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor { try input.tanh() }
}
