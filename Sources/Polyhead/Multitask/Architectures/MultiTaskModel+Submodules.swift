// The architectures as `ModuleContainer`s, so that `train(_:)` and `eval()` on a model reach the dropout and
// batch-normalization layers inside its trunks, experts, gates and towers (as PyTorch's `Module.train()`
// reaches every child), and so that their buffers (batch normalization's running statistics) are named and
// saved like PyTorch's. Each submodule's name is the prefix of its parameters in `namedParameters`.
// `MTAN` declares its own in MTAN.swift.

/// `modules` named `<prefix>.<index>`.
func indexed(_ prefix: String, _ modules: [any Module]) -> [(name: String, module: any Module)] {
    modules.enumerated().map { ("\(prefix).\($0)", $1) }
}

extension HardSharing: ModuleContainer {
    /// The trunk (`trunk`), then the heads (`heads.<task>`).
    public var namedSubmodules: [(name: String, module: any Module)] {
        [("trunk", trunk)] + heads.map { ("heads.\($0.task)", $0.head) }
    }
}

extension SoftSharing: ModuleContainer {
    /// The towers (`towers.<task>`).
    public var namedSubmodules: [(name: String, module: any Module)] { towers.map { ("towers.\($0.task)", $0.tower) } }
}

extension TaskSpecific: ModuleContainer {
    /// The per-task layers (`layers.<task>`).
    public var namedSubmodules: [(name: String, module: any Module)] { layers.map { ("layers.\($0.task)", $0.layer) } }
}

extension CrossStitch: ModuleContainer {
    /// Every column's stages (`columns.<task>.<index>`), then the cross-stitch units (`stitches.<index>`).
    public var namedSubmodules: [(name: String, module: any Module)] {
        columns.flatMap { indexed("columns.\($0.task)", $0.stages) } + indexed("stitches", stitches)
    }
}

extension MMoE: ModuleContainer {
    /// The experts (`experts.<index>`), gates (`gates.<task>`) and towers (`towers.<task>`).
    public var namedSubmodules: [(name: String, module: any Module)] {
        indexed("experts", experts) + gates.map { ("gates.\($0.task)", $0.gate) }
            + towers.map { ("towers.\($0.task)", $0.tower) }
    }
}

extension ExtractionLevel: ModuleContainer {
    /// The shared experts (`shared_experts.<index>`), the task experts (`task_experts.<task>.<index>`), the
    /// task gates (`task_gates.<task>`) and the shared gate (`shared_gate`).
    public var namedSubmodules: [(name: String, module: any Module)] {
        indexed("shared_experts", sharedExperts)
            + taskExperts.flatMap { indexed("task_experts.\($0.task)", $0.experts) }
            + taskGates.map { ("task_gates.\($0.task)", $0.gate) } + (sharedGate.map { [("shared_gate", $0)] } ?? [])
    }
}

extension CGC: ModuleContainer {
    /// The extraction level (`extraction`), then the towers (`towers.<task>`).
    public var namedSubmodules: [(name: String, module: any Module)] {
        [("extraction", extraction)] + towers.map { ("towers.\($0.task)", $0.tower) }
    }
}

extension PLE: ModuleContainer {
    /// The extraction levels (`levels.<index>`), then the towers (`towers.<task>`).
    public var namedSubmodules: [(name: String, module: any Module)] {
        indexed("levels", levels) + towers.map { ("towers.\($0.task)", $0.tower) }
    }
}

extension DSelectK: ModuleContainer {
    /// The experts (`experts.<index>`), gates (`gates.<task>`) and towers (`towers.<task>`).
    public var namedSubmodules: [(name: String, module: any Module)] {
        indexed("experts", experts) + gates.map { ("gates.\($0.task)", $0.gate) }
            + towers.map { ("towers.\($0.task)", $0.tower) }
    }
}

extension ESMM: ModuleContainer {
    /// The shared bottom (`shared`) and the two towers (`ctr`, `cvr`).
    public var namedSubmodules: [(name: String, module: any Module)] {
        [("shared", shared), ("ctr", ctrTower), ("cvr", cvrTower)]
    }
}

extension TaskRelation: ModuleContainer {
    /// The trunk (`trunk`), the task layers (`task_layers.<task>`) and the output layers
    /// (`output_layers.<task>`).
    public var namedSubmodules: [(name: String, module: any Module)] {
        [("trunk", trunk)] + taskLayers.map { ("task_layers.\($0.task)", $0.layer) }
            + outputLayers.map { ("output_layers.\($0.task)", $0.layer) }
    }
}
