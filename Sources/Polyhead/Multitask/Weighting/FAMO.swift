#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// FAMO — fast adaptive multitask optimisation (Liu, Feng, Stone, Liu, "FAMO: Fast Adaptive Multitask
/// Optimization", NeurIPS 2023): balances the rate at which the log-losses fall using only the loss
/// values, O(1) extra cost per step (no per-task gradients).
///
/// With internal logits ξ (not a `parameters` entry: the method updates them itself), `z = softmax(ξ)`:
/// - the model's objective is `c · Σᵢ zᵢ log(Lᵢ + ε)` with `c = (Σᵢ zᵢ / (Lᵢ + ε))⁻¹` held constant, so
///   its gradient is the convex combination `Σᵢ (c zᵢ / (Lᵢ + ε)) ∇Lᵢ`; those coefficients are the
///   weights reported (they sum to 1);
/// - the logits step on `δᵢ = log(Lᵢ,before + ε) − log(Lᵢ,after + ε)` with gradient
///   `J_softmax(ξ)ᵀ δ + γ ξ = z ⊙ (δ − zᵀδ) + γ ξ`: by default an Adam step (β = 0.9, 0.999, ε = 1e-8,
///   PyTorch's bias correction) with learning rate `w_lr` and the decay γ as L2 weight decay — the paper's
///   Algorithm 2, the official code, LibMTL and torchjd; with `adam = 0` the paper's Algorithm 1 step
///   `ξ ← ξ − w_lr · (z ⊙ (δ − zᵀδ) + γ ξ)`.
///
/// Which losses are "after": the paper and LibMTL re-evaluate the same batch after the model step;
/// call `update(newLosses:)` with those values to do that. Otherwise (the O(1)-cost default, and what the
/// C ABI and Python do) the next step's `objective` uses its own losses as the "after" values of the
/// previous step before computing its weights. The lower bounds `bᵢ` of the paper are 0.
///
/// Options:
/// - `w_lr` (default 0.025, LibMTL's `FAMO_w_lr` and the paper's β; ≥ 0): the logits' learning rate.
/// - `gamma` (default 1e-3, LibMTL and torchjd; the official code uses 1e-5; ≥ 0): the logits' decay.
/// - `adam` (flag, default 1): Adam on the logits (0: the plain Algorithm 1 step).
///
/// Zero or tiny losses: ε = 1e-8 keeps `log(Lᵢ + ε)` and `1/(Lᵢ + ε)` finite. Negative or non-finite
/// losses are rejected.
public final class FAMO: LossWeighting, NamedMultiTaskMethod {
    /// `"famo"`; options `w_lr` (0.025), `gamma` (1e-3), `adam` (flag, 1).
    public static let methodName = "famo"
    /// The number of tasks.
    public let taskCount: Int
    /// The logits' learning rate β.
    public let learningRate: Double
    /// The logits' decay γ.
    public let decay: Double
    /// Whether the logits take Adam steps (otherwise plain gradient steps).
    public let usesAdam: Bool
    /// The task logits ξ (zeros at first).
    public private(set) var logits: [Double]
    /// The present tasks and their losses at the last step, waiting for their "after" values.
    private var pending: (tasks: [Int], losses: [Double])?
    private var firstMoment: [Double], secondMoment: [Double]
    /// The Adam steps each task's logit has taken.
    private var adamSteps: [Int]

    /// Creates the method for `taskCount` tasks.
    /// - Throws: `PolyheadError.invalidArgument` for a negative or non-finite learning rate or decay.
    public init(taskCount: Int, learningRate: Double = 0.025, decay: Double = 1e-3, adam: Bool = true) throws {
        guard learningRate >= 0, decay >= 0, learningRate.isFinite, decay.isFinite else {
            throw PolyheadError.invalidArgument(
                op: Self.methodName, message: "w_lr and gamma must be finite and ≥ 0, got \(learningRate), \(decay)")
        }
        self.taskCount = taskCount
        self.learningRate = learningRate
        self.decay = decay
        usesAdam = adam
        logits = [Double](repeating: 0, count: taskCount)
        firstMoment = logits
        secondMoment = logits
        adamSteps = [Int](repeating: 0, count: taskCount)
    }

