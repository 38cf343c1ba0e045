#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Smooth Tchebycheff scalarisation (Lin, Zhang, Yang, Zhang, Zhang, "Smooth Tchebycheff Scalarization
/// for Multi-Objective Optimization", ICML 2024), in LibMTL's multi-task form (`STCH.py`, from the
/// authors' STCH_MTL code):
///
/// - warm-up, epochs `0 ..< W`: the objective is `Σᵢ log(Lᵢ + ε)`;
/// - epoch `W`: the same, while the losses are averaged into the nadir point `nᵢ`;
/// - from epoch `W + 1`: with `ℓᵢ = log(Lᵢ / nᵢ + ε)` and `m = maxᵢ ℓᵢ` (a constant), the objective is
///   `T · (μ · log Σᵢ exp((ℓᵢ − m) / μ) + m) = T · μ · log Σᵢ exp(ℓᵢ / μ)`, a smooth maximum of the
///   normalised log-losses. (LibMTL leaves out `+ m`; that changes the value, not the gradient.)
///
/// Epochs are counted by `endEpoch()`, which must be called once per epoch. With `W = −1` there is no
/// warm-up: the smooth maximum is used from the first step with `nᵢ = 1`. The weights reported are the
/// effective ones, `∂objective/∂Lᵢ`: `1 / (Lᵢ + ε)` during the warm-up, then
/// `T · softmax(ℓ / μ)ᵢ / (Lᵢ + ε nᵢ)` (LibMTL reports ones).
///
/// Options:
/// - `mu` μ (default 1, LibMTL's `STCH_mu`; > 0): the smoothing; the smooth maximum tends to the maximum
///   as μ → 0.
/// - `warmup_epochs` W (default 4, LibMTL's `STCH_warmup_epoch`; an integer ≥ −1).
///
/// Zero or tiny losses: ε = 1e-8 (LibMTL uses 1e-20, whose 1e20 gradients overflow float32 easily) keeps
/// every logarithm finite, and a nadir component below ε is raised to ε. Negative or non-finite losses
/// are rejected.
public final class STCH: LossWeighting, NamedMultiTaskMethod {
    /// `"stch"`; options `mu` (default 1, > 0) and `warmup_epochs` (default 4, integer ≥ −1).
    public static let methodName = "stch"
    /// The number of tasks.
    public let taskCount: Int
    /// The smoothing μ.
    public let mu: Double
    /// The warm-up length W (−1: none).
    public let warmupEpochs: Int
    /// The number of completed epochs.
    public private(set) var epoch = 0
    /// The nadir point: each `nᵢ` once fixed (`nil` before task i's first smooth-maximum step).
    public private(set) var nadir: [Double?]
    private var nadirSums: [Double]
    private var nadirSteps: [Int]

    /// Creates the method for `taskCount` tasks.
    /// - Throws: `PolyheadError.invalidArgument` unless `mu > 0` (finite) and `warmupEpochs ≥ −1`.
    public init(taskCount: Int, mu: Double = 1, warmupEpochs: Int = 4) throws {
        guard mu > 0, mu.isFinite, warmupEpochs >= -1 else {
            throw PolyheadError.invalidArgument(
                op: Self.methodName, message: "need mu > 0 and warmup_epochs ≥ -1, got \(mu), \(warmupEpochs)")
        }
        self.taskCount = taskCount
        self.mu = mu
        self.warmupEpochs = warmupEpochs
        nadirSums = [Double](repeating: 0, count: taskCount)
        nadirSteps = [Int](repeating: 0, count: taskCount)
        nadir = [Double?](repeating: warmupEpochs < 0 ? 1 : nil, count: taskCount)
    }

    /// Creates the method from options `mu` and `warmup_epochs`.
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        let mu = try options.take("mu", default: 1, in: 1e-12...1e12)
        let warmup = try options.take("warmup_epochs", default: 4, in: -1...1e9)
        guard warmup == warmup.rounded() else {
            throw PolyheadError.invalidArgument(op: Self.methodName, message: "option warmup_epochs=\(warmup) is not an integer")
        }
        try self.init(taskCount: taskCount, mu: mu, warmupEpochs: Int(warmup))
    }

    /// The warm-up log-loss sum or the smooth maximum over the present tasks, with the effective weights
    /// (an absent task's nadir statistics stay as they were).
    /// - Throws: `PolyheadError.invalidArgument` for a negative or non-finite loss.
    public func objective(losses: [Tensor], tasks: [Int], shared: SharedPart) throws -> (objective: Tensor, weights: [Double]) {
        let values = try WeightingMath.values(losses, op: Self.methodName, nonNegative: true)
        let epsilon = WeightingMath.epsilon
        if epoch <= warmupEpochs {
            if epoch == warmupEpochs {
                for (k, task) in tasks.enumerated() {
                    nadirSums[task] += values[k]
                    nadirSteps[task] += 1
                }
            }
            let objective = try (try WeightingMath.stack(losses) + Float(epsilon)).log().sum()
            return (objective, values.map { 1 / ($0 + epsilon) })
        }
        let n = zip(tasks, values).map { fixedNadir($0, current: $1) }
        let logLosses = zip(values, n).map { Glibc.log($0 / $1 + epsilon) }
        let top = logLosses.max() ?? 0, t = Double(tasks.count)
        let normalised = try (try WeightingMath.stack(losses) * WeightingMath.constant(n.map { 1 / $0 }) + Float(epsilon)).log()
        let smoothMax = try ((normalised - Float(top)) * Float(1 / mu)).exp().sum().log() * Float(mu) + Float(top)
        let shares = WeightingMath.softmax(logLosses.map { $0 / mu })
        let weights = values.indices.map { t * shares[$0] / (values[$0] + epsilon * n[$0]) }
        return (try smoothMax * Float(t), weights)
    }

    /// Counts a completed epoch.
    public func endEpoch() { epoch += 1 }

    /// Task `task`'s nadir, fixed at its first smooth-maximum step from its epoch-W average (or from its
    /// `current` loss if it had no step in epoch W), at least ε.
    private func fixedNadir(_ task: Int, current: Double) -> Double {
        if let fixed = nadir[task] { return fixed }
        let average = nadirSteps[task] > 0 ? nadirSums[task] / Double(nadirSteps[task]) : current
        let fixed = max(average, WeightingMath.epsilon)
        nadir[task] = fixed
        return fixed
    }
}
