/// Hard parameter sharing: one trunk shared by every task, then one head per task (Caruana, "Multitask
/// Learning", Machine Learning 28, 1997; the "shared-bottom" model of Ma et al., KDD 2018).
///
/// `output_t = head_t(trunk(x))`. The trunk's parameters are shared, each head's belong to its task.
/// The trunk's output is the shared representation (`forwardWithRepresentation`).
///
/// ```swift
/// let model = try HardSharing(
///     trunk: Sequential(try Linear(784, 256), ReLU(), try Linear(256, 128), ReLU()),
///     heads: [("digit", try Linear(128, 10)), ("parity", try Linear(128, 1))])
/// let outputs = try model(x)            // outputs["digit"]: (N, 10), outputs["parity"]: (N, 1)
/// ```
/// Parameter names: `trunk.<name>`, then `heads.<task>.<name>` in task order.
public final class HardSharing: SharedRepresentationModel {
    /// The shared trunk.
    public let trunk: any Layer
    /// One head per task, in task order.
    public let heads: [(task: String, head: any Layer)]

    /// Creates the model from a trunk and named heads (the order of `heads` is the task order).
    /// - Throws: `PolyheadError.invalidArgument` for no heads or repeated, empty or dotted task names.
    public init(trunk: any Layer, heads: [(String, any Layer)]) throws {
        try checkTaskNames(heads.map(\.0), op: "HardSharing")
        self.trunk = trunk
        self.heads = heads.map { (task: $0.0, head: $0.1) }
    }

    /// Creates the model from a trunk and heads given as an ordered literal, `["digit": …, "parity": …]`.
    public convenience init(trunk: any Layer, heads: KeyValuePairs<String, any Layer>) throws {
        try self.init(trunk: trunk, heads: heads.map { ($0.key, $0.value) })
    }

    /// The task names, in order.
    public var tasks: [String] { heads.map(\.task) }

    /// The trunk's parameters (shared), then each head's (its task's).
    public var ownedParameters: [OwnedParameter] {
        owned("trunk", trunk, task: nil) + heads.flatMap { owned("heads.\($0.task)", $0.head, task: $0.task) }
    }

    /// Runs the trunk once and every head on its output.
    /// - Returns: the outputs in task order and the trunk's output (the shared representation).
    public func forwardWithRepresentation(_ input: Tensor) throws -> (outputs: TaskOutputs, representation: Tensor) {
        let representation = try trunk(input)
        let outputs = try heads.map { try $0.head(representation) }
        return (TaskOutputs(checked: tasks, outputs), representation)
    }
}
