/// Customized Gate Control (Tang, Liu, Zhao, Gong, "Progressive Layered Extraction (PLE): A Novel
/// Multi-Task Learning (MTL) Model for Personalized Recommendations", RecSys 2020, §4.1).
///
/// Shared experts and per-task experts see the input; task k's softmax gate weighs its own experts and
/// the shared ones, `g_k(x) = softmax(W_k x)` over `[E_k(x), E_s(x)]`, and its tower reads the mixture:
/// `output_k = tower_k(Σ g_k(x)_e · e(x))`. PLE stacks several such levels (`PLE`).
///
/// The shared experts are shared; each task's experts, gate and tower belong to the task. The gates are
/// made here, after the experts and towers (task order). Parameter names:
/// `extraction.shared_experts.<e>.<name>`, `extraction.task_experts.<task>.<e>.<name>`,
/// `extraction.task_gates.<task>.<name>`, `towers.<task>.<name>`.
public final class CGC: MultiTaskModel {
    /// The experts and gates.
    public let extraction: ExtractionLevel
    /// One tower per task, taking the (N, D) mixture.
    public let towers: [(task: String, tower: any Layer)]

    /// Creates the model; the order of `towers` is the task order, `taskExperts` must follow it.
    /// - Parameters:
    ///   - inputSize: the width of the input (the gates' input).
    ///   - sharedExperts: experts every task's gate sees.
    ///   - taskExperts: each task's own experts (at least one expert in all).
    ///   - towers: one tower per task.
    /// - Throws: `PolyheadError.invalidArgument` for mismatched task lists or no experts for a task.
    public init(
        inputSize: Int, sharedExperts: [any Layer], taskExperts: [(String, [any Layer])],
        towers: [(String, any Layer)]
    ) throws {
        try checkTaskNames(towers.map(\.0), op: "CGC")
        try checkSameTasks(taskExperts.map(\.0), towers.map(\.0), what: "task experts", op: "CGC")
        self.towers = towers.map { (task: $0.0, tower: $0.1) }
        extraction = try ExtractionLevel(inputSize: inputSize, sharedExperts: sharedExperts,
                                         taskExperts: taskExperts, sharedGate: false)
    }

    /// The task names, in order.
    public var tasks: [String] { towers.map(\.task) }

    /// The shared experts (shared), each task's experts and gate, then the towers (their task's).
    public var ownedParameters: [OwnedParameter] {
        extraction.ownedParameters(prefix: "extraction", tasksOwnExperts: true, tasksOwnGates: true)
            + towers.flatMap { owned("towers.\($0.task)", $0.tower, task: $0.task) }
    }

    /// Runs the experts once, each task's gate and mixture, and its tower.
    public func callAsFunction(_ input: Tensor) throws -> TaskOutputs {
        let mixtures = try extraction(taskInputs: Array(repeating: input, count: towers.count), sharedInput: input)
        return TaskOutputs(checked: tasks, try zip(towers, mixtures.tasks).map { try $0.tower($1) })
    }
}

/// One extraction network of PLE (Tang et al., RecSys 2020): shared experts, per-task experts, a softmax
/// gate per task over `[its experts, shared experts]` and, on inner levels, a shared gate over all
/// experts (every task's, then the shared ones). Alone (without the shared gate) it is CGC's body.
public final class ExtractionLevel: Module {
    /// The task names, in order.
    public let tasks: [String]
    /// Experts fed with the shared stream.
    public let sharedExperts: [any Layer]
    /// Each task's experts, fed with that task's stream.
    public let taskExperts: [(task: String, experts: [any Layer])]
    /// Each task's gate, `Linear(inputSize, own + shared experts)` on the task's stream.
    public let taskGates: [(task: String, gate: Linear)]
    /// The shared gate, `Linear(inputSize, all experts)` on the shared stream; `nil` on the last level.
    public let sharedGate: Linear?

    /// Creates the level and its gates (task gates in task order, then the shared gate).
    /// - Throws: `PolyheadError.invalidArgument` if a task would gate over no expert.
    public init(
        inputSize: Int, sharedExperts: [any Layer], taskExperts: [(String, [any Layer])], sharedGate: Bool
    ) throws {
        if let empty = taskExperts.first(where: { $0.1.isEmpty && sharedExperts.isEmpty }) {
            throw PolyheadError.invalidArgument(op: "ExtractionLevel", message: "task \"\(empty.0)\" has no expert to gate over")
        }
        tasks = taskExperts.map(\.0)
        self.sharedExperts = sharedExperts
        self.taskExperts = taskExperts.map { (task: $0.0, experts: $0.1) }
        taskGates = try taskExperts.map { (task: $0.0, gate: try Linear(inputSize, $0.1.count + sharedExperts.count)) }
        let total = taskExperts.reduce(sharedExperts.count) { $0 + $1.1.count }
        self.sharedGate = sharedGate ? try Linear(inputSize, total) : nil
    }

    /// Shared experts, task experts, task gates, shared gate (names as in `ownedParameters`, unowned).
    public var namedParameters: [(name: String, tensor: Tensor)] {
        ownedParameters(prefix: "", tasksOwnExperts: false, tasksOwnGates: false).map {
            (String($0.name.dropFirst()), $0.tensor)
        }
    }

    /// The parameters named under `prefix`: shared experts and the shared gate are shared; task experts
    /// and task gates belong to their task when the flags say so (else they are shared).
    func ownedParameters(prefix: String, tasksOwnExperts: Bool, tasksOwnGates: Bool) -> [OwnedParameter] {
        var result: [OwnedParameter] = []
        for (index, expert) in sharedExperts.enumerated() {
            result += owned("\(prefix).shared_experts.\(index)", expert, task: nil)
        }
        for group in taskExperts {
            for (index, expert) in group.experts.enumerated() {
                result += owned("\(prefix).task_experts.\(group.task).\(index)", expert,
                                task: tasksOwnExperts ? group.task : nil)
            }
        }
        for (task, gate) in taskGates {
            result += owned("\(prefix).task_gates.\(task)", gate, task: tasksOwnGates ? task : nil)
        }
        if let sharedGate { result += owned("\(prefix).shared_gate", sharedGate, task: nil) }
        return result
    }

    /// Runs the level: task k's experts and gate read `taskInputs[k]`, the shared experts and gate read
    /// `sharedInput`.
    /// - Returns: each task's mixture and, with a shared gate, the shared mixture.
    public func callAsFunction(taskInputs: [Tensor], sharedInput: Tensor) throws -> (tasks: [Tensor], shared: Tensor?) {
        guard taskInputs.count == tasks.count else {
            throw PolyheadError.invalidArgument(
                op: "ExtractionLevel", message: "expected \(tasks.count) task inputs, got \(taskInputs.count)")
        }
        let shared = try sharedExperts.map { try $0(sharedInput) }
        let own = try zip(taskExperts, taskInputs).map { group, x in try group.experts.map { try $0(x) } }
        let mixtures = try zip(taskGates, taskInputs).enumerated().map { k, pair in
            let gate = try pair.0.gate(pair.1).softmax()
            return try mixExperts(gate: gate, experts: try stackExperts(own[k] + shared, op: "CGC"), op: "CGC")
        }
        let sharedMixture = try sharedGate.map { gate in
            try mixExperts(gate: try gate(sharedInput).softmax(),
                           experts: try stackExperts(own.flatMap { $0 } + shared, op: "PLE"), op: "PLE")
        }
        return (mixtures, sharedMixture)
    }
}
