/// Soft parameter sharing: every task has its own tower of identical structure, and a penalty pulls the
/// towers' corresponding parameters together (Duong, Cohn, Bird, Cook, "Low Resource Dependency Parsing:
/// Cross-lingual Parameter Sharing in a Neural Network Parser", ACL 2015; the "L2-Constrained" baseline
/// of Ma et al., KDD 2018).
///
/// `output_t = tower_t(x)`; add `penalty()` = λ · Σ_{i<j} Σ_p ‖θ_{i,p} − θ_{j,p}‖² to the loss. Every
/// parameter belongs to its tower's task: no parameter is shared, the penalty is what couples the tasks.
/// Parameter names: `towers.<task>.<name>`.
public final class SoftSharing: MultiTaskModel {
    /// One tower per task, in task order, all with the same parameter names and shapes.
    public let towers: [(task: String, tower: any Layer)]
    /// λ, the weight of the penalty.
    public let penaltyWeight: Float

    /// Creates the model.
    /// - Parameters:
    ///   - towers: one tower per task (the order is the task order), all of one structure.
    ///   - penalty: λ ≥ 0 (default 1e-3).
    /// - Throws: `PolyheadError.invalidArgument` for bad task names, towers whose parameters differ in
    ///   names or shapes, or a negative or non-finite λ.
    public init(towers: [(String, any Layer)], penalty: Float = 1e-3) throws {
        try checkTaskNames(towers.map(\.0), op: "SoftSharing")
        guard penalty >= 0, penalty.isFinite else {
            throw PolyheadError.invalidArgument(op: "SoftSharing", message: "penalty must be finite and >= 0, got \(penalty)")
        }
        let layout = { (tower: any Layer) in tower.namedParameters.map { "\($0.name)\(describe($0.tensor.shape))" } }
        let first = layout(towers[0].1)
        if let other = towers.first(where: { layout($0.1) != first }) {
            throw PolyheadError.invalidArgument(
                op: "SoftSharing", message: "towers must have identical parameters: \"\(towers[0].0)\" has "
                    + "\(first) but \"\(other.0)\" has \(layout(other.1))")
        }
        self.towers = towers.map { (task: $0.0, tower: $0.1) }
        self.penaltyWeight = penalty
    }

    /// The task names, in order.
    public var tasks: [String] { towers.map(\.task) }

    /// Each tower's parameters, owned by its task.
    public var ownedParameters: [OwnedParameter] {
        towers.flatMap { owned("towers.\($0.task)", $0.tower, task: $0.task) }
    }

    /// Runs every tower on `input`.
    public func callAsFunction(_ input: Tensor) throws -> TaskOutputs {
        TaskOutputs(checked: tasks, try towers.map { try $0.tower(input) })
    }

    /// λ · Σ over task pairs i < j and corresponding parameters p of ‖θ_{i,p} − θ_{j,p}‖², recorded (a
    /// scalar to add to the loss); 0 for a single task.
    public func penalty() throws -> Tensor {
        let parameters = towers.map(\.tower.parameters)
        var total: Tensor?
        for i in parameters.indices {
            for j in parameters.indices where j > i {
                for (a, b) in zip(parameters[i], parameters[j]) {
                    let difference = try a - b
                    let term = try (difference * difference).sum()
                    total = try total.map { try $0 + term } ?? term
                }
            }
        }
        return try (total ?? Tensor(0)) * penaltyWeight
    }
}
