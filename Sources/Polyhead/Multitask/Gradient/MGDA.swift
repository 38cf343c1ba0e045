/// MGDA — the multiple-gradient descent algorithm as multi-objective optimisation (Sener & Koltun,
/// "Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018; Désidéri 2012). The update is
/// the min-norm point of the convex hull of the (optionally normalised) task gradients,
/// `d = Σ αₜ gₜ` with `α = argmin_{α ∈ Δ} ‖Σ αₜ gₜ‖²`, a common descent direction whenever one exists
/// (and 0 at a Pareto-stationary point).
///
/// The solver works on the T × T Gram matrix only: for two tasks the exact closed form
/// `α₁ = clip(((g₂ − g₁)·g₂) / ‖g₁ − g₂‖², 0, 1)` (the official solver stops at 0.999/0.001 instead of
/// 1/0); for more tasks the Frank-Wolfe iteration of the official `MinNormSolver` (start from the best
/// pair, step towards the vertex minimising `(Mα)ₜ` with the exact two-point line search, at most 250
/// iterations, stop when ‖Δα‖₁ < 1e-5), then one exact solve of the optimality system on the support
/// it found, kept only when it is feasible and no worse (so the answer is exact, not 1e-5 close, in the
/// usual case).
///
/// In the representation mode of the driver this is MGDA-UB (the paper's upper bound: gradients of the
/// shared representation instead of the shared parameters).
///
/// Weights: the exact coefficients of the direction on the original task gradients, `αₜ / nₜ` for the
/// normaliser `nₜ` (LibMTL returns `α` itself, which equals these for the default `none`).
public final class MGDA: GradientAggregator, NamedMultiTaskMethod {
    /// How each task gradient is scaled before the min-norm search (LibMTL's `mgda_gn`).
    public enum Normalization: Int {
        /// Unchanged (LibMTL default).
        case none = 0
        /// Divided by its L2 norm.
        case l2 = 1
        /// Divided by its task loss.
        case loss = 2
        /// Divided by loss × L2 norm.
        case lossPlus = 3
    }

    /// `"mgda"`; option `normalization` ∈ {0 none (default), 1 l2, 2 loss, 3 loss+}.
    public static let methodName = "mgda"
    /// Frank-Wolfe iteration limit (official `MinNormSolver.MAX_ITER`).
    public static let maxIterations = 250
    /// Frank-Wolfe stop: `Σ|Δα| <` this (official `MinNormSolver.STOP_CRIT`).
    public static let stopCriterion = 1e-5
    /// The number of tasks.
    public let taskCount: Int
    /// The gradient normalisation.
    public let normalization: Normalization

    /// Creates the method for `taskCount` tasks.
    public init(taskCount: Int, normalization: Normalization = .none) {
        self.taskCount = taskCount
        self.normalization = normalization
    }

