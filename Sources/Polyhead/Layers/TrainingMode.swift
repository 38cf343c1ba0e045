/// A layer that behaves differently while training and while evaluating (dropout, batch normalization),
/// like a PyTorch module's `training` flag. Layers start in training mode.
public protocol ModeDependentLayer: Layer {
    /// Whether the layer is in training mode.
    var isTraining: Bool { get set }
}

extension Module {
    /// Sets training mode (`true`) or evaluation mode on this module and, inside `Sequential`s, on every
    /// layer they hold, at any depth (PyTorch's `train()`); other modules are left unchanged.
    public func train(_ mode: Bool = true) {
        if let layer = self as? any ModeDependentLayer { layer.isTraining = mode }
        if let sequential = self as? Sequential {
            for layer in sequential.layers { layer.train(mode) }
        }
    }

    /// Sets evaluation mode (`train(false)`).
    public func eval() { train(false) }
}
