#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBLAS

/// GradNorm (Chen, Badrinarayanan, Lee, Rabinovich, "GradNorm: Gradient Normalization for Adaptive Loss
/// Balancing in Deep Multitask Networks", ICML 2018): learnable task weights `wᵢ` (the tensor
/// `lossWeights`, listed in `parameters`) are tuned so that the gradient norm each weighted task puts on
/// the shared part follows its relative training rate.
///
/// Each step, with `W` the measured shared tensor:
/// - `Gᵢ = ‖∇_W (wᵢ Lᵢ)‖₂ = wᵢ ‖∇_W Lᵢ‖₂` and `Ḡ = meanᵢ Gᵢ`;
/// - `L̃ᵢ = Lᵢ(t) / Lᵢ(0)` (with `Lᵢ(0)` the losses of the first step) and `rᵢ = L̃ᵢ / meanⱼ L̃ⱼ`;
/// - `L_grad = Σᵢ |Gᵢ − Ḡ·rᵢ^α|` with the targets `Ḡ·rᵢ^α` held constant; its gradient with respect to the
///   weights, `sign(Gᵢ − Ḡ rᵢ^α)·‖∇_W Lᵢ‖`, is added to `lossWeights.grad`, so the optimizer that steps the
///   model (give it `parameters` too) steps the weights;
/// - the model's objective is `Σ wᵢ Lᵢ` with the weights held constant (the model never sees `L_grad`).
///
/// After the optimizer step the weights are renormalised to sum to T at the start of the next
/// `objective` (weights that went ≤ 0 are first raised to 1e-6), so the reported weights always sum to T
/// (with absent tasks: the present tasks' weights to their number, the absent ones' left as they are).
///
/// `W`: the shared representation when `SharedPart.representation` is given (LibMTL's `rep_grad`), else
/// the last shared parameter with at least two dimensions (the paper's last shared layer's weight, the
/// bias after it skipped), or the last one when all are vectors. To measure another tensor, pass just
/// that tensor as the shared parameters: this method uses them for nothing else. (LibMTL measures the
/// norm over all shared parameters instead, and parameterises `w = T·softmax(s)`.) Cost: T extra backward
/// passes from the losses down to `W` only (through the heads and the last shared layer, computing only
/// `W`'s gradient there); in the parameter mode the step's own pass then reuses them for `W`'s gradient.
///
/// Options:
/// - `alpha` α (default 1.5, the paper's NYUv2 value and LibMTL's; ≥ 0): the strength of the pull back
///   to a common training rate (0 equalises the gradient norms).
///
/// Zero or tiny losses: `Lᵢ(0)` is clamped to ≥ ε = 1e-8, and when every `L̃ᵢ` is 0 all `rᵢ` are 1, so
/// the update stays finite. Negative or non-finite losses are rejected.
public final class GradNorm: LossWeighting, NamedMultiTaskMethod {
    /// `"gradnorm"`; option `alpha` (default 1.5, ≥ 0).
    public static let methodName = "gradnorm"
    /// The number of tasks.
    public let taskCount: Int
    /// The asymmetry α.
    public let alpha: Double
    /// The learnable task weights, shape `(T,)`, starting at 1.
    public let lossWeights: Tensor
    /// The losses of each task's first step, `Lᵢ(0)` (`nil` before it; a step where the task is absent does
    /// not count).
    public private(set) var initialLosses: [Double?]

    /// The smallest weight kept by the renormalisation.
    static let minimumWeight = 1e-6

    /// Creates the method for `taskCount` tasks.
    /// - Throws: `PolyheadError.invalidArgument` unless α is finite and ≥ 0.
    public init(taskCount: Int, alpha: Double = 1.5) throws {
        guard alpha >= 0, alpha.isFinite, taskCount >= 1 else {
            throw PolyheadError.invalidArgument(op: Self.methodName, message: "alpha must be finite and ≥ 0, got \(alpha)")
        }
        self.taskCount = taskCount
        self.alpha = alpha
        lossWeights = try Tensor.ones([taskCount], requiresGrad: true)
        initialLosses = [Double?](repeating: nil, count: taskCount)
    }

