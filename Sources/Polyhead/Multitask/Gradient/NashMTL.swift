#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Nash-MTL — multi-task learning as a bargaining game (Navon, Shamsian, Achituve, Maron, Kawaguchi,
/// Chechik, Fetaya, "Multi-Task Learning as a Bargaining Game", ICML 2022). The update `d = Σ αₜ gₜ`
/// is the Nash bargaining solution: `α > 0` solves `(G Gᵀ) α = 1/α` elementwise, i.e. `gₜᵀd = 1/αₜ`.
/// It is invariant to rescaling any one task (`gₜ → cₜgₜ` gives `αₜ → αₜ/cₜ` and the same `d`), and
/// `‖d‖² = αᵀMα = T` at the solution.
///
/// Solver (no cvxpy/ECOS): with `nₜ = ‖gₜ‖` and `α = β/n`, the system becomes `Cβ = 1/β` for the
/// correlation matrix `C = D⁻¹MD⁻¹` (exactly scale-invariant); that is the stationarity condition of the
/// strictly convex, self-concordant `f(β) = ½ βᵀ(C + εI)β − Σ log βₜ`, minimised by damped Newton in
/// Double (backtracking line search while the Newton decrement is ≥ ¼, full steps after, an exact
/// rescaling along the ray after each step) from the previous step's solution (warm start, like
/// LibMTL's). `optim_niter` bounds the Newton iterations per solve (LibMTL: iterations of its sequence
/// of convex problems); well-conditioned systems converge in about 5. The ridge `ε = 1e-12` only matters
/// when no solution exists — no direction improves every task, e.g. exactly opposite gradients — where
/// it yields large equal weights whose combination (nearly) cancels instead of diverging. A task whose
/// gradient is zero (norm ≤ 1e-30, below anything float32 training produces) gets weight 0 — its
/// equation has no solution — and is left out of the system.
///
/// As LibMTL: the weights are recomputed every `update_weights_every` steps and reused in between (the
/// task Jacobian is still built on those steps); `max_norm > 0` clips the norm of the combined shared
/// direction `d` to `max_norm` (LibMTL clips the shared parameters' gradients after backward, which
/// equals this when they start from zero; in representation mode this clips the representation
/// gradient; the heads are never clipped). Weights: the exact coefficients of the clipped `d`, i.e. α
/// times the clip factor (torchjd does the same; LibMTL logs α before clipping). LibMTL solves on
/// `M / ‖M‖_F`, which scales α and `d` by `√‖M‖_F`; with the default clipping that only changes steps
/// whose `√T`-norm direction is not clipped.
///
/// The heads receive their own unweighted task gradients (the driver's rule), whereas the official
/// code back-propagates `Σ αₜ Lₜ` into the heads too.
public final class NashMTL: PerTaskAggregator, NamedMultiTaskMethod {
    /// `"nash_mtl"`; options `optim_niter` (default 20, 1…10000), `update_weights_every` (default 1,
    /// 1…1000000), `max_norm` (default 1, ≥ 0; 0 disables clipping).
    public static let methodName = "nash_mtl"
    /// The number of tasks.
    public let taskCount: Int
    /// Maximum Newton iterations per solve.
    public let optimIterations: Int
    /// Recompute the weights every this many steps.
    public let updateWeightsEvery: Int
    /// Clip the direction's norm to this (0: no clipping).
    public let maxNorm: Double
    /// Steps taken so far.
    private(set) var step = 0
    /// The last solution (before clipping), reused between updates and as the warm start.
    private(set) var alpha: [Double]?

    /// Creates the method.
    /// - Throws: `PolyheadError.invalidArgument` for counts below 1 or a negative or non-finite `maxNorm`.
    public init(taskCount: Int, optimIterations: Int = 20, updateWeightsEvery: Int = 1, maxNorm: Double = 1) throws {
        guard optimIterations >= 1, updateWeightsEvery >= 1, maxNorm >= 0, maxNorm.isFinite else {
            throw PolyheadError.invalidArgument(
                op: Self.methodName, message: "need optim_niter ≥ 1, update_weights_every ≥ 1 and finite max_norm ≥ 0, "
                    + "got \(optimIterations), \(updateWeightsEvery), \(maxNorm)")
        }
        self.taskCount = taskCount
        self.optimIterations = optimIterations
        self.updateWeightsEvery = updateWeightsEvery
        self.maxNorm = maxNorm
    }

