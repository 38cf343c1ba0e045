/// A task-relation network: shared layers, then one task layer per task, then a learned T × T relation
/// matrix R that mixes the task representations, `r̃_i = Σ_j R_ij r_j`, before each task's output layer.
///
/// This is the "task relation network" of the project's seed specification: explicit task relations as
/// in Zhang & Yeung ("A Convex Formulation for Learning Task Relationships in Multi-Task Learning",
/// UAI 2010) and Long et al. ("Learning Multiple Tasks with Multilinear Relationship Networks",
/// NeurIPS 2017), realised as a linear mixing of task representations like one cross-stitch unit
/// (Misra et al., CVPR 2016) placed after the task layers. R starts as the identity (independent
/// heads); its learned off-diagonal entries show how much each task borrows from the others.
///
/// `output_i = output_i(Σ_j R_ij · taskLayer_j(trunk(x)))`; every task layer must return one shape.
/// Partition: the trunk, the task layers and R reach several tasks through R and are shared; each
/// output layer is its task's. The trunk's output is the shared representation. Parameter names (R
/// first, as a module's own parameters come before its children's in PyTorch): `relation`,
/// `trunk.<name>`, `task_layers.<task>.<name>`, `output_layers.<task>.<name>`.
public final class TaskRelation: SharedRepresentationModel {
    /// The shared layers.
    public let trunk: any Layer
    /// One layer per task producing the representations R mixes.
    public let taskLayers: [(task: String, layer: any Layer)]
    /// The relation matrix R, (T, T).
    public let relation: Tensor
    /// One output layer per task, reading the mixed representation.
    public let outputLayers: [(task: String, layer: any Layer)]

    /// Creates the model; the order of `taskLayers` is the task order and `outputLayers` must follow it.
    /// - Throws: `PolyheadError.invalidArgument` for bad or mismatched task names.
    public init(trunk: any Layer, taskLayers: [(String, any Layer)], outputLayers: [(String, any Layer)]) throws {
        try checkTaskNames(taskLayers.map(\.0), op: "TaskRelation")
        try checkSameTasks(outputLayers.map(\.0), taskLayers.map(\.0), what: "output layers", op: "TaskRelation")
        let count = taskLayers.count
        self.trunk = trunk
        self.taskLayers = taskLayers.map { (task: $0.0, layer: $0.1) }
        self.outputLayers = outputLayers.map { (task: $0.0, layer: $0.1) }
        relation = try Tensor((0..<count * count).map { $0 / count == $0 % count ? 1 : 0 }, shape: [count, count],
                              requiresGrad: true)
    }

    /// The task names, in order.
    public var tasks: [String] { taskLayers.map(\.task) }

    /// R, trunk and task layers (shared), then the output layers (their task's).
    public var ownedParameters: [OwnedParameter] {
        [OwnedParameter(name: "relation", tensor: relation, task: nil)]
            + owned("trunk", trunk, task: nil)
            + taskLayers.flatMap { owned("task_layers.\($0.task)", $0.layer, task: nil) }
            + outputLayers.flatMap { owned("output_layers.\($0.task)", $0.layer, task: $0.task) }
    }

    /// Runs the trunk, the task layers, the relation mixing and the output layers.
    /// - Returns: the outputs and the trunk's output (the shared representation).
    public func forwardWithRepresentation(_ input: Tensor) throws -> (outputs: TaskOutputs, representation: Tensor) {
        let representation = try trunk(input)
        let mixed = try mixTasks(relation, try taskLayers.map { try $0.layer(representation) }, op: "TaskRelation")
        return (TaskOutputs(checked: tasks, try zip(outputLayers, mixed).map { try $0.layer($1) }), representation)
    }
}
