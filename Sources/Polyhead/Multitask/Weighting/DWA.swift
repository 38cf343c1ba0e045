/// Dynamic Weight Average (Liu, Johns, Davison, "End-to-End Multi-Task Learning with Attention", CVPR
/// 2019): each task is weighted by how slowly its epoch-average loss has been falling,
/// `wᵢ(t) = T · exp(rᵢ(t−1)/τ) / Σⱼ exp(rⱼ(t−1)/τ)` with `rᵢ(t−1) = L̄ᵢ(t−1) / L̄ᵢ(t−2)`, where `L̄ᵢ(t)` is
/// task i's training loss averaged over epoch t. The weights sum to T; they are 1 during the first two
/// epochs, before two averages exist (as the paper, LibMTL and torchjd).
///
/// The averages come from the loss values seen by `objective` (one per step) and are rolled over by
/// `endEpoch()`, which must be called once per epoch; an epoch without steps leaves the history as it
/// was, and so does, for one task, an epoch where it was always absent (no labelled sample). The weights
/// are constant within an epoch; with absent tasks they are those of the present tasks alone.
///
/// Options:
/// - `temperature` τ (default 2, as the paper, LibMTL and torchjd; > 0): larger values make the weights
///   more uniform.
///
/// Zero or tiny losses: a previous average of magnitude below ε = 1e-8 is replaced by ±ε in the ratio,
/// and the softmax subtracts its maximum, so the weights stay finite (a task whose loss rose from 0 takes
/// nearly all of the weight T). Losses may be negative, as long as each keeps one sign (the ratio is the
/// paper's "descending rate"); non-finite losses are rejected.
public final class DWA: LossWeighting, NamedMultiTaskMethod {
    /// `"dwa"`; option `temperature` (default 2, > 0).
    public static let methodName = "dwa"
    /// The number of tasks.
    public let taskCount: Int
    /// The softmax temperature τ.
    public let temperature: Double
    /// Each task's epoch averages over its last two completed epochs with steps, oldest first (at most two).
    public private(set) var epochAverages: [[Double]]
    private var sums: [Double]
    private var steps: [Int]

    /// Creates the weighting for `taskCount` tasks.
    /// - Throws: `PolyheadError.invalidArgument` unless `temperature > 0`.
    public init(taskCount: Int, temperature: Double = 2) throws {
        guard temperature > 0, !temperature.isNaN else {
            throw PolyheadError.invalidArgument(op: Self.methodName, message: "temperature must be > 0, got \(temperature)")
        }
        self.taskCount = taskCount
        self.temperature = temperature
        epochAverages = [[Double]](repeating: [], count: taskCount)
        sums = [Double](repeating: 0, count: taskCount)
        steps = [Int](repeating: 0, count: taskCount)
    }

    /// Creates the weighting from option `temperature`.
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        let temperature = try options.take("temperature", default: 2, in: Double.leastNonzeroMagnitude...Double.infinity)
        try self.init(taskCount: taskCount, temperature: temperature)
    }

    /// The weights of the current epoch when every task is present.
    public var weights: [Double] { weights(of: Array(0..<taskCount)) }

    /// The weights of `tasks`: 1 each until every one of them has two epoch averages, then
    /// `tasks.count · softmax(r / τ)` with `r = L̄(t−1) / L̄(t−2)`.
    private func weights(of tasks: [Int]) -> [Double] {
        guard tasks.allSatisfy({ epochAverages[$0].count == 2 }) else { return [Double](repeating: 1, count: tasks.count) }
        let rates = tasks.map { task -> Double in
            let (older, newer) = (epochAverages[task][0], epochAverages[task][1])
            return newer / (abs(older) < WeightingMath.epsilon ? (older < 0 ? -WeightingMath.epsilon : WeightingMath.epsilon) : older)
        }
        return WeightingMath.softmax(rates.map { $0 / temperature }).map { $0 * Double(tasks.count) }
    }

    /// `Σ wᵢ Lᵢ` over the present tasks with this epoch's weights; adds their loss values to the epoch's sums.
    /// - Throws: `PolyheadError.invalidArgument` for a non-finite loss.
    public func objective(losses: [Tensor], tasks: [Int], shared: SharedPart) throws -> (objective: Tensor, weights: [Double]) {
        let values = try WeightingMath.values(losses, op: Self.methodName, nonNegative: false)
        let weights = weights(of: tasks)
        let objective = try weightedSum(losses, weights)
        for (k, task) in tasks.enumerated() {
            sums[task] += values[k]
            steps[task] += 1
        }
        return (objective, weights)
    }

    /// Closes the epoch: each task's average loss over the epoch's steps where it was present becomes its
    /// newest of the two kept (a task without such steps keeps its history).
    public func endEpoch() {
        for task in 0..<taskCount where steps[task] > 0 {
            epochAverages[task] = Array((epochAverages[task] + [sums[task] / Double(steps[task])]).suffix(2))
        }
        sums = [Double](repeating: 0, count: taskCount)
        steps = [Int](repeating: 0, count: taskCount)
    }
}
