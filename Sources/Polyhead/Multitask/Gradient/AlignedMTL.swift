/// Aligned-MTL — independent component alignment (Senushkin, Patakin, Kuznetsov, Konushin,
/// "Independent Component Alignment for Multi-Task Learning", CVPR 2023). It makes the task gradients
/// orthogonal and of equal norm (a linear system of condition number 1) before summing them.
///
/// From the eigendecomposition of the Gram matrix `M = G Gᵀ = V Λ Vᵀ` (keeping the `R` eigenvalues
/// above `max λ · T · ε_float32`, the rank rule of the official code), the balance transformation is
/// `B = √σ · V Λ^{−1/2} Vᵀ` and the aligned gradients are the rows of `B G`, whose Gram matrix is
/// `σ · I` on the range. The update is `d = Σ αₜ gₜ` with `α = B · 1` — LibMTL's `B.sum(0)`; torchjd
/// uses the mean instead, `T` times smaller. The scale `σ` is, by `scale_mode`: 0 the smallest kept
/// eigenvalue (default, the paper and LibMTL), 1 the median (the lower middle one for an even count,
/// as `torch.median`), 2 the mean ("rmse" in torchjd and the original implementation).
///
/// With every gradient zero (rank 0) `B = I`, as torchjd. The eigen-solver is a Jacobi iteration in
/// Double (`SymmetricEigen`), so nothing depends on an external LAPACK.
public final class AlignedMTL: GradientAggregator, NamedMultiTaskMethod {
    /// Which eigenvalue sets the common norm of the aligned gradients.
    public enum ScaleMode: Int {
        /// The smallest kept eigenvalue (default).
        case min = 0
        /// The median kept eigenvalue (lower middle for an even count).
        case median = 1
        /// The mean kept eigenvalue (torchjd's "rmse").
        case rmse = 2
    }

    /// `"aligned_mtl"`; option `scale_mode` ∈ {0 min (default), 1 median, 2 rmse}.
    public static let methodName = "aligned_mtl"
    /// The number of tasks.
    public let taskCount: Int
    /// The eigenvalue that sets the scale.
    public let scaleMode: ScaleMode

    /// Creates the method for `taskCount` tasks.
    public init(taskCount: Int, scaleMode: ScaleMode = .min) {
        self.taskCount = taskCount
        self.scaleMode = scaleMode
    }

    /// Creates the method from option `scale_mode` (0–2, default 0).
    /// - Throws: `PolyheadError.invalidArgument` for a code outside 0…2.
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        let code = try options.takeIntegerOption("scale_mode", default: 0, in: 0...2)
        // invariant: every code in 0...2 is a case.
        self.init(taskCount: taskCount, scaleMode: ScaleMode(rawValue: code)!)
    }

    /// The sum of the aligned gradients.
    /// - Throws: `PolyheadError.invalidArgument` when a task gradient is not finite.
    public func aggregate(_ jacobian: TaskJacobian) throws -> Aggregation {
        let balance = balanceTransformation(try jacobian.finiteGram(op: Self.methodName))
        let weights = balance.map { $0.reduce(0, +) }  // B · 1 (B is symmetric, so also B.sum(0))
        return Aggregation(direction: jacobian.combination(weights), weights: weights)
    }

    /// `B = √σ V Λ^{−1/2} Vᵀ` over the kept eigenpairs, or the identity when none is kept.
    func balanceTransformation(_ gram: [[Double]]) -> [[Double]] {
        let eigen = SymmetricEigen(gram)
        let kept = eigen.rangeIndices(relativeTolerance: gramRankTolerance(gram.count))  // largest first
        guard let smallest = kept.last else {
            return gram.indices.map { i in gram.indices.map { $0 == i ? 1.0 : 0.0 } }
        }
        let values = kept.map { eigen.values[$0] }
        let scale: Double
        switch scaleMode {
        case .min: scale = eigen.values[smallest]
        case .median: scale = values.sorted()[(values.count - 1) / 2]
        case .rmse: scale = values.reduce(0, +) / Double(values.count)
        }
        return eigen.spectral(kept) { (scale / $0).squareRoot() }
    }
}