    /// Creates the method from option `alpha`.
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        try self.init(taskCount: taskCount, alpha: try options.take("alpha", default: 1.5, in: 0...1e6))
    }

    /// The task weights.
    public var parameters: [Tensor] { [lossWeights] }

    /// The current weights, renormalised (in place) to sum to T.
    public func renormalizedWeights() -> [Double] { renormalizedWeights(of: Array(0..<taskCount)) }

    /// The weights of `tasks`, renormalised (in place) to sum to their number; the others stay as they are.
    func renormalizedWeights(of tasks: [Int]) -> [Double] {
        lossWeights.withUnsafeMutableBufferPointer { w in
            let floor = Float(Self.minimumWeight)
            for i in tasks where !(w[i] >= floor) { w[i] = floor }  // also replaces NaN
            let scale = Float(tasks.count) / tasks.reduce(0) { $0 + w[$1] }
            for i in tasks { w[i] *= scale }
            return tasks.map { Double(w[$0]) }
        }
    }

    /// `Σ wᵢ Lᵢ` over the present tasks (weights constant), after adding the GradNorm gradient to
    /// `lossWeights.grad` (0 for an absent task).
    /// - Throws: `PolyheadError.invalidArgument` for a negative or non-finite loss, or when the shared part
    ///   has neither parameters nor a representation.
    public func objective(losses: [Tensor], tasks: [Int], shared: SharedPart) throws -> (objective: Tensor, weights: [Double]) {
        let step = try balance(losses: losses, tasks: tasks, shared: shared)
        return (step.objective, step.weights)
    }

    /// Back-propagates the objective. When the measured tensor `W` is a leaf that accumulates a gradient
    /// (the parameter mode), its gradient `Σ wᵢ ∇_W Lᵢ` is assembled from the T task gradients the norms
    /// needed, and the pass stops at `W`: the step then costs T − 1 products of `W`'s size more than a
    /// plain summed-loss step, not T.
    public func backward(losses: [Tensor], shared: SharedPart, present: [Bool]?) throws -> MultiTaskStep {
        try stepPresent(losses, present) { losses, tasks in
            let step = try balance(losses: losses, tasks: tasks, shared: shared)
            let reached = zip(step.weights, step.taskGradients).compactMap { weight, gradient in gradient.map { (weight, $0) } }
            guard step.measured.isLeaf, step.measured.requiresGrad, !reached.isEmpty else {
                try step.objective.backward()
                return step.weights
            }
            try step.objective.backward(stoppingAt: [step.measured])
            let total = try Tensor.zeros(step.measured.shape)
            for (weight, gradient) in reached {
                cblas_saxpy(blasint(total.count), Float(weight), gradient.storage.pointer, 1, total.storage.pointer, 1)
            }
            try step.measured.accumulateGrad(total, adopting: true)
            return step.weights
        }
    }

    /// The shared work of `objective` and `backward` for the present tasks (`losses[k]` is task `tasks[k]`'s):
    /// the task gradients of the measured tensor (`nil` for a task that does not reach it), the weight update
    /// added to `lossWeights.grad`, and the objective.
    private func balance(losses: [Tensor], tasks: [Int], shared: SharedPart) throws
        -> (objective: Tensor, weights: [Double], measured: Tensor, taskGradients: [Tensor?]) {
        let values = try WeightingMath.values(losses, op: Self.methodName, nonNegative: true)
        let measured = try Self.measuredTensor(shared)
        let weights = renormalizedWeights(of: tasks)
        let gradients = try losses.map { try $0.reachableGradients(withRespectTo: [measured], retainGraph: true)[0] }
        let norms = gradients.map { gradient in
            gradient.map { cblas_dsdot(blasint($0.count), $0.storage.pointer, 1, $0.storage.pointer, 1).squareRoot() } ?? 0
        }
        for (k, task) in tasks.enumerated() where initialLosses[task] == nil { initialLosses[task] = values[k] }
        let step = weightGradient(weights: weights, norms: norms, values: values,
                                  initial: zip(tasks, values).map { initialLosses[$0] ?? $1 })
        var increment = [Double](repeating: 0, count: taskCount)
        for (k, task) in tasks.enumerated() { increment[task] = step[k] }
        try WeightingMath.accumulateGradient(increment, into: lossWeights)
        return (try weightedSum(losses, weights), weights, measured, gradients)
    }

    /// `∂L_grad/∂wᵢ = sign(wᵢnᵢ − Ḡ·rᵢ^α)·nᵢ` for weights `weights`, norms `nᵢ = ‖∇_W Lᵢ‖`, losses `values`
    /// and first-step losses `initial`.
    public func weightGradient(weights: [Double], norms: [Double], values: [Double], initial: [Double]) -> [Double] {
        let t = Double(weights.count)
        let g = zip(weights, norms).map { $0 * $1 }
        let meanNorm = g.reduce(0, +) / t
        let ratios = zip(values, initial).map { $0 / max($1, WeightingMath.epsilon) }
        let meanRatio = ratios.reduce(0, +) / t
        let rates = ratios.map { meanRatio > 0 ? $0 / meanRatio : 1 }
        return weights.indices.map { i in
            let difference = g[i] - meanNorm * Glibc.pow(rates[i], alpha)
            return difference > 0 ? norms[i] : (difference < 0 ? -norms[i] : 0)
        }
    }

    /// The tensor whose gradient norms are balanced (see the type's documentation).
    static func measuredTensor(_ shared: SharedPart) throws -> Tensor {
        if let representation = shared.representation { return representation }
        guard let last = shared.parameters.last(where: { $0.rank >= 2 }) ?? shared.parameters.last else {
            throw PolyheadError.invalidArgument(
                op: methodName, message: "gradnorm needs the shared parameters or representation")
        }
        return last
    }
}
