/// Inverse-loss weighting: `wᵢ = 1 / Lᵢ` with `Lᵢ` detached, so the update is `Σ ∇Lᵢ / Lᵢ`, the gradient
/// of `Σ log Lᵢ` — every task's loss falls at the same relative rate whatever its scale (the seeds'
/// formula; the scale-invariant baseline of Navon et al., ICML 2022, "scaleinvls", and the loss part of
/// DB-MTL, Lin et al. 2023).
///
/// Options:
/// - `normalize` (flag, default 0): rescale the weights to sum to T, `wᵢ = T · (1/Lᵢ) / Σⱼ (1/Lⱼ)`.
///
/// Zero and tiny losses: the weight is `1 / max(Lᵢ, ε)` with ε = 1e-8, so a tiny loss gets at most weight
/// 1e8 (finite); a loss of exactly 0 is an absent task (see `LossWeighting`) and weighs nothing. Negative or
/// non-finite losses are rejected.
public final class InverseLossWeighting: LossWeighting, NamedMultiTaskMethod {
    /// `"inverse_loss"`; option `normalize` (flag, default 0).
    public static let methodName = "inverse_loss"
    /// The number of tasks.
    public let taskCount: Int
    /// Whether the weights are rescaled to sum to the task count.
    public let normalizes: Bool

    /// Creates the weighting for `taskCount` tasks.
    public init(taskCount: Int, normalize: Bool = false) {
        self.taskCount = taskCount
        normalizes = normalize
    }

    /// Creates the weighting from option `normalize`.
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        self.init(taskCount: taskCount, normalize: try options.takeFlag("normalize", default: false))
    }

    /// The weights for loss values `values`: `1 / max(Lᵢ, ε)`, rescaled to sum to their number when normalising.
    public func weights(for values: [Double]) -> [Double] {
        let inverse = values.map { 1 / max($0, WeightingMath.epsilon) }
        guard normalizes else { return inverse }
        let scale = Double(inverse.count) / inverse.reduce(0, +)
        return inverse.map { $0 * scale }
    }

    /// `Σ wᵢ Lᵢ` with the detached inverse-loss weights.
    /// - Throws: `PolyheadError.invalidArgument` for a negative or non-finite loss.
    public func objective(losses: [Tensor], tasks: [Int], shared: SharedPart) throws -> (objective: Tensor, weights: [Double]) {
        let weights = weights(for: try WeightingMath.values(losses, op: Self.methodName, nonNegative: true))
        return (try weightedSum(losses, weights), weights)
    }
}
