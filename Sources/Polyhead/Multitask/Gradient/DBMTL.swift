#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// DB-MTL — dual-balancing multi-task learning (Lin, Jiang, Ye, Zhang, Chen, Chen, Liu, Tsang, Kwok,
/// "Dual-Balancing for Multi-Task Learning", arXiv 2308.12029, 2023). Two balances in one step:
/// - **loss scale**: each task follows the gradient of `log Lᵢ`, i.e. `gᵢ / Lᵢ` (LibMTL: `log(Lᵢ + 1e-8)`,
///   so `gᵢ / (Lᵢ + 1e-8)`), using the step's loss values;
/// - **gradient magnitude**: the log-loss gradients are smoothed by an exponential moving average
///   `ĝᵢ ← β_k ĝᵢ + (1 − β_k) gᵢ/(Lᵢ + 1e-8)`, `β_k = β / k^σ` at step k (ĝ starts at 0 and persists), and every
///   task is rescaled to the largest smoothed norm: `d = Σ (maxⱼ ‖ĝⱼ‖ / (‖ĝᵢ‖ + 1e-8)) ĝᵢ`.
///
/// As LibMTL's `DB_MTL`. The weights reported are the effective weights of `d` on this step's task
/// gradients (least squares), since the moving average carries earlier steps. The state needs the shared
/// part to keep its size (see `TaskRowState`); unlike LibMTL the representation mode is allowed under
/// that rule. Losses must be positive (the method takes their logarithm); a loss at or below −1e-8 is
/// refused.
///
/// Options (LibMTL's defaults): `beta` (β = 0.9, in [0, 1]), `beta_sigma` (σ = 0, LibMTL's `DB_beta_sigma`).
public final class DBMTL: GradientAggregator, NamedMultiTaskMethod {
    /// `"dbmtl"`.
    public static let methodName = "dbmtl"
    /// The number of tasks.
    public let taskCount: Int
    /// The moving-average rate β and its decay exponent σ.
    public let beta: Double, betaSigma: Double
    private var averages = TaskRowState()
    private var step = 0

    /// Creates the method for `taskCount` tasks.
    public init(taskCount: Int, beta: Double = 0.9, betaSigma: Double = 0) {
        self.taskCount = taskCount
        (self.beta, self.betaSigma) = (beta, betaSigma)
    }

    /// Creates the method, reading `beta` and `beta_sigma`.
    /// - Throws: `PolyheadError.invalidArgument` for β outside [0, 1] or a negative σ.
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        self.init(taskCount: taskCount, beta: try options.take("beta", default: 0.9, in: 0...1),
                  betaSigma: try options.take("beta_sigma", default: 0, in: 0...Double.greatestFiniteMagnitude))
    }

    /// Updates the moving averages of the log-loss gradients and balances them to the largest norm.
    /// - Throws: `PolyheadError.invalidArgument` for a loss that is not above −1e-8 (or not finite);
    ///   `PolyheadError.shapeMismatch` when the shared part changed size since the last step.
    public func aggregate(_ jacobian: TaskJacobian) throws -> Aggregation {
        if let task = jacobian.losses.indices.first(where: { !(jacobian.losses[$0] + 1e-8 > 0) || !jacobian.losses[$0].isFinite }) {
            throw PolyheadError.invalidArgument(
                op: Self.methodName, message: "DB-MTL takes the logarithm of each loss; loss \(task) is \(jacobian.losses[task])")
        }
        try averages.prepare(for: jacobian, op: Self.methodName)
        step += 1
        averages.moveAverage(toward: jacobian, scales: jacobian.losses.map { 1 / ($0 + 1e-8) },
                             keep: beta / pow(Double(step), betaSigma))
        let norms = (0..<taskCount).map { averages.dot($0, $0).squareRoot() }
        let largest = norms.max() ?? 0
        let direction = averages.combination(norms.map { largest / ($0 + 1e-8) })
        return Aggregation(direction: direction, weights: jacobian.effectiveWeights(of: direction))
    }
}
