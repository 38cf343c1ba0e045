/// Multi-gate Mixture-of-Experts (Ma, Zhao, Yi, Chen, Hong, Chi, "Modeling Task Relationships in
/// Multi-task Learning with Multi-gate Mixture-of-Experts", KDD 2018).
///
/// n experts `f_e` see the input; each task k has a softmax gate `g_k(x) = softmax(W_k x + b_k)` over
/// the experts and a tower: `output_k = tower_k(Σ_e g_k(x)_e · f_e(x))` (the paper's equations 6–8).
///
/// ```swift
/// let model = try MMoE(inputSize: 100,
///                      experts: try (0..<8).map { _ in Sequential(try Linear(100, 16), ReLU()) },
///                      towers: try ["a", "b"].map { ($0, Sequential(try Linear(16, 8), ReLU(), try Linear(8, 1))) })
/// ```
/// The experts are shared; each gate and tower belongs to its task. The gates are made here, after the
/// experts and towers, in task order (`Linear(inputSize, n)`, PyTorch's initialisation). Parameter
/// names: `experts.<e>.<name>`, `gates.<task>.<name>`, `towers.<task>.<name>`.
public final class MMoE: MultiTaskModel {
    /// The shared experts; each maps (N, inputSize) to (N, D), one D for all.
    public let experts: [any Layer]
    /// One gate per task: `Linear(inputSize, experts.count)`, followed by a softmax.
    public let gates: [(task: String, gate: Linear)]
    /// One tower per task, taking the (N, D) mixture.
    public let towers: [(task: String, tower: any Layer)]

    /// Creates the model; the order of `towers` is the task order.
    /// - Throws: `PolyheadError.invalidArgument` for no experts, bad task names or a non-positive size.
    public init(inputSize: Int, experts: [any Layer], towers: [(String, any Layer)]) throws {
        try checkTaskNames(towers.map(\.0), op: "MMoE")
        guard !experts.isEmpty else { throw PolyheadError.invalidArgument(op: "MMoE", message: "needs at least one expert") }
        self.experts = experts
        self.towers = towers.map { (task: $0.0, tower: $0.1) }
        gates = try towers.map { (task: $0.0, gate: try Linear(inputSize, experts.count)) }
    }

    /// The task names, in order.
    public var tasks: [String] { towers.map(\.task) }

    /// The experts' parameters (shared), then each gate's and each tower's (their task's).
    public var ownedParameters: [OwnedParameter] {
        experts.enumerated().flatMap { owned("experts.\($0)", $1, task: nil) }
            + gates.flatMap { owned("gates.\($0.task)", $0.gate, task: $0.task) }
            + towers.flatMap { owned("towers.\($0.task)", $0.tower, task: $0.task) }
    }

    /// Each task's gate weights, (N, experts) rows summing to 1.
    public func gateWeights(_ input: Tensor) throws -> TaskOutputs {
        TaskOutputs(checked: tasks, try gates.map { try $0.gate(input).softmax() })
    }

    /// Runs the experts once, then each task's gate, mixture and tower.
    public func callAsFunction(_ input: Tensor) throws -> TaskOutputs {
        let stacked = try stackExperts(try experts.map { try $0(input) }, op: "MMoE")
        let outputs = try zip(gates, towers).map { gate, tower in
            try tower.tower(try mixExperts(gate: try gate.gate(input).softmax(), experts: stacked, op: "MMoE"))
        }
        return TaskOutputs(checked: tasks, outputs)
    }
}
