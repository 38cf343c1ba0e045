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
/// As LibMTL's `DB_MTL`, the whole step runs on the log-losses: the task Jacobian is taken of
/// `log(Lᵢ + 1e-8)` and the task-specific parameters (heads) get the gradient of their own log-loss,
/// `∇ log Lᵢ = ∇Lᵢ / (Lᵢ + 1e-8)` — the loss-scale balance applies to them too. The weights reported are the
/// effective weights of `d` on this step's task gradients `gᵢ` (least squares), since the moving average
/// carries earlier steps. The state needs the shared part to keep its size (see `TaskRowState`). The
/// representation mode is refused, as in LibMTL: `d` combines the moving averages, whose rows there would
/// mix different batches' samples entry by entry (`refuseRepresentationMode`). Losses must be positive (the method takes their logarithm); a loss at or below −1e-8 is
/// refused.
///
/// Options (LibMTL's defaults): `beta` (β = 0.9, in [0, 1]), `beta_sigma` (σ = 0, LibMTL's `DB_beta_sigma`).
public final class DBMTL: PerTaskAggregator, NamedMultiTaskMethod {
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

    /// Runs the gradient driver on the log-losses `log(Lᵢ + 1e-8)`: heads get their log-loss gradient, the
    /// shared part the balanced moving average.
    /// - Throws: `PolyheadError.invalidArgument` in the representation mode and for a loss not above −1e-8
    ///   (or not finite), besides the driver's errors.
    public func backward(losses: [Tensor], shared: SharedPart, present: [Bool]?) throws -> MultiTaskStep {
        try refuseRepresentationMode(shared, method: Self.methodName)
        try checkLosses(losses, present: present, op: "mtl_backward")
        let values = try losses.map { Double(try $0.item()) }
        try checkLogarithm(values)
        // log(Lᵢ + 1e-8) − log(1e-8) (the same op on the same float, so exactly 0 at Lᵢ = 0): the gradient of
        // log(Lᵢ + 1e-8), and a task without labelled samples stays absent (loss and row 0) from its Jacobian.
        let offset = try Tensor([Float(1e-8)], shape: [1]).log().item()
        let logLosses = try losses.map { try ($0 + Float(1e-8)).log() - offset }
        return try GradientPass(taskCount: taskCount) { logJacobian, tasks in
            let direction = try self.balance(logJacobian, scales: [Double](repeating: 1, count: tasks.count), tasks: tasks)
            // Least-squares coefficients on ∇log Lᵢ = gᵢ/(Lᵢ + 1e-8), expressed on gᵢ.
            let present = tasks.map { values[$0] }
            let weights = zip(logJacobian.effectiveWeights(of: direction), present).map { $0 / ($1 + 1e-8) }
            return Aggregation(direction: direction, weights: weights)
        }.backward(losses: logLosses, shared: shared, present: present)
    }

    /// The DB-MTL update of the task gradients in `jacobian` with its loss values (the log-loss gradients
    /// are `gᵢ / (Lᵢ + 1e-8)`), for direct use on a Jacobian.
    /// - Throws: `PolyheadError.invalidArgument` for a loss not above −1e-8 (or not finite);
    ///   `PolyheadError.shapeMismatch` when the shared part changed size since the last step.
    ///   A task gradient holding NaN or ±∞ throws `PolyheadError.invalidArgument` (before any state changes).
    /// Row k of `jacobian` is task `tasks[k]`: only the present tasks' averages move.
    public func aggregate(_ jacobian: TaskJacobian, tasks: [Int]) throws -> Aggregation {
        try checkLogarithm(jacobian.losses)
        let direction = try balance(jacobian, scales: jacobian.losses.map { 1 / ($0 + 1e-8) }, tasks: tasks)
        return Aggregation(direction: direction, weights: jacobian.effectiveWeights(of: direction))
    }

    /// Moves the averages towards `scales[i] · rowᵢ` (the log-loss gradients) and balances them to the
    /// largest norm.
    private func balance(_ jacobian: TaskJacobian, scales: [Double], tasks: [Int]) throws -> [Float] {
        _ = try jacobian.finiteGram(op: Self.methodName)
        return try averages.withRows(tasks, of: taskCount) { averages in
            try averages.prepare(for: jacobian, op: Self.methodName)
            step += 1
            averages.moveAverage(toward: jacobian, scales: scales, keep: beta / pow(Double(step), betaSigma))
            let norms = (0..<tasks.count).map { averages.dot($0, $0).squareRoot() }
            let largest = norms.max() ?? 0
            return averages.combination(norms.map { largest / ($0 + 1e-8) })
        }
    }

    private func checkLogarithm(_ losses: [Double]) throws {
        if let task = losses.indices.first(where: { !(losses[$0] + 1e-8 > 0) || !losses[$0].isFinite }) {
            throw PolyheadError.invalidArgument(
                op: Self.methodName, message: "DB-MTL takes the logarithm of each loss; loss \(task) is \(losses[task])")
        }
    }
}
