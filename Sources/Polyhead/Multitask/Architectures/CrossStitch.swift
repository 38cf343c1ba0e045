/// Cross-stitch networks (Misra, Shrivastava, Gupta, Hebert, "Cross-stitch Networks for Multi-task
/// Learning", CVPR 2016): one column (network) per task, with a cross-stitch unit after every stage but
/// the last that replaces each task's activation by a learned linear combination of all tasks'
/// activations, `x̃_i = Σ_j α_ij x_j`.
///
/// Each unit's α (T × T) starts as the paper suggests, a convex combination favouring the task itself:
/// `selfWeight` (default 0.9) on the diagonal and `(1 − selfWeight)/(T − 1)` elsewhere.
///
/// ```swift
/// let model = try CrossStitch(columns: ["a", "b"].map { task in
///     (task, [Sequential(try Linear(8, 16), ReLU()), Sequential(try Linear(16, 16), ReLU()), try Linear(16, 1)])
/// })
/// ```
/// Every stage before the last stitch feeds all tasks through the units, so those stages and the α are
/// shared; each column's last stage belongs to its task. Parameter names:
/// `columns.<task>.<stage>.<name>` (task order, then stage order), then `stitches.<k>.alpha`.
public final class CrossStitch: MultiTaskModel {
    /// One column per task: its stages in order.
    public let columns: [(task: String, stages: [any Layer])]
    /// The units between consecutive stages (one fewer than stages).
    public let stitches: [CrossStitchUnit]

    /// Creates the network from per-task columns of equally many stages; the activations entering each
    /// unit must have one shape across tasks.
    /// - Throws: `PolyheadError.invalidArgument` for bad task names, columns of different lengths or no
    ///   stages, or `selfWeight` outside [0, 1].
    public init(columns: [(String, [any Layer])], selfWeight: Float = 0.9) throws {
        try checkTaskNames(columns.map(\.0), op: "CrossStitch")
        let depth = columns[0].1.count
        guard depth > 0, columns.allSatisfy({ $0.1.count == depth }) else {
            throw PolyheadError.invalidArgument(
                op: "CrossStitch", message: "columns need one positive number of stages, got \(columns.map(\.1.count))")
        }
        self.columns = columns.map { (task: $0.0, stages: $0.1) }
        stitches = try (0..<depth - 1).map { _ in try CrossStitchUnit(taskCount: columns.count, selfWeight: selfWeight) }
    }

    /// The task names, in order.
    public var tasks: [String] { columns.map(\.task) }

    /// The columns' stages (shared, except each column's last stage, owned by its task), then the α.
    public var ownedParameters: [OwnedParameter] {
        let last = stitches.count
        return columns.flatMap { column in
            column.stages.enumerated().flatMap { index, stage in
                owned("columns.\(column.task).\(index)", stage, task: index == last ? column.task : nil)
            }
        } + stitches.enumerated().flatMap { owned("stitches.\($0)", $1, task: nil) }
    }

    /// Runs the columns stage by stage, stitching between stages.
    public func callAsFunction(_ input: Tensor) throws -> TaskOutputs {
        var streams = try columns.map { try $0.stages[0](input) }
        for (index, stitch) in stitches.enumerated() {
            let mixed = try stitch(streams)
            streams = try zip(columns, mixed).map { try $0.stages[index + 1]($1) }
        }
        return TaskOutputs(checked: tasks, streams)
    }
}

/// A cross-stitch unit (Misra et al., CVPR 2016): `x̃_i = Σ_j α_ij x_j` with a learned (T, T) α.
public final class CrossStitchUnit: Module {
    /// The mixing matrix α, (T, T); row i holds the weights of task i's new activation.
    public let alpha: Tensor

    /// Creates a unit for `taskCount` tasks with `selfWeight` on α's diagonal and the rest of each row
    /// spread evenly over the other tasks (α = [[1]] for one task).
    /// - Throws: `PolyheadError.invalidArgument` for no tasks or `selfWeight` outside [0, 1].
    public init(taskCount: Int, selfWeight: Float = 0.9) throws {
        guard taskCount > 0, selfWeight >= 0, selfWeight <= 1 else {
            throw PolyheadError.invalidArgument(
                op: "CrossStitchUnit", message: "needs taskCount > 0 and selfWeight in [0, 1], got \(taskCount), \(selfWeight)")
        }
        let other = taskCount == 1 ? 0 : (1 - selfWeight) / Float(taskCount - 1)
        let values = (0..<taskCount * taskCount).map { $0 / taskCount == $0 % taskCount ? (taskCount == 1 ? 1 : selfWeight) : other }
        alpha = try Tensor(values, shape: [taskCount, taskCount], requiresGrad: true)
    }

    /// `alpha`.
    public var namedParameters: [(name: String, tensor: Tensor)] { [("alpha", alpha)] }

    /// Mixes one activation per task (all of one shape).
    /// - Throws: `PolyheadError.shapeMismatch` for a wrong number of activations or differing shapes.
    public func callAsFunction(_ inputs: [Tensor]) throws -> [Tensor] {
        try mixTasks(alpha, inputs, op: "CrossStitchUnit")
    }
}
