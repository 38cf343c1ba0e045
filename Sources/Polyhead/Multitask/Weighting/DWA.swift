/// Dynamic Weight Average (Liu, Johns, Davison, "End-to-End Multi-Task Learning with Attention", CVPR
/// 2019): each task is weighted by how slowly its epoch-average loss has been falling,
/// `wᵢ(t) = T · exp(rᵢ(t−1)/τ) / Σⱼ exp(rⱼ(t−1)/τ)` with `rᵢ(t−1) = L̄ᵢ(t−1) / L̄ᵢ(t−2)`, where `L̄ᵢ(t)` is
/// task i's training loss averaged over epoch t. The weights sum to T; they are 1 during the first two
/// epochs, before two averages exist (as the paper, LibMTL and torchjd).
///
/// The averages come from the loss values seen by `objective` (one per step) and are rolled over by
/// `endEpoch()`, which must be called once per epoch; an epoch without steps leaves the history as it
/// was. The weights are constant within an epoch.
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
    /// The epoch averages of the last two completed epochs, oldest first (at most two).
    public private(set) var epochAverages: [[Double]] = []
    private var sums: [Double]
    private var steps = 0

    /// Creates the weighting for `taskCount` tasks.
    /// - Throws: `PolyheadError.invalidArgument` unless `temperature > 0`.
    public init(taskCount: Int, temperature: Double = 2) throws {
        guard temperature > 0, !temperature.isNaN else {
            throw PolyheadError.invalidArgument(op: Self.methodName, message: "temperature must be > 0, got \(temperature)")
        }
        self.taskCount = taskCount
        self.temperature = temperature
        sums = [Double](repeating: 0, count: taskCount)
    }

    /// Creates the weighting from option `temperature`.
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        let temperature = try options.take("temperature", default: 2, in: Double.leastNonzeroMagnitude...Double.infinity)
        try self.init(taskCount: taskCount, temperature: temperature)
    }

    /// The weights of the current epoch: 1 each until two epoch averages exist, then
    /// `T · softmax(r / τ)` with `r = L̄(t−1) / L̄(t−2)`.
    public var weights: [Double] {
        guard epochAverages.count == 2 else { return [Double](repeating: 1, count: taskCount) }
        let rates = zip(epochAverages[1], epochAverages[0]).map { newer, older in
            newer / (abs(older) < WeightingMath.epsilon ? (older < 0 ? -WeightingMath.epsilon : WeightingMath.epsilon) : older)
        }
        return WeightingMath.softmax(rates.map { $0 / temperature }).map { $0 * Double(taskCount) }
    }

    /// `Σ wᵢ Lᵢ` with this epoch's weights; adds the loss values to the epoch's sums.
    /// - Throws: `PolyheadError.invalidArgument` for a non-finite loss.
    public func objective(losses: [Tensor], shared: SharedPart) throws -> (objective: Tensor, weights: [Double]) {
        try checkLosses(losses, op: Self.methodName)
        let values = try WeightingMath.values(losses, op: Self.methodName, nonNegative: false)
        let weights = weights
        let objective = try weightedSum(losses, weights)
        for i in 0..<taskCount { sums[i] += values[i] }
        steps += 1
        return (objective, weights)
    }

    /// Closes the epoch: its average loss becomes the newest of the two kept.
    public func endEpoch() {
        guard steps > 0 else { return }
        epochAverages = Array((epochAverages + [sums.map { $0 / Double(steps) }]).suffix(2))
        sums = [Double](repeating: 0, count: taskCount)
        steps = 0
    }
}
