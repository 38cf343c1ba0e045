// The architectures as `ModuleContainer`s, so that `train(_:)` and `eval()` on a model reach the dropout and
// batch-normalization layers inside its trunks, experts, gates and towers (as PyTorch's `Module.train()`
// reaches every child). `MTAN` declares its own in MTAN.swift.

extension HardSharing: ModuleContainer {
    /// The trunk, then the heads.
    public var submodules: [any Module] { [trunk] + heads.map(\.head) }
}

extension SoftSharing: ModuleContainer {
    /// The towers.
    public var submodules: [any Module] { towers.map(\.tower) }
}

extension TaskSpecific: ModuleContainer {
    /// The per-task layers.
    public var submodules: [any Module] { layers.map(\.layer) }
}

extension CrossStitch: ModuleContainer {
    /// Every column's stages, then the cross-stitch units.
    public var submodules: [any Module] { columns.flatMap { $0.stages as [any Module] } + stitches }
}

extension MMoE: ModuleContainer {
    /// The experts, gates and towers.
    public var submodules: [any Module] { experts + gates.map(\.gate) + towers.map(\.tower) }
}

extension ExtractionLevel: ModuleContainer {
    /// The shared experts, the task experts, the task gates and the shared gate.
    public var submodules: [any Module] {
        sharedExperts + taskExperts.flatMap { $0.experts as [any Module] } + taskGates.map(\.gate)
            + (sharedGate.map { [$0] } ?? [])
    }
}

extension CGC: ModuleContainer {
    /// The extraction level, then the towers.
    public var submodules: [any Module] { [extraction] + towers.map(\.tower) }
}

extension PLE: ModuleContainer {
    /// The extraction levels, then the towers.
    public var submodules: [any Module] { levels + towers.map(\.tower) }
}

extension DSelectK: ModuleContainer {
    /// The experts, gates and towers.
    public var submodules: [any Module] { experts + gates.map(\.gate) + towers.map(\.tower) }
}

extension ESMM: ModuleContainer {
    /// The shared bottom and the two towers.
    public var submodules: [any Module] { [shared, ctrTower, cvrTower] }
}

extension TaskRelation: ModuleContainer {
    /// The trunk, the task layers and the output layers.
    public var submodules: [any Module] { [trunk] + taskLayers.map(\.layer) + outputLayers.map(\.layer) }
}
