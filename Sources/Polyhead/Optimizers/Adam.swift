#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PolyheadKernels

/// Adam (Kingma & Ba 2015) with PyTorch's bias correction and, when `decoupled`, AdamW's decoupled
/// weight decay (Loshchilov & Hutter 2019):
/// `m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − η/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)`,
/// with `g ← ∇ + λθ` (Adam) or `θ ← θ(1 − ηλ)` first (AdamW).
public class Adam: Optimizer {
    /// Decay rate of the first moment.
    public let beta1: Float
    /// Decay rate of the second moment.
    public let beta2: Float
    /// Added to the denominator for stability.
    public let epsilon: Float
    /// Weight decay λ (L2 for Adam, decoupled for AdamW).
    public let weightDecay: Float
    /// Whether weight decay is decoupled from the gradient (AdamW).
    public let decoupled: Bool
    private var firstMoments: [Storage] = []
    private var secondMoments: [Storage] = []
    /// The first and second moments (torch's "exp_avg", "exp_avg_sq").
    override var stateSlots: [[Storage]] { [firstMoments, secondMoments] }

    /// Creates the optimizer; see the type's documentation for the rule.
    /// - Throws: `PolyheadError.invalidArgument` for betas outside [0, 1), a negative ε or weight decay.
    public init(
        parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = false
    ) throws {
        guard (0..<1).contains(beta1), (0..<1).contains(beta2) else {
            throw PolyheadError.invalidArgument(op: "Adam", message: "invalid betas (\(beta1), \(beta2)); need 0 ≤ β < 1")
        }
        guard epsilon >= 0, weightDecay >= 0, epsilon.isFinite, weightDecay.isFinite else {
            throw PolyheadError.invalidArgument(
                op: "Adam", message: "invalid eps \(epsilon) or weight_decay \(weightDecay)")
        }
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        try super.init(parameters: parameters, learningRate: learningRate)
        firstMoments = try makeStateBuffers()
        secondMoments = try makeStateBuffers()
    }

    /// Applies the Adam(W) rule to one parameter.
    override public func update(
        index: Int, parameter: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int, step: Int
    ) {
        let m = firstMoments[index].pointer, v = secondMoments[index].pointer
        let (b1, b2, eps, lr) = (beta1, beta2, epsilon, learningRate)
        let correction1 = 1 - Float(Glibc.pow(Double(b1), Double(step)))
        let correction2 = 1 - Float(Glibc.pow(Double(b2), Double(step)))
        let constants = ph_adam_constants(
            beta1: b1, beta2: b2, l2: decoupled ? 0 : weightDecay, shrink: decoupled ? 1 - lr * weightDecay : 1,
            step_size: lr / correction1, root_correction: correction2.squareRoot(), epsilon: eps)
        // The C kernel vectorises (Swift's SIMD square root does not). Large parameters are split between
        // threads at multiples of eight elements; each element's result does not depend on the split.
        let lanes = 8
        parallelRanges((count + lanes - 1) / lanes, grain: optimizerGrain / lanes) { blocks in
            let start = blocks.lowerBound * lanes, end = min(blocks.upperBound * lanes, count)
            ph_adam_update(parameter + start, gradient + start, m + start, v + start, end - start, constants)
        }
    }
}

/// A vector of consecutive values read from `pointer` (any alignment).
@inline(__always) func loadVector<Vector: SIMD>(_ pointer: UnsafePointer<Vector.Scalar>) -> Vector {
    UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
}

/// A vector written to consecutive values from `pointer` (any alignment).
@inline(__always) func storeVector<Vector: SIMD>(_ value: Vector, _ pointer: UnsafeMutablePointer<Vector.Scalar>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
}

/// AdamW: Adam with decoupled weight decay (default λ = 0.01, as PyTorch).
public final class AdamW: Adam {
    /// Creates the optimizer with decoupled weight decay.
    public init(
        parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 0.01
    ) throws {
        try super.init(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2,
                       epsilon: epsilon, weightDecay: weightDecay, decoupled: true)
    }
}
