/// GradVac — gradient vaccine (Wang, Tsvetkov, Firat, Cao, "Gradient Vaccine: Investigating and
/// Improving Multi-task Optimization in Massively Multilingual Models", ICLR 2021). Like PCGrad it
/// visits, for each task i, the other tasks j in a random order, but instead of only removing conflicts it
/// pulls the cosine similarity ρᵢⱼ between the (running) gᵢ and gⱼ up to an adaptive target φᵢⱼ whenever
/// ρᵢⱼ < φᵢⱼ:
///
///     gᵢ ← gᵢ + gⱼ · ‖gᵢ‖ (φᵢⱼ √(1 − ρᵢⱼ²) − ρᵢⱼ √(1 − φᵢⱼ²)) / (‖gⱼ‖ √(1 − φᵢⱼ²))
///
/// and every visit moves the target by an exponential moving average, `φᵢⱼ ← (1 − β) φᵢⱼ + β ρᵢⱼ`
/// (targets start at 0 and persist across steps). The update is the sum of the modified gradients; the
/// weights reported are its exact coefficients on the original task gradients.
///
/// As LibMTL: the 1e-8 guards in the cosine and the step, and one similarity for the whole shared part
/// (LibMTL's default `group_type = 0`; its per-layer and per-matrix groupings are not offered). A task
/// with a zero gradient is not added to others (its term would be zero anyway) but its target is still
/// updated. Unlike LibMTL it also runs in the representation mode, on the representation gradients.
///
/// Option: `beta` (the EMA rate β, LibMTL's default 0.5, in [0, 1]).
public final class GradVac: PerTaskAggregator, NamedMultiTaskMethod {
    /// `"gradvac"`.
    public static let methodName = "gradvac"
    /// The number of tasks.
    public let taskCount: Int
    /// The EMA rate of the similarity targets.
    public let beta: Double
    /// The similarity targets φᵢⱼ (row i: the task being modified), kept across steps.
    public private(set) var targets: [[Double]]

    /// Creates the method for `taskCount` tasks with EMA rate `beta`.
    public init(taskCount: Int, beta: Double = 0.5) {
        self.taskCount = taskCount
        self.beta = beta
        targets = [[Double]](repeating: [Double](repeating: 0, count: taskCount), count: taskCount)
    }

    /// Creates the method, reading `beta`.
    /// - Throws: `PolyheadError.invalidArgument` for `beta` outside [0, 1].
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        self.init(taskCount: taskCount, beta: try options.take("beta", default: 0.5, in: 0...1))
    }

    /// Raises conflicting similarities to their targets, updates the targets and sums.
    /// Row k of `jacobian` is task `tasks[k]`: only the targets between two present tasks are used and moved.
    /// - Throws: `PolyheadError.invalidArgument` for a task gradient holding NaN or ±∞.
    public func aggregate(_ jacobian: TaskJacobian, tasks: [Int]) throws -> Aggregation {
        let t = jacobian.taskCount
        let gram = try jacobian.finiteGram(op: Self.methodName)
        let norms = (0..<t).map { gram[$0][$0].squareRoot() }
        // Track each modified gradient as coefficients on the original ones: gᵢ' = Σₖ c[i][k] gₖ.
        var coefficients = (0..<t).map { i in (0..<t).map { $0 == i ? 1.0 : 0.0 } }
        for i in 0..<t {
            for j in randomPermutation(t) where j != i {
                let dot = (0..<t).reduce(0.0) { $0 + coefficients[i][$1] * gram[$1][j] }
                let squaredNorm = (0..<t).reduce(0.0) { s, k in
                    s + (0..<t).reduce(0.0) { $0 + coefficients[i][k] * gram[k][$1] * coefficients[i][$1] }
                }
                let norm = max(squaredNorm, 0).squareRoot()
                let rho = dot / (norm * norms[j] + 1e-8)
                let target = targets[tasks[i]][tasks[j]]
                if rho < target && norms[j] > 0 {
                    let step = norm * (target * max(1 - rho * rho, 0).squareRoot()
                                       - rho * max(1 - target * target, 0).squareRoot())
                        / (norms[j] * max(1 - target * target, 0).squareRoot() + 1e-8)
                    coefficients[i][j] += step
                }
                targets[tasks[i]][tasks[j]] = (1 - beta) * target + beta * rho
            }
        }
        let weights = (0..<t).map { k in (0..<t).reduce(0.0) { $0 + coefficients[$1][k] } }
        return Aggregation(direction: jacobian.combination(weights), weights: weights)
    }
}
