/// Fixed task weights: the objective `Σ wᵢ Lᵢ`. With all weights 1 (the default) this is equal
/// weighting (EW), the usual multi-task baseline; Keras's `loss_weights` are this method.
public final class LinearWeighting: LossWeighting, NamedMultiTaskMethod {
    /// `"linear"`; options `weight0`, `weight1`, … (default 1 each, ≥ 0).
    public static let methodName = "linear"
    /// The number of tasks.
    public let taskCount: Int
    /// The fixed weight of each task.
    public let weights: [Double]

    /// Creates the weighting with one non-negative weight per task.
    public init(weights: [Double]) throws {
        guard !weights.isEmpty, weights.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw PolyheadError.invalidArgument(op: Self.methodName, message: "weights must be finite and ≥ 0, got \(weights)")
        }
        taskCount = weights.count
        self.weights = weights
    }

    /// Creates the weighting from options `weight0…` (default 1).
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        try self.init(weights: try options.takeVector("weight", count: taskCount, default: 1, in: 0...Double.infinity))
    }

    /// `Σ wᵢ Lᵢ` over the present tasks.
    public func objective(losses: [Tensor], tasks: [Int], shared: SharedPart) throws -> (objective: Tensor, weights: [Double]) {
        let weights = tasks.map { self.weights[$0] }
        return (try weightedSum(losses, weights), weights)
    }
}
