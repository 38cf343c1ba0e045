// The protocol every multi-task architecture conforms to, the ordered per-task outputs it returns, and
// the parameter partition (shared vs. task-specific) that the weighting and gradient methods rely on.

/// The outputs of a multi-task model: one tensor per output name, in the model's order (task order).
///
/// Index it by name (`outputs["digit"]`, `nil` for an unknown name) or iterate it as
/// `(task, output)` pairs.
public struct TaskOutputs: RandomAccessCollection {
    /// One entry: an output name and its tensor.
    public typealias Element = (task: String, output: Tensor)

    /// The output names, in order.
    public let tasks: [String]
    /// The output tensors, in the order of `tasks`.
    public let outputs: [Tensor]

    /// Pairs names with tensors.
    /// - Throws: `PolyheadError.invalidArgument` if the counts differ or a name repeats.
    public init(tasks: [String], outputs: [Tensor]) throws {
        guard tasks.count == outputs.count else {
            throw PolyheadError.invalidArgument(
                op: "TaskOutputs", message: "\(tasks.count) names for \(outputs.count) outputs")
        }
        guard Set(tasks).count == tasks.count else {
            throw PolyheadError.invalidArgument(op: "TaskOutputs", message: "names repeat: \(tasks)")
        }
        self.tasks = tasks
        self.outputs = outputs
    }

    /// Pairs already validated names with tensors.
    init(checked tasks: [String], _ outputs: [Tensor]) {
        self.tasks = tasks
        self.outputs = outputs
    }

    /// The position of the first output.
    public var startIndex: Int { 0 }
    /// One past the position of the last output.
    public var endIndex: Int { outputs.count }
    /// The name and tensor at `position`.
    public subscript(position: Int) -> Element { (tasks[position], outputs[position]) }
    /// The output named `task`, or `nil`.
    public subscript(task: String) -> Tensor? { tasks.firstIndex(of: task).map { outputs[$0] } }

    /// The output named `task`.
    /// - Throws: `PolyheadError.invalidArgument` naming the known outputs if there is none.
    public func output(_ task: String) throws -> Tensor {
        guard let output = self[task] else {
            throw PolyheadError.invalidArgument(
                op: "TaskOutputs", message: "no output named \"\(task)\"; outputs are \(tasks)")
        }
        return output
    }

    /// The same names with each tensor replaced by `transform(name, tensor)` (e.g. a shared layer
    /// applied to every task's stream).
    public func mapOutputs(_ transform: (String, Tensor) throws -> Tensor) rethrows -> TaskOutputs {
        TaskOutputs(checked: tasks, try zip(tasks, outputs).map(transform))
    }
}

/// A parameter of a multi-task model with the task that owns it.
public struct OwnedParameter {
    /// The dotted name, e.g. `"heads.digit.weight"` (the same as in Python's `named_parameters()`).
    public let name: String
    /// The parameter.
    public let tensor: Tensor
    /// The one task whose outputs depend on the parameter, or `nil` when several tasks' outputs do
    /// (a shared parameter).
    public let task: String?

    /// Describes one parameter.
    public init(name: String, tensor: Tensor, task: String?) {
        self.name = name
        self.tensor = tensor
        self.task = task
    }
}

/// A model with one output per task (the architectures of `Multitask/Architectures`).
///
/// Its parameters split into **shared** ones (several tasks' outputs depend on them) and
/// **task-specific** ones (exactly one task's outputs depend on them); each parameter is in exactly
/// one set. This is the split the multi-task methods need: gradient methods combine the per-task
/// gradients of `sharedParameters` (e.g. `SharedPart(parameters: model.sharedParameters)`), and every
/// task-specific parameter only ever receives its own task's gradient.
public protocol MultiTaskModel: Module {
    /// The task names, in output order.
    var tasks: [String] { get }
    /// Every parameter, each once, with its owner; the order is the one of `namedParameters`.
    var ownedParameters: [OwnedParameter] { get }
    /// Runs the model on `input` (a batch, first dimension N): one output per task, in task order.
    func callAsFunction(_ input: Tensor) throws -> TaskOutputs
}

extension MultiTaskModel {
    /// Every parameter with its dotted name (shared and task-specific, in model order).
    public var namedParameters: [(name: String, tensor: Tensor)] { ownedParameters.map { ($0.name, $0.tensor) } }

    /// The shared parameters with their names.
    public var namedSharedParameters: [(name: String, tensor: Tensor)] {
        ownedParameters.filter { $0.task == nil }.map { ($0.name, $0.tensor) }
    }

    /// The parameters several tasks depend on.
    public var sharedParameters: [Tensor] { namedSharedParameters.map(\.tensor) }

    /// The parameters only `task` depends on, with their names.
    /// - Throws: `PolyheadError.invalidArgument` for an unknown task.
    public func namedTaskParameters(_ task: String) throws -> [(name: String, tensor: Tensor)] {
        guard tasks.contains(task) else {
            throw PolyheadError.invalidArgument(
                op: String(describing: type(of: self)), message: "unknown task \"\(task)\"; tasks are \(tasks)")
        }
        return ownedParameters.filter { $0.task == task }.map { ($0.name, $0.tensor) }
    }

    /// The parameters only `task` depends on.
    /// - Throws: `PolyheadError.invalidArgument` for an unknown task.
    public func taskParameters(_ task: String) throws -> [Tensor] { try namedTaskParameters(task).map(\.tensor) }
}

/// A multi-task model whose task outputs are all computed from one shared representation (the trunk's
/// output), for the representation mode of the gradient methods (MGDA-UB style: task gradients are
/// taken with respect to the representation rather than the shared parameters).
///
/// The representation is returned by the forward pass itself (no state is kept between calls):
/// ```swift
/// let (outputs, representation) = try model.forwardWithRepresentation(x)
/// let shared = SharedPart(parameters: model.sharedParameters, representation: representation)
/// ```
public protocol SharedRepresentationModel: MultiTaskModel {
    /// Runs the model and also returns the shared representation every output is computed from.
    func forwardWithRepresentation(_ input: Tensor) throws -> (outputs: TaskOutputs, representation: Tensor)
}

extension SharedRepresentationModel {
    /// Runs the model: one output per task.
    public func callAsFunction(_ input: Tensor) throws -> TaskOutputs {
        try forwardWithRepresentation(input).outputs
    }
}

// MARK: - Helpers for the architectures

/// Throws unless `names` are at least one, unique, non-empty and free of dots (names become parts of
/// dotted parameter names).
func checkTaskNames(_ names: [String], op: String) throws {
    guard !names.isEmpty else { throw PolyheadError.invalidArgument(op: op, message: "needs at least one task") }
    guard Set(names).count == names.count else {
        throw PolyheadError.invalidArgument(op: op, message: "task names repeat: \(names)")
    }
    if let bad = names.first(where: { $0.isEmpty || $0.contains(".") }) {
        throw PolyheadError.invalidArgument(
            op: op, message: "task name \"\(bad)\" must be non-empty and contain no \".\"")
    }
}

/// The parameters of `module`, named `prefix.<name>` and owned by `task` (`nil` = shared).
func owned(_ prefix: String, _ module: any Module, task: String?) -> [OwnedParameter] {
    module.namedParameters.map { OwnedParameter(name: "\(prefix).\($0.name)", tensor: $0.tensor, task: task) }
}

/// Throws unless `towers` name the tasks `tasks` in the same order.
func checkSameTasks(_ names: [String], _ tasks: [String], what: String, op: String) throws {
    guard names == tasks else {
        throw PolyheadError.invalidArgument(op: op, message: "\(what) are for tasks \(names), expected \(tasks)")
    }
}
