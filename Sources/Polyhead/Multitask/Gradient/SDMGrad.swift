/// SDMGrad — stochastic direction-oriented multi-objective gradient descent (Xiao, Ban, Ji, "Direction-
/// oriented Multi-objective Learning: Simple and Provable Stochastic Algorithms", NeurIPS 2023). The
/// weights w on the simplex minimise `½ ‖G w‖² + λ ⟨G w, g₀⟩` (MGDA pulled towards the mean gradient g₀),
/// by `niter` projected steps per training step, and the update stays in a ball around the mean:
///
///     M = G Gᵀ / (mean √diag(G Gᵀ))²          (Gram matrix scaled to unit mean gradient norm, +1e-8)
///     repeat niter: w ← Π_Δ(w − 5 · m),  m ← 0.5 m + (M w + λ M 1/T)    (SGD, lr 5, momentum 0.5)
///     d = (Σ wᵢ gᵢ + λ g₀) / (1 + λ)
///
/// As LibMTL's `SDMGrad` (after the authors' code): w starts at 1/T and persists across steps (a warm
/// start); the momentum restarts every step; lr 5 and momentum 0.5 are LibMTL's fixed values.
///
/// **One batch instead of three.** LibMTL (like the paper's stochastic estimator) takes three independent
/// batches per step: two (ξ, ξ′) for an unbiased Gram matrix `G_ξ G_ξ′ᵀ` and a third (ζ) for the gradients
/// it combines. The driver here provides one batch, so the Gram matrix and the combined gradients come from
/// the same batch: the Gram estimate is biased upward by the gradient noise (its diagonal includes each
/// task's gradient variance), which leans the weights towards the mean, and a step costs T backward
/// passes instead of 3T. The weights reported are exact: `(wᵢ + λ/T) / (1 + λ)`.
///
/// Options (LibMTL's defaults): `lambda` (λ = 0.3, ≥ 0), `niter` (20 inner steps, a whole number).
public final class SDMGrad: PerTaskAggregator, NamedMultiTaskMethod {
    /// `"sdmgrad"`.
    public static let methodName = "sdmgrad"
    /// The number of tasks.
    public let taskCount: Int
    /// The pull λ towards the mean gradient.
    public let lambda: Double
    /// The inner projected steps per training step.
    public let iterations: Int
    /// The simplex weights w, kept across steps.
    public private(set) var simplexWeights: [Double]

    /// Creates the method for `taskCount` tasks.
    public init(taskCount: Int, lambda: Double = 0.3, iterations: Int = 20) {
        self.taskCount = taskCount
        self.lambda = lambda
        self.iterations = iterations
        simplexWeights = [Double](repeating: 1 / Double(taskCount), count: taskCount)
    }

    /// Creates the method, reading `lambda` and `niter`.
    /// - Throws: `PolyheadError.invalidArgument` for a negative λ or `niter` outside 0…100000 or not whole.
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        self.init(taskCount: taskCount, lambda: try options.take("lambda", default: 0.3, in: 0...1e6),
                  iterations: try options.takeIntegerOption("niter", default: 20, in: 0...100_000))
    }

    /// Runs the inner simplex steps and combines.
    /// Row k of `jacobian` is task `tasks[k]`: the steps start from the present tasks' share of w (rescaled
    /// to sum to 1, as SDMGrad on those tasks alone); an absent task's entry of w stays as it was.
    /// - Throws: `PolyheadError.invalidArgument` for a task gradient holding NaN or ±∞.
    public func aggregate(_ jacobian: TaskJacobian, tasks: [Int]) throws -> Aggregation {
        let t = jacobian.taskCount
        var gram = try jacobian.finiteGram(op: Self.methodName)
        let scale = (0..<t).reduce(0.0) { $0 + max(gram[$1][$1], 0).squareRoot() } / Double(t)
        for i in 0..<t { for j in 0..<t { gram[i][j] /= scale * scale + 1e-8 } }
        let pull = matrixVector(gram, [Double](repeating: lambda / Double(t), count: t))
        var w = simplexWeights.restricted(to: tasks)
        if gram.allSatisfy({ $0.allSatisfy(\.isFinite) }) {
            var momentum: [Double]? = nil
            for _ in 0..<iterations {
                let gradient = zip(matrixVector(gram, w), pull).map { $0 + $1 }
                let buffer = momentum.map { zip($0, gradient).map { 0.5 * $0 + $1 } } ?? gradient
                momentum = buffer
                w = projectOntoSimplex(zip(w, buffer).map { $0 - 5 * $1 })
            }
            simplexWeights.store(w, into: tasks)
        }
        let weights = w.map { ($0 + lambda / Double(t)) / (1 + lambda) }
        return Aggregation(direction: jacobian.combination(weights), weights: weights)
    }
}
