/// CAGrad — conflict-averse gradient descent (Liu, Liu, Jin, Stone, Liu, "Conflict-Averse Gradient
/// Descent for Multi-task Learning", NeurIPS 2021). It looks for the update that most improves the
/// worst task while staying close to the average gradient `g₀`:
/// `max_d minᵢ ⟨gᵢ, d⟩` subject to `‖d − g₀‖ ≤ c‖g₀‖`. Through its dual,
/// `w* = argmin_{w ∈ Δ} g_wᵀ g₀ + √φ ‖g_w‖` with `g_w = Σ wᵢ gᵢ` and `φ = c² ‖g₀‖²`, the update is
/// `d = (g₀ + (√φ / ‖g_w*‖) g_w*) / r` for the rescale factor `r`.
///
/// As LibMTL: `‖g₀‖ = √mean(M)` from the Gram matrix `M`, `c = 0.5` (`calpha`), `rescale = 1`. Where
/// LibMTL calls scipy's SLSQP, this solves the dual over the simplex itself, in Double on the Gram
/// matrix (scaled to unit largest diagonal, which leaves the minimiser unchanged): projected gradient
/// descent with a backtracking (Armijo) line search, up to 2000 iterations, stopping when an iteration
/// moves `w` by less than 1e-13 (L1). At `g_w* = 0` (the tasks are already Pareto-stationary in the
/// sense of the dual) the update is `g₀ / r`, as LibMTL's `1e-8` guard gives.
///
/// Weights: the exact coefficients of `d` on the task gradients, `(1/T + λ wᵢ*) / r` with
/// `λ = √φ / ‖g_w*‖` (LibMTL returns `w*`). Representation mode works through the driver (LibMTL
/// refuses it; the formula itself does not care which gradients it combines).
public final class CAGrad: GradientAggregator, NamedMultiTaskMethod {
    /// `"cagrad"`; options `c` (0…1e6, default 0.5; the paper asks for c < 1) and `rescale` ∈ {0 none,
    /// 1 divide by 1 + c² (default), 2 divide by 1 + c}.
    public static let methodName = "cagrad"
    /// The number of tasks.
    public let taskCount: Int
    /// The radius of the trust region around `g₀`, relative to `‖g₀‖`.
    public let c: Double
    /// 0: none, 1: `/ (1 + c²)`, 2: `/ (1 + c)`.
    public let rescale: Int
    /// The largest `c` accepted.
    public static let largestC = 1e6

    /// Creates the method.
    /// - Throws: `PolyheadError.invalidArgument` for `c` outside 0…1e6 (larger values would overflow the
    ///   dual's scale) or a `rescale` outside 0…2.
    public init(taskCount: Int, c: Double = 0.5, rescale: Int = 1) throws {
        guard (0...Self.largestC).contains(c), (0...2).contains(rescale) else {
            throw PolyheadError.invalidArgument(
                op: Self.methodName, message: "need c in 0...1e6 and rescale in 0...2, got c=\(c), rescale=\(rescale)")
        }
        self.taskCount = taskCount
        self.c = c
        self.rescale = rescale
    }

    /// Creates the method from options `c` (default 0.5) and `rescale` (default 1).
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        try self.init(taskCount: taskCount,
                      c: try options.take("c", default: 0.5, in: 0...Self.largestC),
                      rescale: try options.takeIntegerOption("rescale", default: 1, in: 0...2))
    }

    /// `(g₀ + λ g_w*) / r`.
    /// - Throws: `PolyheadError.invalidArgument` when a task gradient is not finite.
    public func aggregate(_ jacobian: TaskJacobian) throws -> Aggregation {
        let gram = try jacobian.finiteGram(op: Self.methodName)
        let t = gram.count
        let meanGram = gram.reduce(0.0) { $0 + $1.reduce(0, +) } / Double(t * t)
        let sqrtPhi = c * max(meanGram, 0).squareRoot()
        let w = Self.dualWeights(gram, sqrtPhi: sqrtPhi)
        let normGw = max(MGDA.quadratic(gram, w), 0).squareRoot()
        let largest = gram.indices.map { gram[$0][$0] }.max() ?? 0
        let lambda = normGw > 1e-10 * largest.squareRoot() ? sqrtPhi / normGw : 0
        let divisor = [1, 1 + c * c, 1 + c][rescale]
        let weights = w.map { (1 / Double(t) + lambda * $0) / divisor }
        return Aggregation(direction: jacobian.combination(weights), weights: weights)
    }

    /// The dual objective `F(w) = wᵀ M 1/T + √φ √(wᵀ M w)`.
    static func dualObjective(_ gram: [[Double]], sqrtPhi: Double, _ w: [Double]) -> Double {
        let mw = matrixVector(gram, w)
        let linear = mw.reduce(0, +) / Double(w.count)
        return linear + sqrtPhi * max(zip(w, mw).reduce(0.0) { $0 + $1.0 * $1.1 }, 0).squareRoot()
    }

    /// `argmin_{w ∈ Δ} F(w)` by projected gradient descent with backtracking, from `w = 1/T`.
    static func dualWeights(_ gram: [[Double]], sqrtPhi: Double) -> [Double] {
        let t = gram.count
        var w = [Double](repeating: 1 / Double(t), count: t)
        let largest = gram.indices.map { gram[$0][$0] }.max() ?? 0
        guard t > 1, largest > 0 else { return w }
        let m = gram.map { $0.map { $0 / largest } }, r = sqrtPhi / largest.squareRoot()
        // A tiny smoothing keeps the gradient of ‖g_w‖ finite at g_w = 0 (relative 1e-12 of the scale).
        func value(_ w: [Double]) -> Double {
            let mw = matrixVector(m, w)
            return mw.reduce(0, +) / Double(t) + r * (zip(w, mw).reduce(0.0) { $0 + $1.0 * $1.1 } + 1e-24).squareRoot()
        }
        func gradient(_ w: [Double]) -> [Double] {
            let mw = matrixVector(m, w)
            let norm = (zip(w, mw).reduce(0.0) { $0 + $1.0 * $1.1 } + 1e-24).squareRoot()
            let mean = m.map { $0.reduce(0, +) / Double(t) }  // M 1/T (M symmetric)
            return (0..<t).map { mean[$0] + r * mw[$0] / norm }
        }
        var step = 1.0
        var current = value(w)
        for _ in 0..<2000 {
            let g = gradient(w)
            var next = w, nextValue = current, accepted = false
            for _ in 0..<60 {
                next = projectOntoSimplex(zip(w, g).map { $0 - step * $1 })
                nextValue = value(next)
                let decrease = zip(g, zip(next, w)).reduce(0.0) { $0 + $1.0 * ($1.1.0 - $1.1.1) }
                let distance = zip(next, w).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                if nextValue <= current + decrease + distance / (2 * step) { accepted = true; break }
                step *= 0.5
            }
            guard accepted, nextValue <= current else { break }
            let change = zip(next, w).reduce(0.0) { $0 + abs($1.0 - $1.1) }
            w = next
            current = nextValue
            step *= 2
            if change < 1e-13 { break }
        }
        return w
    }
}
