/// Something that owns trainable tensors, listed with stable dotted names (PyTorch's `named_parameters`).
public protocol Module: AnyObject {
    /// The parameters in a fixed order, each with a dotted name such as `"0.weight"`.
    var namedParameters: [(name: String, tensor: Tensor)] { get }
}

extension Module {
    /// The parameters in the order of `namedParameters`.
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// Clears the gradients of every parameter.
    public func zeroGrad() { for parameter in parameters { parameter.grad = nil } }
}

/// A module that maps one tensor to one tensor.
public protocol Layer: Module {
    /// Applies the layer to `input`.
    func callAsFunction(_ input: Tensor) throws -> Tensor
}
