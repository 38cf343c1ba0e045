/// A layer that behaves differently while training and while evaluating (dropout, batch normalization),
/// like a PyTorch module's `training` flag. Layers start in training mode.
public protocol ModeDependentLayer: Layer {
    /// Whether the layer is in training mode.
    var isTraining: Bool { get set }
}

/// A module made of other modules (`Sequential`, the multi-task architectures), like a PyTorch module's
/// children: `train(_:)` and `eval()` reach every module inside it, and its buffers are theirs.
public protocol ModuleContainer: Module {
    /// The modules it holds, directly, each with the name that prefixes its parameters and buffers in this
    /// module's (`"0"`, `"trunk"`, `"heads.digit"`, …: PyTorch's `named_children`, with the dotted path of a
    /// `ModuleList` or `ModuleDict` entry).
    var namedSubmodules: [(name: String, module: any Module)] { get }
}

extension ModuleContainer {
    /// The modules it holds, directly, in the order of `namedSubmodules`.
    public var submodules: [any Module] { namedSubmodules.map(\.module) }

    /// The buffers of every module inside, at any depth, named `<submodule>.<buffer>` (such as
    /// `"trunk.1.running_mean"`).
    public var namedBuffers: [(name: String, tensor: Tensor)] { collected(\.namedBuffers) }

    /// The tensors `list` gives for each submodule, named `<submodule>.<name>`, submodule by submodule.
    func collected(_ list: (any Module) -> [(name: String, tensor: Tensor)]) -> [(name: String, tensor: Tensor)] {
        namedSubmodules.flatMap { child in list(child.module).map { ("\(child.name).\($0.name)", $0.tensor) } }
    }
}

extension Sequential: ModuleContainer {
    /// The layers in order, named by their index.
    public var namedSubmodules: [(name: String, module: any Module)] {
        layers.enumerated().map { ("\($0)", $1) }
    }
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
