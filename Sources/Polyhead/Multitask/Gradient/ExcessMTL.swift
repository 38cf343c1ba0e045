#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// ExcessMTL — robust multi-task learning with excess risks (He, Zhou, Tang, Yu, Wang, "Robust Multi-Task
/// Learning with Excess Risks", ICML 2024). Each task's excess risk is estimated from a diagonal
/// (AdaGrad-style) second-order approximation, `wᵢ = Σₖ gᵢₖ² / √(Hᵢₖ + 1e-7)` with `Hᵢ` the running sum of
/// `gᵢ ∘ gᵢ`, relative to its value at the first step; the task weights follow a multiplicative-weights
/// (exponentiated gradient) ascent on these excess risks and are renormalised to sum to T:
///
///     λᵢ ← λᵢ · exp(η · wᵢ / wᵢ⁽⁰⁾),   λ ← T · λ / Σ λ,   d = Σ λᵢ gᵢ
///
/// As LibMTL's `ExcessMTL` (after the authors' code): λ starts at 1 and is not changed at the first step,
/// which records `wᵢ⁽⁰⁾`. The update runs in log space (no overflow for long runs). A task whose `wᵢ⁽⁰⁾` is 0
/// (zero gradient at the first step) takes its first non-zero `wᵢ` as its reference and is left out of
/// that step's update (LibMTL would divide by zero). The weights reported are the exact λ.
///
/// In the representation mode the excess risks are estimated, as in LibMTL, on each task's representation
/// gradient summed over the batch, so the state follows the feature count and batches may differ in size
/// (the update still combines the whole per-sample gradients). Difference from LibMTL: LibMTL
/// back-propagates `Σ λᵢ Lᵢ`, so the task heads are weighted too; here the heads get their own task's
/// gradient, as with every gradient method.
///
/// Option: `robust_step_size` (η, LibMTL's default 1e-2, ≥ 0).
public final class ExcessMTL: PerTaskAggregator, NamedMultiTaskMethod {
    /// `"excess_mtl"`.
    public static let methodName = "excess_mtl"
    /// The number of tasks.
    public let taskCount: Int
    /// The step size η of the weight update.
    public let robustStepSize: Double
    /// The current task weights λ (sum T), kept across steps.
    public var taskWeights: [Double] { weights(of: Array(0..<taskCount)) }
    private var logWeights: [Double]
    /// Each task's first excess-risk estimate (`nil` before the task's first step).
    private var reference: [Double?]
    private var squaredSums = TaskRowState()

    /// Creates the method for `taskCount` tasks with step size `robustStepSize`.
    public init(taskCount: Int, robustStepSize: Double = 1e-2) {
        self.taskCount = taskCount
        self.robustStepSize = robustStepSize
        logWeights = [Double](repeating: 0, count: taskCount)
        reference = [Double?](repeating: nil, count: taskCount)
    }

    /// Creates the method, reading `robust_step_size`.
    /// - Throws: `PolyheadError.invalidArgument` for a negative or huge step size.
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        self.init(taskCount: taskCount, robustStepSize: try options.take("robust_step_size", default: 1e-2, in: 0...1e6))
    }

    /// Runs the gradient driver, estimating the excess risks on the batch sums of the representation
    /// gradients in the representation mode.
    public func backward(losses: [Tensor], shared: SharedPart, present: [Bool]?) throws -> MultiTaskStep {
        let batch = shared.representation.map { $0.shape.first ?? 1 } ?? 1
        return try GradientPass(taskCount: taskCount) { try self.aggregate($0, tasks: $1, batch: batch) }
            .backward(losses: losses, shared: shared, present: present)
    }

    /// Updates the excess-risk estimates and the weights of the present tasks (row k of `jacobian` is task
    /// `tasks[k]`; an absent task's state stays as it was), and combines the gradients with their weights.
    /// - Throws: `PolyheadError.shapeMismatch` when the shared part changed size since the last step.
    ///   A task gradient holding NaN or ±∞ throws `PolyheadError.invalidArgument` (before any state changes).
    public func aggregate(_ jacobian: TaskJacobian, tasks: [Int]) throws -> Aggregation {
        try aggregate(jacobian, tasks: tasks, batch: 1)
    }

    /// `aggregate(_:tasks:)` with the statistics taken on the rows summed over `batch` equal blocks.
    private func aggregate(_ jacobian: TaskJacobian, tasks: [Int], batch: Int) throws -> Aggregation {
        _ = try jacobian.finiteGram(op: Self.methodName)
        let statistics = batch > 1 ? try jacobian.summedOverBlocks(batch) : jacobian
        let risks = try squaredSums.withRows(tasks, of: taskCount) { sums -> [Double] in
            try sums.prepare(for: statistics, op: Self.methodName)
            sums.accumulateSquares(of: statistics)
            return Self.excessRisks(statistics, squaredSums: sums)
        }
        for (k, task) in tasks.enumerated() {
            if let first = reference[task], first > 0 {
                let increment = robustStepSize * risks[k] / first
                if increment.isFinite { logWeights[task] += increment }
            } else {
                reference[task] = risks[k]
            }
        }
        // Keep the log-weights near 0 (the weights only depend on their differences).
        let top = logWeights.max() ?? 0
        if top.isFinite { logWeights = logWeights.map { $0 - top } }
        let weights = weights(of: tasks)
        return Aggregation(direction: jacobian.combination(weights), weights: weights)
    }

    /// The weights of `tasks`: `tasks.count · softmax` of their log-weights.
    private func weights(of tasks: [Int]) -> [Double] {
        let part = tasks.map { logWeights[$0] }
        let top = part.max() ?? 0
        let exponentials = part.map { exp($0 - top) }
        let total = exponentials.reduce(0, +)
        return exponentials.map { Double(tasks.count) * $0 / total }
    }

    /// `Σₖ gᵢₖ² / √(Hᵢₖ + 1e-7)` per row of `jacobian`, with `H` the rows of `squaredSums`.
    private static func excessRisks(_ jacobian: TaskJacobian, squaredSums: TaskRowState) -> [Double] {
        let width = jacobian.width
        return squaredSums.values.withUnsafeBufferPointer { sums in
            jacobian.values.withUnsafeBufferPointer { g in
                (0..<jacobian.taskCount).map { task in
                    var total = 0.0
                    for k in (task * width)..<((task + 1) * width) {
                        let value = Double(g[k])
                        total += value * value / (sums[k] + 1e-7).squareRoot()
                    }
                    return total
                }
            }
        }
    }
}

private extension TaskJacobian {
    /// Each row cut into `blocks` equal consecutive blocks (one per sample of a representation gradient)
    /// and summed over them: a Jacobian `blocks` times narrower.
    func summedOverBlocks(_ blocks: Int) throws -> TaskJacobian {
        let part = width / blocks
        var sums = [[Float]](repeating: [Float](repeating: 0, count: part), count: taskCount)
        for task in 0..<taskCount {
            for block in 0..<blocks {
                let start = task * width + block * part
                for k in 0..<part { sums[task][k] += values[start + k] }
            }
        }
        return try TaskJacobian(rows: sums, losses: losses)
    }
}
