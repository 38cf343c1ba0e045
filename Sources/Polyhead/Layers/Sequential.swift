/// Layers applied one after another; parameters are named `"<index>.<name>"` as in PyTorch.
public final class Sequential: Layer {
    /// The layers in order.
    public let layers: [any Layer]

    /// Creates the chain from `layers`.
    public init(_ layers: [any Layer]) { self.layers = layers }

    /// Creates the chain from `layers`.
    public convenience init(_ layers: any Layer...) { self.init(layers) }

    /// Every layer's parameters, prefixed by the layer's index.
    public var namedParameters: [(name: String, tensor: Tensor)] { collected(\.namedParameters) }

    /// Applies every layer in order.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try layers.reduce(input) { try $1($0) }
    }
}
