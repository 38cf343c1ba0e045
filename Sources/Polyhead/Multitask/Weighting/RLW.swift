/// Random loss weighting (Lin, Ye, Xu, Shi, Zhang, Kwok, "Reasonable Effectiveness of Random Weighting: A
/// Litmus Test for Multi-Task Learning", TMLR 2022): every step draws `ε ~ N(0, I_T)` and weights the
/// losses by `λ = softmax(ε)`, so the weights are positive and sum to 1 — not to T, exactly as LibMTL
/// (`RLW.py`) and torchjd (`Random`) do; the objective is `Σ λᵢ Lᵢ`.
///
/// The samples come from the library's one seeded generator, so `manualSeed` reproduces the weights
/// (each sample uses two uniforms: Box–Muller, the cosine branch). No options. Any finite loss works,
/// including 0.
public final class RLW: LossWeighting, NamedMultiTaskMethod {
    /// `"rlw"`; no options.
    public static let methodName = "rlw"
    /// The number of tasks.
    public let taskCount: Int

    /// Creates the weighting for `taskCount` tasks.
    public init(taskCount: Int) { self.taskCount = taskCount }

    /// Creates the weighting (it takes no options).
    public convenience init(taskCount: Int, options: inout MethodOptions) throws { self.init(taskCount: taskCount) }

    /// `Σ λᵢ Lᵢ` with fresh weights `λ = softmax(ε)`, `ε ~ N(0, I)`.
    public func objective(losses: [Tensor], tasks: [Int], shared: SharedPart) throws -> (objective: Tensor, weights: [Double]) {
        let weights = WeightingMath.softmax(randomNormals(losses.count))
        return (try weightedSum(losses, weights), weights)
    }
}