    /// Creates the method from options `optim_niter`, `update_weights_every` and `max_norm`.
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        try self.init(taskCount: taskCount,
                      optimIterations: try options.takeIntegerOption("optim_niter", default: 20, in: 1...10_000),
                      updateWeightsEvery: try options.takeIntegerOption("update_weights_every", default: 1, in: 1...1_000_000),
                      maxNorm: try options.take("max_norm", default: 1, in: 0...Double.greatestFiniteMagnitude))
    }

    /// The (clipped) bargaining direction; advances the step counter. Row k of `jacobian` is task `tasks[k]`:
    /// the present tasks' part of the last solution is the warm start (or, between updates, the weights), and
    /// only their part is replaced.
    /// - Throws: `PolyheadError.invalidArgument` when a task gradient is not finite.
    public func aggregate(_ jacobian: TaskJacobian, tasks: [Int]) throws -> Aggregation {
        let gram = try jacobian.finiteGram(op: Self.methodName)
        let previous = alpha.map { alpha in tasks.map { alpha[$0] } }
        var weights: [Double]
        if let previous, step % updateWeightsEvery != 0 {
            weights = previous
        } else {
            weights = Self.bargainingWeights(gram, iterations: optimIterations, warmStart: previous)
            var solution = alpha ?? [Double](repeating: 0, count: taskCount)
            for (k, task) in tasks.enumerated() { solution[task] = weights[k] }
            alpha = solution
        }
        step += 1
        let norm = max(MGDA.quadratic(gram, weights), 0).squareRoot()
        if maxNorm > 0, norm > maxNorm { weights = weights.map { $0 * maxNorm / norm } }
        return Aggregation(direction: jacobian.combination(weights), weights: weights)
    }

    /// `α > 0` with `M α ≈ 1/α` on the tasks with a gradient norm above 1e-30 (0 for the others), by damped
    /// Newton on the correlation form; `warmStart` is a previous α (used when positive where needed).
    static func bargainingWeights(_ gram: [[Double]], iterations: Int, warmStart: [Double]?) -> [Double] {
        let active = gram.indices.filter { gram[$0][$0] > 1e-60 }
        var alpha = [Double](repeating: 0, count: gram.count)
        guard !active.isEmpty else { return alpha }
        let norms = active.map { gram[$0][$0].squareRoot() }
        let c = active.indices.map { a in
            active.indices.map { b in gram[active[a]][active[b]] / (norms[a] * norms[b]) + (a == b ? 1e-12 : 0) }
        }
        let start = warmStart.map { w in active.indices.map { w[active[$0]] * norms[$0] } }
        let beta = solveBargaining(c, iterations: iterations,
                                   start: start.flatMap { s in s.allSatisfy { $0 > 0 && $0.isFinite } ? s : nil })
        for (k, task) in active.enumerated() { alpha[task] = beta[k] / norms[k] }
        return alpha
    }

    /// Minimises `½ βᵀCβ − Σ log β` (C positive definite, unit-ish diagonal) by damped Newton.
    static func solveBargaining(_ c: [[Double]], iterations: Int, start: [Double]?) -> [Double] {
        let t = c.count
        func quadratic(_ b: [Double]) -> Double { zip(b, matrixVector(c, b)).reduce(0.0) { $0 + $1.0 * $1.1 } }
        func objective(_ b: [Double]) -> Double { 0.5 * quadratic(b) - b.reduce(0.0) { $0 + log($1) } }
        // The best point on a ray: ½ s² bᵀCb − T log s is least at s = √(T / bᵀCb).
        func rescaled(_ b: [Double]) -> [Double] {
            let q = quadratic(b)
            return q > 0 && q.isFinite ? b.map { $0 * (Double(t) / q).squareRoot() } : b
        }
        var beta = rescaled(start ?? [Double](repeating: 1, count: t))
        for _ in 0..<iterations {
            let cb = matrixVector(c, beta)
            let gradient = (0..<t).map { cb[$0] - 1 / beta[$0] }
            var hessian = c
            for i in 0..<t { hessian[i][i] += 1 / (beta[i] * beta[i]) }
            let newton = solveSymmetric(hessian, gradient.map { -$0 })
            let slope = zip(gradient, newton).reduce(0.0) { $0 + $1.0 * $1.1 }  // −λ²
            let decrement = max(-slope, 0).squareRoot()
            guard decrement.isFinite, decrement > 1e-10 else { break }
            var size = 1.0
            if decrement >= 0.25 {
                let damped = 1 / (1 + decrement)  // always feasible and decreasing (self-concordance)
                let current = objective(beta)
                while size > damped {
                    let trial = zip(beta, newton).map { $0 + size * $1 }
                    if trial.allSatisfy({ $0 > 0 }), objective(trial) <= current + 0.25 * size * slope { break }
                    size *= 0.5
                }
                size = max(size, damped)
            }
            let next = zip(beta, newton).map { $0 + size * $1 }
            guard next.allSatisfy({ $0 > 0 && $0.isFinite }) else { break }
            beta = rescaled(next)
        }
        return beta
    }
}