    /// Creates the method from options `w_lr`, `gamma` and `adam`.
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        try self.init(taskCount: taskCount, learningRate: try options.take("w_lr", default: 0.025, in: 0...1e6),
                      decay: try options.take("gamma", default: 1e-3, in: 0...1e6),
                      adam: try options.takeFlag("adam", default: true))
    }

    /// The task weights `z = softmax(ξ)`.
    public var taskWeights: [Double] { WeightingMath.softmax(logits) }

    /// `c · Σ zᵢ log(Lᵢ + ε)` over the present tasks (z: the softmax of their logits), after stepping the
    /// logits of the tasks present both at the previous step and now on the previous losses (unless
    /// `update(newLosses:)` already did); an absent task's logit and Adam state stay as they were.
    /// - Throws: `PolyheadError.invalidArgument` for a negative or non-finite loss.
    public func objective(losses: [Tensor], tasks: [Int], shared: SharedPart) throws -> (objective: Tensor, weights: [Double]) {
        let values = try WeightingMath.values(losses, op: Self.methodName, nonNegative: true)
        if let (before, beforeLosses) = pending {
            let both = before.indices.compactMap { k in tasks.firstIndex(of: before[k]).map { (k, $0) } }
            stepLogits(tasks: both.map { before[$0.0] }, before: both.map { beforeLosses[$0.0] },
                       after: both.map { values[$0.1] })
        }
        pending = (tasks, values)
        let z = WeightingMath.softmax(tasks.map { logits[$0] }), epsilon = WeightingMath.epsilon
        let c = 1 / zip(z, values).reduce(0.0) { $0 + $1.0 / ($1.1 + epsilon) }
        let logLosses = try losses.map { try ($0 + Float(epsilon)).log() }
        let objective = try weightedSum(logLosses, z.map { c * $0 })
        return (objective, zip(z, values).map { c * $0 / ($1 + epsilon) })
    }

    /// Steps the logits with the losses re-evaluated after the model step (the paper's same-batch
    /// form; the entries of tasks absent at that step are ignored); the next `objective` then does not
    /// step them again.
    /// - Throws: `PolyheadError.invalidState` before any `objective`; `.invalidArgument` for a wrong count
    ///   or negative or non-finite values.
    public func update(newLosses: [Double]) throws {
        guard let (tasks, before) = pending else {
            throw PolyheadError.invalidState(op: Self.methodName, message: "update needs a step's losses first")
        }
        guard newLosses.count == taskCount, newLosses.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw PolyheadError.invalidArgument(
                op: Self.methodName, message: "expected \(taskCount) finite losses ≥ 0, got \(newLosses)")
        }
        stepLogits(tasks: tasks, before: before, after: tasks.map { newLosses[$0] })
        pending = nil
    }

    /// The gradient of the logits: `z ⊙ (δ − zᵀδ) + γ ξ` with `δ = log(before + ε) − log(after + ε)`.
    public func logitGradient(before: [Double], after: [Double]) -> [Double] {
        logitGradient(tasks: Array(0..<taskCount), before: before, after: after)
    }

    /// `logitGradient(before:after:)` on the logits of `tasks` alone (`before`, `after`: one loss per task).
    private func logitGradient(tasks: [Int], before: [Double], after: [Double]) -> [Double] {
        let z = WeightingMath.softmax(tasks.map { logits[$0] }), epsilon = WeightingMath.epsilon
        let delta = zip(before, after).map { Glibc.log($0 + epsilon) - Glibc.log($1 + epsilon) }
        let projection = zip(z, delta).reduce(0.0) { $0 + $1.0 * $1.1 }
        return tasks.indices.map { z[$0] * (delta[$0] - projection) + decay * logits[tasks[$0]] }
    }

    /// One Adam (or plain) step of the logits of `tasks`.
    private func stepLogits(tasks: [Int], before: [Double], after: [Double]) {
        guard !tasks.isEmpty else { return }
        let gradient = logitGradient(tasks: tasks, before: before, after: after)
        let (beta1, beta2, adamEpsilon) = (0.9, 0.999, 1e-8)
        for (k, i) in tasks.enumerated() {
            guard usesAdam else {
                logits[i] -= learningRate * gradient[k]
                continue
            }
            adamSteps[i] += 1
            let correction1 = 1 - Glibc.pow(beta1, Double(adamSteps[i]))
            let correction2 = 1 - Glibc.pow(beta2, Double(adamSteps[i]))
            firstMoment[i] = beta1 * firstMoment[i] + (1 - beta1) * gradient[k]
            secondMoment[i] = beta2 * secondMoment[i] + (1 - beta2) * gradient[k] * gradient[k]
            let denominator = secondMoment[i].squareRoot() / correction2.squareRoot() + adamEpsilon
            logits[i] -= learningRate / correction1 * firstMoment[i] / denominator
        }
    }
}
