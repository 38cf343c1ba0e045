/// Something that owns trainable tensors, listed with stable dotted names (PyTorch's `named_parameters`),
/// and possibly state that is not trained but belongs to the model (PyTorch's `named_buffers`).
public protocol Module: AnyObject {
    /// The parameters in a fixed order, each with a dotted name such as `"0.weight"`.
    var namedParameters: [(name: String, tensor: Tensor)] { get }
    /// The buffers (non-trainable state saved with the model, such as batch normalization's running
    /// statistics) in a fixed order, each with a dotted name such as `"1.running_mean"`; none by default.
    var namedBuffers: [(name: String, tensor: Tensor)] { get }
}

extension Module {
    /// The parameters in the order of `namedParameters`.
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// No buffers.
    public var namedBuffers: [(name: String, tensor: Tensor)] { [] }

    /// The buffers in the order of `namedBuffers`.
    public var buffers: [Tensor] { namedBuffers.map(\.tensor) }

    /// Everything a saved model holds, the parameters then the buffers, with their dotted names (the
    /// tensors of PyTorch's `state_dict`).
    public var namedState: [(name: String, tensor: Tensor)] { namedParameters + namedBuffers }

    /// Clears the gradients of every parameter.
    public func zeroGrad() { for parameter in parameters { parameter.grad = nil } }
}

/// A module that maps one tensor to one tensor.
public protocol Layer: Module {
    /// Applies the layer to `input`.
    func callAsFunction(_ input: Tensor) throws -> Tensor
}
