#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Geometric loss strategy (Chennupati, Sistu, Yogamani, Rawashdeh, "MultiNet++: Multi-Stream Feature
/// Aggregation and Geometric Loss Strategy for Multi-Task Learning", CVPR Workshops 2019): the objective
/// is the geometric mean of the task losses, `(Πᵢ Lᵢ)^(1/T)`, recorded as `exp(meanᵢ log(Lᵢ + ε))`. The
/// weights reported are the effective ones, `∂objective/∂Lᵢ = G / (T·(Lᵢ + ε))` with `G` the objective's
/// value (LibMTL's `GLS.py` reports `Lᵢ / (T·Π L)` instead, which is not that derivative). No options.
///
/// Zero or tiny losses: ε = 1e-8 inside the product keeps the value and every weight finite (a task at a
/// tiny loss gets a weight up to `G / (T ε)`, large while the other losses are large — the strategy's
/// nature); a loss of exactly 0 is an absent task (see `LossWeighting`): the product runs over the others.
/// Negative or non-finite losses are rejected.
public final class GeometricLossStrategy: LossWeighting, NamedMultiTaskMethod {
    /// `"gls"`; no options.
    public static let methodName = "gls"
    /// The number of tasks.
    public let taskCount: Int

    /// Creates the strategy for `taskCount` tasks.
    public init(taskCount: Int) { self.taskCount = taskCount }

    /// Creates the strategy (it takes no options).
    public convenience init(taskCount: Int, options: inout MethodOptions) throws { self.init(taskCount: taskCount) }

    /// `exp(mean log(Lᵢ + ε))` and its derivatives with respect to the losses.
    /// - Throws: `PolyheadError.invalidArgument` for a negative or non-finite loss.
    public func objective(losses: [Tensor], tasks: [Int], shared: SharedPart) throws -> (objective: Tensor, weights: [Double]) {
        let values = try WeightingMath.values(losses, op: Self.methodName, nonNegative: true)
        let epsilon = WeightingMath.epsilon, t = Double(losses.count)
        let objective = try (try WeightingMath.stack(losses) + Float(epsilon)).log().mean().exp()
        let logMean = values.reduce(0.0) { $0 + Glibc.log($1 + epsilon) } / t
        let value = Glibc.exp(logMean)
        return (objective, values.map { value / (t * ($0 + epsilon)) })
    }
}
