#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// MoCo — multi-objective gradient correction (Fernando, Shen, Liu, Chaudhury, Murugesan, Chen, "Mitigating
/// Gradient Bias in Multi-objective Learning: A Provably Convergent Approach", ICLR 2023). It tracks each
/// task's gradient with a moving average `yᵢ` (which removes the bias of stochastic MGDA-type weights) and
/// updates the task weights λ by a projected (here: softmax, as LibMTL) gradient step on `½ ‖Σ λᵢ yᵢ‖²`:
///
///     ĝᵢ = gᵢ / (‖gᵢ‖ + 1e-8) · Lᵢ
///     yᵢ ← yᵢ − β_k (yᵢ − ĝᵢ),                 β_k = β / k^σ_β
///     λ  ← softmax(λ − γ_k (Y Yᵀ + ρ I) λ),     γ_k = γ / k^σ_γ
///     d  = Σ λᵢ yᵢ
///
/// for step k = 1, 2, …, with y starting at 0 and λ at 1/T (both kept across steps). This follows LibMTL's
/// implementation (the authors' shared code), including the loss-scaled normalised gradients. Since `d`
/// combines tracked gradients rather than this step's, the weights reported are its effective weights on
/// this step's task gradients (least squares); MoCo's own λ is `lambda`. The state needs the shared part
/// to keep its size (see `TaskRowState`). The representation mode is refused, as in LibMTL: there a row
/// holds one gradient per sample of the batch, so `yᵢ` would average the gradients of different batches'
/// samples entry by entry, and `d` would push each sample along other samples' tracked gradients (on the
/// digits it trains to ≈ 0.7 accuracy where the parameter mode reaches ≥ 0.9).
///
/// Options (LibMTL's defaults): `beta` (0.5), `beta_sigma` (0.5), `gamma` (0.1), `gamma_sigma` (0.5),
/// `rho` (0, the ℓ2 regularisation of λ's update).
public final class MoCo: PerTaskAggregator, NamedMultiTaskMethod {
    /// `"moco"`.
    public static let methodName = "moco"
    /// The number of tasks.
    public let taskCount: Int
    /// The tracking rate β and its decay exponent σ_β.
    public let beta: Double, betaSigma: Double
    /// The weight step size γ and its decay exponent σ_γ.
    public let gamma: Double, gammaSigma: Double
    /// The ℓ2 regularisation ρ of λ's update.
    public let rho: Double
    /// MoCo's task weights λ (on the tracked gradients), kept across steps.
    public private(set) var lambda: [Double]
    private var tracked = TaskRowState()
    private var step = 0

    /// Creates the method for `taskCount` tasks.
    public init(taskCount: Int, beta: Double = 0.5, betaSigma: Double = 0.5, gamma: Double = 0.1,
                gammaSigma: Double = 0.5, rho: Double = 0) {
        self.taskCount = taskCount
        (self.beta, self.betaSigma, self.gamma, self.gammaSigma, self.rho) = (beta, betaSigma, gamma, gammaSigma, rho)
        lambda = [Double](repeating: 1 / Double(taskCount), count: taskCount)
    }

    /// Creates the method, reading `beta`, `beta_sigma`, `gamma`, `gamma_sigma` and `rho`.
    /// - Throws: `PolyheadError.invalidArgument` for an option outside its range (β in [0, 1], the others ≥ 0).
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        let big = Double.greatestFiniteMagnitude
        self.init(taskCount: taskCount,
                  beta: try options.take("beta", default: 0.5, in: 0...1),
                  betaSigma: try options.take("beta_sigma", default: 0.5, in: 0...big),
                  gamma: try options.take("gamma", default: 0.1, in: 0...1e6),
                  gammaSigma: try options.take("gamma_sigma", default: 0.5, in: 0...big),
                  rho: try options.take("rho", default: 0, in: 0...1e6))
    }

    /// Runs the gradient driver on the shared parameters.
    /// - Throws: `PolyheadError.invalidArgument` in the representation mode (see the type's summary), and
    ///   what the driver and `aggregate(_:)` throw.
    public func backward(losses: [Tensor], shared: SharedPart, present: [Bool]?) throws -> MultiTaskStep {
        try refuseRepresentationMode(shared, method: Self.methodName)
        return try GradientPass(taskCount: taskCount) { try self.aggregate($0, tasks: $1) }
            .backward(losses: losses, shared: shared, present: present)
    }

    /// Updates the tracked gradients and λ, and combines the tracked gradients.
    /// Row k of `jacobian` is task `tasks[k]`: the present tasks' tracked gradients and share of λ (rescaled
    /// to sum to 1, as MoCo on those tasks alone) are updated; an absent task's stay as they were.
    /// - Throws: `PolyheadError.shapeMismatch` when the shared part changed size since the last step.
    ///   A task gradient holding NaN or ±∞ throws `PolyheadError.invalidArgument` (before any state changes).
    public func aggregate(_ jacobian: TaskJacobian, tasks: [Int]) throws -> Aggregation {
        let taskGram = try jacobian.finiteGram(op: Self.methodName)
        if let task = jacobian.losses.firstIndex(where: { !$0.isFinite }) {
            throw PolyheadError.invalidArgument(op: Self.methodName, message: "loss \(tasks[task]) is not finite")
        }
        let t = jacobian.taskCount
        var lambda = self.lambda.restricted(to: tasks)
        let direction = try tracked.withRows(tasks, of: taskCount) { tracked -> [Float] in
            try tracked.prepare(for: jacobian, op: Self.methodName)
            step += 1
            let k = Double(step)
            let scales = (0..<t).map { jacobian.losses[$0] / (taskGram[$0][$0].squareRoot() + 1e-8) }
            let gram = tracked.moveAverageAndGram(toward: jacobian, scales: scales, keep: 1 - beta / pow(k, betaSigma))
            let rate = gamma / pow(k, gammaSigma)
            let logits = (0..<t).map { i in
                lambda[i] - rate * ((0..<t).reduce(0) { $0 + gram[i][$1] * lambda[$1] } + rho * lambda[i])
            }
            let top = logits.max() ?? 0
            let exponentials = logits.map { exp($0 - top) }
            let total = exponentials.reduce(0, +)
            if total.isFinite && total > 0 { lambda = exponentials.map { $0 / total } }
            return tracked.combination(lambda)
        }
        self.lambda.store(lambda, into: tasks)
        return Aggregation(direction: direction, weights: jacobian.effectiveWeights(of: direction, gram: taskGram))
    }
}
