/// The recorded history of one computed tensor: its inputs and the pullback that maps the gradient of
/// the output to gradients of the inputs (`nil` for inputs that need none).
final class GradNode {
    /// The tensors the output was computed from.
    let inputs: [Tensor]
    /// Output gradient → one gradient (or `nil`) per input, shaped like that input.
    let pullback: (Tensor) throws -> [Tensor?]

    init(inputs: [Tensor], pullback: @escaping (Tensor) throws -> [Tensor?]) {
        self.inputs = inputs
        self.pullback = pullback
    }
}

extension Tensor {
    /// Attaches history to a freshly computed `self` when recording is on and any input requires grad.
    /// The pullback runs with recording off and must not capture `self` (that would be a cycle).
    @discardableResult
    func recorded(from inputs: [Tensor], pullback: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        if GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) {
            requiresGrad = true
            gradNode = GradNode(inputs: inputs, pullback: pullback)
        }
        return self
    }
}
