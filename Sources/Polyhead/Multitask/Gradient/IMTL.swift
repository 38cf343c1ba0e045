/// IMTL-G — the gradient part of impartial multi-task learning (Liu, Li, Kuang, Xue, Chen, Yang, Liao,
/// Zhang, "Towards Impartial Multi-task Learning", ICLR 2021). The update `d = Σ αₜ gₜ` with `Σ αₜ = 1`
/// has equal projections onto every unit task gradient `uₜ = gₜ/‖gₜ‖`, so no task dominates.
///
/// The paper's closed form `α₂:T = g₁Uᵀ(DUᵀ)⁻¹`, `α₁ = 1 − Σ α₂:T` (rows of `D`: `g₁ − gₜ`, of `U`:
/// `u₁ − uₜ`) is the same as `α ∝ M⁻¹ n` for the Gram matrix `M` and the norms `nₜ = √Mₜₜ`, since
/// `dᵀuₜ = (Mα)ₜ / nₜ` must be one constant. This computes `α = M⁺ n / Σ(M⁺ n)` with the pseudo-inverse
/// `M⁺` (eigenvalues below `max λ · T · ε_float32` dropped), as torchjd's `IMTLG`, which keeps the
/// answer defined when gradients are linearly dependent (identical or colinear tasks share the weight;
/// a zero gradient gets weight 0, its unit vector being undefined). When `Σ(M⁺ n)` vanishes (e.g. two
/// exactly opposite gradients: only `d = 0` projects equally) every weight is 0.
///
/// This is IMTL-G on the task losses as given; LibMTL's `IMTL` also rescales the losses by learned
/// `e^{sₜ}` (IMTL-L), a loss-level method that can be combined with this one.
public final class IMTL: GradientAggregator, NamedMultiTaskMethod {
    /// `"imtl"`; no options.
    public static let methodName = "imtl"
    /// The number of tasks.
    public let taskCount: Int

    /// Creates the method for `taskCount` tasks.
    public init(taskCount: Int) { self.taskCount = taskCount }

    /// Creates the method (it takes no options).
    public convenience init(taskCount: Int, options: inout MethodOptions) throws { self.init(taskCount: taskCount) }

    /// The impartial combination.
    /// - Throws: `PolyheadError.invalidArgument` when a task gradient is not finite.
    public func aggregate(_ jacobian: TaskJacobian) throws -> Aggregation {
        let weights = Self.impartialWeights(try jacobian.finiteGram(op: Self.methodName))
        return Aggregation(direction: jacobian.combination(weights), weights: weights)
    }

    /// `M⁺ n / Σ(M⁺ n)`, or zeros when the sum vanishes relative to its largest possible size
    /// `√T ‖n‖ Σₖ 1/λₖ` (so rounding noise around an exact cancellation is not blown up).
    static func impartialWeights(_ gram: [[Double]]) -> [Double] {
        let norms = gram.indices.map { max(gram[$0][$0], 0).squareRoot() }
        let eigen = SymmetricEigen(gram)
        let kept = eigen.rangeIndices(relativeTolerance: gramRankTolerance(gram.count))
        let v = matrixVector(eigen.spectral(kept) { 1 / $0 }, norms)
        let sum = v.reduce(0, +)
        let bound = Double(gram.count).squareRoot() * norms.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
            * kept.reduce(0.0) { $0 + 1 / eigen.values[$1] }
        guard sum.isFinite, abs(sum) > 1e-9 * bound else { return [Double](repeating: 0, count: gram.count) }
        return v.map { $0 / sum }
    }
}
