#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// FairGrad — fair resource allocation between tasks (Ban & Ji, "Fair Resource Allocation in Multi-Task
/// Learning", ICML 2024). The update `d = Σ wᵢ gᵢ` gives every task an α-fair share of the progress: the
/// weights solve the nonlinear system
///
///     (G w)ᵢ = gᵢ·d = wᵢ^(−1/α),   w > 0,   G = J Jᵀ,
///
/// (α = 1 is proportional fairness, Nash-MTL's system; α → ∞ approaches max-min fairness). LibMTL solves it
/// with scipy's `least_squares` from w = 1/T; here it is solved in Double by damped Newton steps on the
/// strictly convex function `½ wᵀGw + Σ h(wᵢ)` whose gradient is the system (`h′(w) = −w^(−1/α)`), after
/// scaling G to unit largest diagonal (the solution scales back exactly as `s^(−α/(1+α))`). The weights
/// reported are the exact wᵢ.
///
/// Degenerate cases, where the system has no positive solution: a task whose gradient is zero (or below
/// 1e-10 of the largest in norm) gets weight 0 — it adds nothing to the update; and a tiny ridge (1e-10 of
/// the largest diagonal) on G makes the system solvable when the gradients cancel (e.g. exactly opposite
/// ones), whose limit has large weights on a small update — LibMTL's solver would stop somewhere on that
/// same ray.
///
/// Unlike LibMTL, which back-propagates `Σ wᵢ Lᵢ` so that the task heads are weighted too, the heads here
/// get their own task's gradient, as with every gradient method.
///
/// Option: `alpha` (α, LibMTL's default 1.0, in [0.01, 100]).
public final class FairGrad: GradientAggregator, NamedMultiTaskMethod {
    /// `"fairgrad"`.
    public static let methodName = "fairgrad"
    /// The number of tasks.
    public let taskCount: Int
    /// The fairness parameter α.
    public let alpha: Double

    /// Creates the method for `taskCount` tasks with fairness `alpha`.
    public init(taskCount: Int, alpha: Double = 1) {
        self.taskCount = taskCount
        self.alpha = alpha
    }

    /// Creates the method, reading `alpha`.
    /// - Throws: `PolyheadError.invalidArgument` for `alpha` outside [0.01, 100].
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        self.init(taskCount: taskCount, alpha: try options.take("alpha", default: 1, in: 0.01...100))
    }

    /// Solves the α-fair system for the weights and combines.
    /// - Throws: `PolyheadError.invalidState` when the weights do not fit in float32 (gradients far below
    ///   1e-15 in norm with a large α).
    ///   A task gradient holding NaN or ±∞ throws `PolyheadError.invalidArgument` (before any state changes).
    public func aggregate(_ jacobian: TaskJacobian) throws -> Aggregation {
        let weights = fairWeights(try jacobian.finiteGram(op: Self.methodName))
        guard weights.allSatisfy({ Float($0).isFinite }) else {
            throw PolyheadError.invalidState(
                op: Self.methodName, message: "the weights \(weights) overflow float32; the task gradients are too small")
        }
        return Aggregation(direction: jacobian.combination(weights), weights: weights)
    }

    /// The solution of `G w = w^(−1/α)` over the tasks with a non-zero gradient (0 for the others).
    func fairWeights(_ gram: [[Double]]) -> [Double] {
        var weights = [Double](repeating: 0, count: gram.count)
        let largest = gram.indices.map { gram[$0][$0] }.max() ?? 0
        guard largest > 0, largest.isFinite else { return weights }
        let active = gram.indices.filter { gram[$0][$0] > 1e-20 * largest }
        let scaled = active.map { i in active.map { gram[i][$0] / largest + (i == $0 ? 1e-10 : 0) } }
        let solution = solveScaled(scaled)
        let scale = pow(largest, -alpha / (1 + alpha))
        for (k, task) in active.enumerated() { weights[task] = solution[k] * scale }
        return weights
    }

    /// Damped Newton on `φ(y) = ½ yᵀGy + Σ h(yᵢ)` (G positive definite, unit-scale diagonal), from the
    /// solution for orthogonal gradients, with a fraction-to-boundary rule keeping y > 0 and backtracking
    /// until φ or the residual decreases (near the solution φ's changes drop below rounding). Stops when
    /// every residual is within 1e-12 of the magnitude of its terms.
    private func solveScaled(_ g: [[Double]]) -> [Double] {
        let n = g.count, exponent = -1 / alpha
        func barrier(_ y: Double) -> Double { alpha == 1 ? -log(y) : -pow(y, 1 + exponent) / (1 + exponent) }
        func objective(_ y: [Double]) -> Double {
            0.5 * zip(y, multiply(g, y)).reduce(0) { $0 + $1.0 * $1.1 } + y.reduce(0) { $0 + barrier($1) }
        }
        func residual(_ y: [Double]) -> [Double] { zip(multiply(g, y), y).map { $0 - pow($1, exponent) } }
        func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        var y = (0..<n).map { pow(g[$0][$0], -alpha / (1 + alpha)) }
        for _ in 0..<100 {
            let r = residual(y)
            let converged = (0..<n).allSatisfy { i in
                abs(r[i]) <= 1e-12 * ((0..<n).reduce(0) { $0 + abs(g[i][$1]) * y[$1] } + pow(y[i], exponent))
            }
            if converged { break }
            var hessian = g
            for i in 0..<n { hessian[i][i] += pow(y[i], exponent) / (alpha * y[i]) }
            let step = solveSymmetric(hessian, r.map { -$0 })
            var t = 1.0
            for i in 0..<n where step[i] < 0 { t = min(t, 0.95 * y[i] / -step[i]) }
            let start = objective(y), slope = zip(r, step).reduce(0) { $0 + $1.0 * $1.1 }, size = norm(r)
            var accepted: [Double]? = nil
            while t > 1e-14 {
                let candidate = (0..<n).map { y[$0] + t * step[$0] }
                let value = objective(candidate)
                if candidate.allSatisfy({ $0 > 0 && $0.isFinite }), value.isFinite,
                   value <= start + 1e-4 * t * slope || norm(residual(candidate)) < (1 - 1e-4 * t) * size {
                    accepted = candidate
                    break
                }
                t *= 0.5
            }
            guard let next = accepted else { break }
            y = next
        }
        return y
    }

    private func multiply(_ matrix: [[Double]], _ vector: [Double]) -> [Double] {
        matrix.map { row in zip(row, vector).reduce(0) { $0 + $1.0 * $1.1 } }
    }
}
