/// A layer that behaves differently while training and while evaluating (dropout, batch normalization),
/// like a PyTorch module's `training` flag. Layers start in training mode.
public protocol ModeDependentLayer: Layer {
    /// Whether the layer is in training mode.
    var isTraining: Bool { get set }
}

/// A module made of other modules (`Sequential`, the multi-task architectures that hold layers), so that
/// `train(_:)` and `eval()` reach every layer inside it.
public protocol ModuleContainer: Module {
    /// The modules it holds, directly.
    var submodules: [any Module] { get }
}

extension Sequential: ModuleContainer {
    /// The layers in order.
    public var submodules: [any Module] { layers }
}

extension Module {
    /// Sets training mode (`true`) or evaluation mode on this module and, inside `ModuleContainer`s (such as
    /// `Sequential`), on every module they hold, at any depth (PyTorch's `train()`); other modules are left
    /// unchanged.
    public func train(_ mode: Bool = true) {
        if let layer = self as? any ModeDependentLayer { layer.isTraining = mode }
        if let container = self as? any ModuleContainer {
            for module in container.submodules { module.train(mode) }
        }
    }

    /// Sets evaluation mode (`train(false)`).
    public func eval() { train(false) }
}
