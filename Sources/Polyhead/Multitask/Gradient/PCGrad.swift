/// PCGrad — gradient surgery (Yu, Kumar, Gupta, Levine, Hausman, Finn, NeurIPS 2020). Each task
/// gradient gᵢ, visiting the other tasks in a random order, loses its component along every gⱼ it
/// conflicts with (`gᵢ ← gᵢ − (gᵢ·gⱼ / ‖gⱼ‖²) gⱼ` when `gᵢ·gⱼ < 0`, against the original gⱼ); the update is
/// the sum of the projected gradients. The weights reported are the exact coefficients of that sum on
/// the original task gradients.
public final class PCGrad: GradientAggregator, NamedMultiTaskMethod {
    /// `"pcgrad"`; no options.
    public static let methodName = "pcgrad"
    /// The number of tasks.
    public let taskCount: Int

    /// Creates the method for `taskCount` tasks.
    public init(taskCount: Int) { self.taskCount = taskCount }

    /// Creates the method (it takes no options).
    public convenience init(taskCount: Int, options: inout MethodOptions) throws { self.init(taskCount: taskCount) }

    /// Projects conflicting components away and sums.
    public func aggregate(_ jacobian: TaskJacobian) throws -> Aggregation {
        let t = jacobian.taskCount
        let gram = jacobian.gram()
        // Track each projected gradient as coefficients on the original gradients: gᵢᴾᶜ = Σₖ c[i][k] gₖ.
        var coefficients = (0..<t).map { i in (0..<t).map { $0 == i ? 1.0 : 0.0 } }
        for i in 0..<t {
            for j in randomPermutation(t) where j != i && gram[j][j] > 0 {
                let dot = (0..<t).reduce(0.0) { $0 + coefficients[i][$1] * gram[$1][j] }
                if dot < 0 { coefficients[i][j] -= dot / gram[j][j] }
            }
        }
        let weights = (0..<t).map { k in (0..<t).reduce(0.0) { $0 + coefficients[$1][k] } }
        return Aggregation(direction: jacobian.combination(weights), weights: weights)
    }
}
