/// The machinery UPGrad and DualProj share (Quinton & Rey 2024, "Jacobian Descent for Multi-Objective
/// Optimization", arXiv 2406.16232, Proposition 1): projecting `Jᵀu` onto the dual cone of the rows of
/// `J`, `{d : J d ≥ 0}`, is `Jᵀv` with `v = argmin vᵀ G v subject to v ≥ u`, `G = J Jᵀ`. The quadratic
/// program lives on the T × T Gram matrix and is solved here in Double without any external solver.

/// The options both dual-cone methods take, with torchjd's defaults.
struct DualConeSettings {
    /// Below this squared Frobenius norm of J (the trace of G) the Gram matrix counts as zero (torchjd
    /// `norm_eps`, 1e-4): the projection then leaves `u` unchanged.
    let normEpsilon: Double
    /// Added to the diagonal of the normalised Gram matrix (torchjd `reg_eps`, 1e-4) so it is positive
    /// definite despite rounding or linearly dependent gradients.
    let regularization: Double
    /// The preference vector u (torchjd `pref_vector`, default 1/T each).
    let preference: [Double]

    /// Reads `norm_eps`, `reg_eps` and `pref0`, `pref1`, … from `options`.
    init(taskCount: Int, options: inout MethodOptions) throws {
        normEpsilon = try options.take("norm_eps", default: 1e-4, in: 0...Double.greatestFiniteMagnitude)
        regularization = try options.take("reg_eps", default: 1e-4, in: 0...1)
        preference = try options.takeVector("pref", count: taskCount, default: 1 / Double(taskCount),
                                            in: -1e12...1e12)
    }

    /// `G / trace(G) + reg_eps · I`, or `reg_eps · I` when `trace(G) < norm_eps` (torchjd's
    /// `regularize(normalize(G))`).
    /// - Throws: `PolyheadError.invalidArgument` (prefixed `[op]`) for a task gradient holding NaN or ±∞.
    func preparedGram(_ jacobian: TaskJacobian, op: String) throws -> [[Double]] {
        var gram = try jacobian.finiteGram(op: op)
        let trace = gram.indices.reduce(0.0) { $0 + gram[$1][$1] }
        let scale = trace.isFinite && trace >= normEpsilon && trace > 0 ? 1 / trace : 0
        for i in gram.indices {
            for j in gram.indices { gram[i][j] *= scale }
            gram[i][i] += regularization
        }
        return gram
    }
}

/// The weights `v` of the projection of `Jᵀu` onto the dual cone of the rows of `J`, given `G = J Jᵀ`:
/// the solution of `min vᵀ G v subject to v ≥ u`. With `v = u + x` this is the non-negative quadratic
/// program `min ½ xᵀ G x + (G u)ᵀ x, x ≥ 0`, solved exactly by an active-set method.
func dualConeProjectionWeights(_ u: [Double], gram: [[Double]]) -> [Double] {
    let gu = gram.map { row in zip(row, u).reduce(0.0) { $0 + $1.0 * $1.1 } }
    let x = nonNegativeQuadraticMinimum(gram, linear: gu)
    return zip(u, x).map { $0 + $1 }
}

/// `argmin ½ xᵀ G x + cᵀ x` over `x ≥ 0` for a symmetric positive (semi-)definite `G`, by the active-set
/// method of Lawson & Hanson (1974) in the Gram form of Bro & de Jong (1997). Each outer step frees the
/// variable whose negative gradient is largest; the inner loop steps back to the feasible region when the
/// unconstrained solution on the free set leaves it. Iterations are capped, so it always returns.
func nonNegativeQuadraticMinimum(_ gram: [[Double]], linear c: [Double]) -> [Double] {
    let n = c.count
    var x = [Double](repeating: 0, count: n)
    var free = [Bool](repeating: false, count: n)
    let magnitude = gram.flatMap { $0 }.reduce(0.0) { max($0, abs($1)) } + c.reduce(0.0) { max($0, abs($1)) }
    guard magnitude.isFinite, magnitude > 0 else { return x }
    let tolerance = 1e-13 * magnitude
    // The negative gradient −(G x + c): positive entries are directions that lower the objective.
    func descent(_ x: [Double]) -> [Double] {
        (0..<n).map { i in -c[i] - (0..<n).reduce(0.0) { $0 + gram[i][$1] * x[$1] } }
    }
    for _ in 0..<(3 * n + 10) {
        let w = descent(x)
        guard let entering = (0..<n).filter({ !free[$0] && w[$0] > tolerance }).max(by: { w[$0] < w[$1] })
        else { break }
        free[entering] = true
        for _ in 0...n {
            let s = unconstrainedMinimum(gram, linear: c, free: free)
            let blocking = (0..<n).filter { free[$0] && s[$0] <= 0 }
            if blocking.isEmpty {
                x = s
                break
            }
            // Step from x towards s until the first free variable reaches 0; it (and any other that got
            // there) becomes fixed at 0 again.
            let steps = blocking.map { (index: $0, step: x[$0] / (x[$0] - s[$0])) }
            // invariant: `blocking` is not empty here.
            let first = steps.min { $0.step < $1.step }!
            for i in 0..<n where free[i] {
                x[i] += first.step * (s[i] - x[i])
                if i == first.index || x[i] <= 0 {
                    x[i] = 0
                    free[i] = false
                }
            }
        }
    }
    return x
}

/// The minimiser of `½ xᵀ G x + cᵀ x` over the free variables, the others held at 0.
private func unconstrainedMinimum(_ gram: [[Double]], linear c: [Double], free: [Bool]) -> [Double] {
    let indices = free.indices.filter { free[$0] }
    let solution = solveSymmetric(indices.map { i in indices.map { gram[i][$0] } }, indices.map { -c[$0] })
    var x = [Double](repeating: 0, count: c.count)
    for (k, i) in indices.enumerated() { x[i] = solution[k] }
    return x
}
