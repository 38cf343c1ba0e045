/// Progressive Layered Extraction (Tang, Liu, Zhao, Gong, RecSys 2020, §4.2): stacked extraction levels
/// (shared and per-task experts with gates, as in `CGC`), where inner levels also have a shared gate
/// over all experts whose mixture feeds the next level's shared experts, and each task's mixture feeds
/// the next level's experts and gate of that task. Towers read the last level's task mixtures.
///
/// Experts come from `expertFactory(inputWidth)`: `inputSize` on the first level, `expertSize` (the
/// experts' output width, which the mixtures keep) on later ones.
/// ```swift
/// let model = try PLE(inputSize: 32, expertSize: 16, levels: 2, sharedExperts: 2, taskExperts: 1,
///                     towers: try ["a", "b"].map { ($0, try Linear(16, 1)) }) { width in
///     Sequential(try Linear(width, 16), ReLU())
/// }
/// ```
/// Creation order (this fixes the random initial values): the towers (made by the caller), then per
/// level the shared experts, each task's experts, the task gates and the shared gate.
///
/// Partition: task k owns its tower, its experts and gate on the last level, and its gate on the level
/// before (whose mixture only reaches task k's last-level experts and gate); everything else reaches
/// several tasks through a shared gate and is shared. Parameter names: `levels.<l>.shared_experts.…`,
/// `levels.<l>.task_experts.<task>.…`, `levels.<l>.task_gates.<task>.…`, `levels.<l>.shared_gate.…`,
/// then `towers.<task>.<name>`.
public final class PLE: MultiTaskModel {
    /// The extraction levels, first to last (the last has no shared gate).
    public let levels: [ExtractionLevel]
    /// One tower per task, reading the last level's (N, expertSize) mixture.
    public let towers: [(task: String, tower: any Layer)]

    /// Creates the model; the order of `towers` is the task order.
    /// - Parameters:
    ///   - inputSize: the width of the input.
    ///   - expertSize: the width of every expert's output.
    ///   - levels: the number of extraction levels (≥ 1; 1 is CGC).
    ///   - sharedExperts: shared experts per level (≥ 0).
    ///   - taskExperts: experts per task per level (≥ 0; with the shared ones at least 1).
    ///   - towers: one tower per task.
    ///   - expertFactory: makes one expert for the given input width.
    /// - Throws: `PolyheadError.invalidArgument` for bad counts or task names; what the factory throws.
    public init(
        inputSize: Int, expertSize: Int, levels: Int = 2, sharedExperts: Int = 1, taskExperts: Int = 1,
        towers: [(String, any Layer)], expertFactory: (_ inputWidth: Int) throws -> any Layer
    ) throws {
        try checkTaskNames(towers.map(\.0), op: "PLE")
        guard levels >= 1, sharedExperts >= 0, taskExperts >= 0, sharedExperts + taskExperts >= 1,
              inputSize > 0, expertSize > 0 else {
            throw PolyheadError.invalidArgument(
                op: "PLE", message: "needs levels >= 1, expert counts >= 0 with at least one expert per task and "
                    + "positive sizes, got levels=\(levels), sharedExperts=\(sharedExperts), "
                    + "taskExperts=\(taskExperts), inputSize=\(inputSize), expertSize=\(expertSize)")
        }
        self.towers = towers.map { (task: $0.0, tower: $0.1) }
        self.levels = try (0..<levels).map { level in
            let width = level == 0 ? inputSize : expertSize
            let shared = try (0..<sharedExperts).map { _ in try expertFactory(width) }
            let own = try towers.map { tower in (tower.0, try (0..<taskExperts).map { _ in try expertFactory(width) }) }
            return try ExtractionLevel(inputSize: width, sharedExperts: shared, taskExperts: own,
                                       sharedGate: level < levels - 1)
        }
    }

    /// The task names, in order.
    public var tasks: [String] { towers.map(\.task) }

    /// Every level's parameters (see the partition above), then the towers (their task's).
    public var ownedParameters: [OwnedParameter] {
        let last = levels.count - 1
        return levels.enumerated().flatMap { index, level in
            level.ownedParameters(prefix: "levels.\(index)", tasksOwnExperts: index == last,
                                  tasksOwnGates: index >= last - 1)
        } + towers.flatMap { owned("towers.\($0.task)", $0.tower, task: $0.task) }
    }

    /// Runs the levels from the input (every stream starts as `input`), then the towers.
    public func callAsFunction(_ input: Tensor) throws -> TaskOutputs {
        var taskStreams = Array(repeating: input, count: towers.count)
        var sharedStream = input
        for level in levels {
            let (mixtures, shared) = try level(taskInputs: taskStreams, sharedInput: sharedStream)
            taskStreams = mixtures
            if let shared { sharedStream = shared }
        }
        return TaskOutputs(checked: tasks, try zip(towers, taskStreams).map { try $0.tower($1) })
    }
}
