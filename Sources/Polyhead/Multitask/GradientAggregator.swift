/// The outcome of combining per-task gradients: the update direction for the shared part and the task
/// weights it corresponds to (exact for weighting-type methods, effective for projection-type ones).
public struct Aggregation {
    /// The update for the shared part, flattened like a `TaskJacobian` row.
    public var direction: [Float]
    /// One weight per task.
    public var weights: [Double]

    /// Pairs a direction with its task weights.
    public init(direction: [Float], weights: [Double]) {
        self.direction = direction
        self.weights = weights
    }
}

/// A gradient-level method (PCGrad, MGDA, CAGrad, IMTL, Aligned-MTL, Nash-MTL, …): it combines the
/// per-task gradients of the shared part into one update (torchjd's aggregator).
///
/// Cost of a step: T backward passes over the retained forward to build the task Jacobian, plus one
/// pass through the task-specific part. In the representation mode (`SharedPart.representation` set,
/// the MGDA-UB idea) the T passes only run through the heads, down to the shared representation, and
/// one extra pass carries the combined representation gradient through the trunk — much cheaper for
/// a big trunk, but the combination then balances gradients of the representation (summed over the
/// batch), not of the parameters.
///
/// Absent tasks: a task flagged absent in `backward`'s `present`, or without flags one whose loss is exactly 0
/// with an all-zero gradient (no labelled sample in the batch, see `TaskJacobian.presentTasks()`), takes no
/// part in the step: the method combines the other tasks' rows alone (`aggregate(_:tasks:)`), the absent task
/// gets weight 0 and its head no gradient, and with no task present there is no update.
public protocol GradientAggregator: MultiTaskMethod {
    /// Combines the rows of `jacobian` (one per task) into one direction.
    func aggregate(_ jacobian: TaskJacobian) throws -> Aggregation
    /// Combines the rows of the tasks present at this step: row k of `jacobian` is task `tasks[k]` (the
    /// others are absent), and the weights returned are one per row. Methods with per-task state or options
    /// use theirs for `tasks` only and leave the absent tasks' state untouched.
    func aggregate(_ jacobian: TaskJacobian, tasks: [Int]) throws -> Aggregation
}

extension GradientAggregator {
    /// Builds the task Jacobian of the shared part, aggregates it, gives every task-specific parameter
    /// its own task's gradient, and adds the combined direction to the shared part's gradients.
    public func backward(losses: [Tensor], shared: SharedPart, present: [Bool]?) throws -> MultiTaskStep {
        try checkLosses(losses, present: present, op: "mtl_backward")
        let targets = shared.representation.map { [$0] } ?? shared.parameters
        guard !targets.isEmpty else {
            throw PolyheadError.invalidArgument(
                op: "mtl_backward", message: "gradient methods need the shared parameters or representation")
        }
        let jacobian = try taskJacobian(losses, targets: targets)
        let tasks = present.map { flags in flags.indices.filter { flags[$0] } } ?? jacobian.presentTasks()
        let aggregation = try aggregate(jacobian, present: tasks)
        guard !tasks.isEmpty else { return MultiTaskStep(weights: aggregation.weights) }
        let total = try totalLoss(tasks.map { losses[$0] })
        if let representation = shared.representation {
            try total.backward(retainGraph: true, stoppingAt: [representation])
            try representation.backward(seed: try Tensor(aggregation.direction, shape: representation.shape))
        } else {
            try total.backward(stoppingAt: shared.parameters)
            try addDirection(aggregation.direction, to: shared.parameters)
        }
        return MultiTaskStep(weights: aggregation.weights)
    }

    /// Without per-task state or options, the present tasks' rows are combined like any Jacobian's.
    public func aggregate(_ jacobian: TaskJacobian, tasks: [Int]) throws -> Aggregation {
        try aggregate(jacobian)
    }

    /// `aggregate(_:tasks:)` on the rows of the present `tasks`, its weights spread back over every task (0 for
    /// an absent one); a zero direction when no task is present.
    /// - Throws: what `aggregate(_:tasks:)` throws, and `PolyheadError.invalidState` for a mis-sized result.
    func aggregate(_ jacobian: TaskJacobian, present tasks: [Int]) throws -> Aggregation {
        var result = Aggregation(direction: [Float](repeating: 0, count: jacobian.width),
                                 weights: [Double](repeating: 0, count: jacobian.taskCount))
        guard !tasks.isEmpty else { return result }
        let all = tasks.count == jacobian.taskCount
        let part = try aggregate(all ? jacobian : jacobian.selecting(tasks), tasks: tasks)
        guard part.direction.count == jacobian.width, part.weights.count == tasks.count else {
            throw PolyheadError.invalidState(op: "mtl_backward", message: "aggregator returned a mis-sized result")
        }
        result.direction = part.direction
        for (k, task) in tasks.enumerated() { result.weights[task] = part.weights[k] }
        return result
    }
}

/// A gradient aggregator whose combination depends on which tasks the rows belong to (per-task state or
/// options): it implements `aggregate(_:tasks:)`, and `aggregate(_:)` is that over every task.
public protocol PerTaskAggregator: GradientAggregator {}

extension PerTaskAggregator {
    /// `aggregate(_:tasks:)` with every task present.
    /// - Throws: `PolyheadError.shapeMismatch` for a Jacobian with other than `taskCount` rows, and what
    ///   `aggregate(_:tasks:)` throws.
    public func aggregate(_ jacobian: TaskJacobian) throws -> Aggregation {
        guard jacobian.taskCount == taskCount else {
            let name = (self as? any NamedMultiTaskMethod).map { type(of: $0).methodName } ?? "mtl_aggregate"
            throw PolyheadError.shapeMismatch(
                op: name, message: "expected \(taskCount) task gradients, got \(jacobian.taskCount)")
        }
        return try aggregate(jacobian, tasks: Array(0..<taskCount))
    }
}

/// One row per loss: its gradient with respect to `targets`, flattened and concatenated (the graph is
/// retained for the passes that follow).
func taskJacobian(_ losses: [Tensor], targets: [Tensor]) throws -> TaskJacobian {
    let width = targets.reduce(0) { $0 + $1.count }
    return try TaskJacobian(taskCount: losses.count, width: width, losses: try losses.map { Double(try $0.item()) }) { rows in
        for (task, loss) in losses.enumerated() {
            // One gradient per target (zeros for an unreachable one), so every entry of the row is written.
            var offset = task * width
            for gradient in try loss.gradients(withRespectTo: targets, retainGraph: true) {
                (rows.baseAddress! + offset).initialize(from: gradient.storage.pointer, count: gradient.count)
                offset += gradient.count
            }
        }
    }
}

/// Adds consecutive slices of `direction` to the gradients of `parameters` (each under its tensor's lock,
/// so that threads sharing parameters all land their updates).
func addDirection(_ direction: [Float], to parameters: [Tensor]) throws {
    var offset = 0
    for parameter in parameters {
        let slice = try direction.withUnsafeBufferPointer { d in
            try Tensor(copying: d.baseAddress! + offset, count: parameter.count, shape: parameter.shape)
        }
        try parameter.accumulateGrad(slice, adopting: true)
        offset += parameter.count
    }
}