    /// Creates the method from option `normalization` (0–3, default 0).
    /// - Throws: `PolyheadError.invalidArgument` for a code outside 0…3.
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        let code = try options.takeIntegerOption("normalization", default: 0, in: 0...3)
        // invariant: every code in 0...3 is a case.
        self.init(taskCount: taskCount, normalization: Normalization(rawValue: code)!)
    }

    /// The min-norm combination of the (normalised) task gradients.
    /// - Throws: `PolyheadError.invalidArgument` when a task gradient is not finite.
    public func aggregate(_ jacobian: TaskJacobian) throws -> Aggregation {
        let gram = try jacobian.finiteGram(op: Self.methodName)
        let scale = normalizers(gram: gram, losses: jacobian.losses)
        let normalized = gram.indices.map { i in gram.indices.map { j in gram[i][j] / (scale[i] * scale[j]) } }
        let alpha = Self.minNormWeights(normalized)
        let weights = zip(alpha, scale).map { $0 / $1 }
        return Aggregation(direction: jacobian.combination(weights), weights: weights)
    }

    /// `nₜ` per task; 1 wherever the normaliser is not a finite number above 1e-30 (a zero gradient, a
    /// non-positive loss), so such a task is left unscaled instead of producing NaN or infinity.
    func normalizers(gram: [[Double]], losses: [Double]) -> [Double] {
        gram.indices.map { t in
            let norm = gram[t][t].squareRoot(), loss = t < losses.count ? losses[t] : 1
            let value: Double
            switch normalization {
            case .none: value = 1
            case .l2: value = norm
            case .loss: value = loss
            case .lossPlus: value = loss * norm
            }
            return value > 1e-30 && value.isFinite ? value : 1
        }
    }

    /// `argmin_{α ∈ Δ} αᵀ M α` for a Gram matrix `M` (T ≥ 1).
    static func minNormWeights(_ gram: [[Double]]) -> [Double] {
        let t = gram.count
        guard t > 1 else { return [Double](repeating: 1, count: t) }
        // The best pair, in closed form (optimal for two tasks).
        var best = (i: 0, j: 1, gamma: 1.0, cost: Double.infinity)
        for i in 0..<t {
            for j in (i + 1)..<t {
                let (gamma, cost) = pairSearch(gram[i][i], gram[i][j], gram[j][j])
                if cost < best.cost { best = (i, j, gamma, cost) }
            }
        }
        var alpha = [Double](repeating: 0, count: t)
        alpha[best.i] = best.gamma
        alpha[best.j] += 1 - best.gamma
        guard t > 2 else { return alpha }
        for _ in 0..<maxIterations {
            let product = matrixVector(gram, alpha)
            let vertex = product.indices.min { product[$0] < product[$1] } ?? 0
            let aa = zip(alpha, product).reduce(0.0) { $0 + $1.0 * $1.1 }
            let (gamma, _) = lineSearch(aa, product[vertex], gram[vertex][vertex])
            var next = alpha.map { $0 * gamma }
            next[vertex] += 1 - gamma
            let change = zip(next, alpha).reduce(0.0) { $0 + abs($1.0 - $1.1) }
            alpha = next
            if change < stopCriterion { break }
        }
        return polishedOnSupport(gram, alpha)
    }

    /// The minimiser `γ` of `‖γ u + (1 − γ) v‖²` over [0, 1] from `u·u`, `u·v`, `v·v`, and that minimum
    /// (`γ = 1` when `u` already is the minimiser, which ends Frank-Wolfe).
    static func lineSearch(_ uu: Double, _ uv: Double, _ vv: Double) -> (gamma: Double, cost: Double) {
        if uv >= uu { return (1, uu) }
        if uv >= vv { return (0, vv) }
        let gamma = min(max((vv - uv) / (uu + vv - 2 * uv), 0), 1)
        return (gamma, vv + gamma * (uv - vv))
    }

    /// `lineSearch` for two task gradients, splitting evenly when they coincide (every split gives the
    /// same point, and the even one keeps the reported weights symmetric).
    static func pairSearch(_ uu: Double, _ uv: Double, _ vv: Double) -> (gamma: Double, cost: Double) {
        let difference = uu + vv - 2 * uv
        if difference <= 1e-14 * (uu + vv) { return (0.5, max((uu + vv + 2 * uv) / 4, 0)) }
        return lineSearch(uu, uv, vv)
    }

    /// Frank-Wolfe's `alpha`, or the exact minimiser on a face of the simplex when one is found and no
    /// worse: an active-set pass starting from Frank-Wolfe's support that solves the optimality system
    /// (`(Mα)ₛ = μ` on the support, `Σα = 1`) and drops the most negative coordinate until all are ≥ 0.
    static func polishedOnSupport(_ gram: [[Double]], _ alpha: [Double]) -> [Double] {
        var support = alpha.indices.filter { alpha[$0] > 0 }
        while support.count > 1 {
            let face = minimizerOnFace(gram, support)
            guard face.allSatisfy(\.isFinite), abs(face.reduce(0, +) - 1) < 1e-9 else { return alpha }
            // invariant: the face is non-empty, so it has a minimum.
            let worst = face.indices.min { face[$0] < face[$1] }!
            guard face[worst] < 0 else {
                var candidate = [Double](repeating: 0, count: alpha.count)
                for (k, index) in support.enumerated() { candidate[index] = face[k] }
                return quadratic(gram, candidate) <= quadratic(gram, alpha) ? candidate : alpha
            }
            support.remove(at: worst)
        }
        return alpha
    }

    /// The minimiser of `αᵀMα` on the affine hull `{Σ_{s∈support} αₛ = 1}`: the KKT system
    /// `[M_SS 1; 1ᵀ 0] [α_S; −μ] = [0; 1]`.
    static func minimizerOnFace(_ gram: [[Double]], _ support: [Int]) -> [Double] {
        var system = support.map { i in support.map { gram[i][$0] } + [1] }
        system.append([Double](repeating: 1, count: support.count) + [0])
        return Array(solveSymmetric(system, [Double](repeating: 0, count: support.count) + [1]).prefix(support.count))
    }

    /// `wᵀ M w`.
    static func quadratic(_ gram: [[Double]], _ w: [Double]) -> Double {
        zip(w, matrixVector(gram, w)).reduce(0.0) { $0 + $1.0 * $1.1 }
    }
}
