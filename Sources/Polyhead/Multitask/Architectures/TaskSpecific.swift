/// One copy of a layer per task, to place inside an otherwise shared model: the task-specific layers of
/// partial sharing (Ruder, "An Overview of Multi-Task Learning in Deep Neural Networks", 2017, §4).
///
/// Applied to one tensor it runs every task's copy on it; applied to `TaskOutputs` it runs each task's
/// copy on that task's stream, so shared and task-specific stages can alternate:
/// ```swift
/// let adapters = try TaskSpecific(tasks: ["a", "b"]) { _ in try Linear(16, 16) }
/// let streams = try adapters(try shared(x))                       // one stream per task
/// let outputs = try streams.mapOutputs { _, h in try sharedHead(try h.relu()) }
/// ```
/// Every copy's parameters belong to its task. Parameter names: `layers.<task>.<name>`.
public final class TaskSpecific: MultiTaskModel {
    /// One layer per task, in task order.
    public let layers: [(task: String, layer: any Layer)]

    /// Creates one layer per task by calling `layerFactory(task)` in task order.
    /// - Throws: `PolyheadError.invalidArgument` for bad task names; whatever the factory throws.
    public init(tasks: [String], layerFactory: (String) throws -> any Layer) throws {
        try checkTaskNames(tasks, op: "TaskSpecific")
        layers = try tasks.map { (task: $0, layer: try layerFactory($0)) }
    }

    /// The task names, in order.
    public var tasks: [String] { layers.map(\.task) }

    /// Each copy's parameters, owned by its task.
    public var ownedParameters: [OwnedParameter] {
        layers.flatMap { owned("layers.\($0.task)", $0.layer, task: $0.task) }
    }

    /// Runs every task's copy on `input`.
    public func callAsFunction(_ input: Tensor) throws -> TaskOutputs {
        TaskOutputs(checked: tasks, try layers.map { try $0.layer(input) })
    }

    /// Runs each task's copy on that task's entry of `inputs` (looked up by name; extra entries are ignored).
    /// - Throws: `PolyheadError.invalidArgument` if a task has no entry.
    public func callAsFunction(_ inputs: TaskOutputs) throws -> TaskOutputs {
        TaskOutputs(checked: tasks, try layers.map { try $0.layer(try inputs.output($0.task)) })
    }

    /// Runs `task`'s copy on `input`.
    /// - Throws: `PolyheadError.invalidArgument` for an unknown task.
    public func callAsFunction(_ input: Tensor, task: String) throws -> Tensor {
        guard let layer = layers.first(where: { $0.task == task })?.layer else {
            throw PolyheadError.invalidArgument(op: "TaskSpecific", message: "unknown task \"\(task)\"; tasks are \(tasks)")
        }
        return try layer(input)
    }
}
