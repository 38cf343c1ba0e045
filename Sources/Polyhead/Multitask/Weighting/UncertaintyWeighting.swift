#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Uncertainty weighting (Kendall, Gal, Cipolla, "Multi-Task Learning Using Uncertainty to Weigh Losses
/// for Scene Geometry and Semantics", CVPR 2018): each task has a learnable log-variance `sᵢ = log σᵢ²`
/// (the tensor `logVariances`, listed in `parameters` so the optimizer updates it with the model), and
/// the objective is the paper's negative log-likelihood with `log σᵢ = sᵢ / 2`:
///
/// - classification task (softmax with temperature σ², the paper's eq. 10): `exp(−sᵢ)·Lᵢ + ½·sᵢ`;
/// - regression task (Gaussian likelihood, eq. 7): `½·exp(−sᵢ)·Lᵢ + ½·sᵢ`.
///
/// The weights reported are the loss coefficients, `exp(−sᵢ)` and `½·exp(−sᵢ)`. At the optimum of a
/// regression term `exp(sᵢ) = Lᵢ` (σᵢ² is the mean squared error); of a classification term
/// `exp(sᵢ) = 2Lᵢ`.
///
/// Other implementations: LibMTL (`UW.py`) and torchjd (`UW`) use the regression form for every task
/// (set every `regression<i>`), LibMTL starting from s = −0.5 and torchjd from 0; the authors' example
/// (yaringal) uses `exp(−s)·L + s`, twice the regression form — same optimum, and the same trajectory
/// under Adam, which is invariant to that factor.
///
/// Options:
/// - `initial_log_variance` (default 0, in −30…30): the starting value of every `sᵢ` (0 gives σᵢ = 1 and
///   weight 1 for a classification task, ½ for a regression task).
/// - `regression0`, `regression1`, … (flags, default 0): use the regression form for that task.
///
/// Zero or tiny losses are harmless here (the objective never divides by a loss).
public final class UncertaintyWeighting: LossWeighting, NamedMultiTaskMethod {
    /// `"uncertainty"`; options `initial_log_variance` (default 0) and `regression<i>` (flags, default 0).
    public static let methodName = "uncertainty"
    /// The number of tasks.
    public let taskCount: Int
    /// The learnable log-variances `sᵢ = log σᵢ²`, shape `(T,)`.
    public let logVariances: Tensor
    /// Which tasks use the regression form (the ½ factor on `exp(−sᵢ)·Lᵢ`).
    public let isRegression: [Bool]

    /// Creates the weighting for `taskCount` tasks with every `sᵢ = initialLogVariance`; `regression`
    /// marks the regression tasks (default: none).
    /// - Throws: `PolyheadError.invalidArgument` for a non-finite initial value or a `regression` list
    ///   whose length is not `taskCount`.
    public init(taskCount: Int, initialLogVariance: Double = 0, regression: [Bool]? = nil) throws {
        let regression = regression ?? [Bool](repeating: false, count: taskCount)
        guard taskCount >= 1, regression.count == taskCount, initialLogVariance.isFinite else {
            throw PolyheadError.invalidArgument(
                op: Self.methodName, message: "need ≥ 1 task, one regression flag per task and a finite initial "
                    + "log-variance; got \(taskCount) tasks, \(regression.count) flags, \(initialLogVariance)")
        }
        self.taskCount = taskCount
        isRegression = regression
        logVariances = try Tensor.full([taskCount], Float(initialLogVariance), requiresGrad: true)
    }

    /// Creates the weighting from options `initial_log_variance` and `regression<i>`.
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        let initial = try options.take("initial_log_variance", default: 0, in: -30...30)
        let flags = try options.takeVector("regression", count: taskCount, default: 0)
        try self.init(taskCount: taskCount, initialLogVariance: initial, regression: flags.map { $0 != 0 })
    }

    /// The log-variances.
    public var parameters: [Tensor] { [logVariances] }

    /// The coefficient of `exp(−sᵢ)·Lᵢ`: ½ for regression tasks, 1 otherwise.
    private var lossFactors: [Double] { isRegression.map { $0 ? 0.5 : 1 } }

    /// The current loss coefficients `factorᵢ · exp(−sᵢ)`.
    public var weights: [Double] {
        zip(lossFactors, logVariances.scalars).map { $0 * Glibc.exp(-Double($1)) }
    }

    /// `Σ factorᵢ·exp(−sᵢ)·Lᵢ + ½·sᵢ` over the present tasks, recorded through both the losses and their
    /// log-variances (an absent task's `sᵢ` gets no gradient).
    public func objective(losses: [Tensor], tasks: [Int], shared: SharedPart) throws -> (objective: Tensor, weights: [Double]) {
        let s = tasks.count == taskCount ? logVariances : try logVariances.indexSelect(tasks)
        let precision = try (s * -1).exp()
        let factors = tasks.map { lossFactors[$0] }
        let scaledLosses = try precision * WeightingMath.stack(losses) * WeightingMath.constant(factors)
        let objective = try (scaledLosses + s * 0.5).sum()
        let weights = self.weights
        return (objective, tasks.map { weights[$0] })
    }
}
