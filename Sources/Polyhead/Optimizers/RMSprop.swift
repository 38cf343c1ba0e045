/// RMSprop (Hinton's lecture 6e): a running mean of squared gradients scales each step,
/// `v ← α·v + (1 − α)·g²`, `p ← p − lr · g / (√v + ε)`, with PyTorch's options (weight decay added to the
/// gradient, momentum on the scaled step, `centered` subtracting the squared running mean gradient).
/// `epsilonInsideSquareRoot` gives Keras's form `g / √(v + ε)` instead.
public final class RMSprop: Optimizer {
    public let alpha: Float
    public let epsilon: Float
    public let weightDecay: Float
    public let momentum: Float
    public let centered: Bool
    public let epsilonInsideSquareRoot: Bool
    private var squareAverages: [Storage] = []
    private var gradientAverages: [Storage] = []
    private var momentumBuffers: [Storage] = []
    /// The running means of g² and (centered) g, then the momentum buffers, those in use (torch's
    /// "square_avg", "grad_avg", "momentum_buffer").
    override var stateSlots: [[Storage]] {
        [squareAverages, gradientAverages, momentumBuffers].filter { !$0.isEmpty }
    }

    /// - Throws: `PolyheadError.invalidArgument` unless 0 ≤ α ≤ 1, ε ≥ 0, weight decay ≥ 0, momentum ≥ 0
    ///   (all finite) and the learning rate is valid.
    public init(
        parameters: [Tensor], learningRate: Float = 0.01, alpha: Float = 0.99, epsilon: Float = 1e-8,
        weightDecay: Float = 0, momentum: Float = 0, centered: Bool = false, epsilonInsideSquareRoot: Bool = false
    ) throws {
        guard (0...1).contains(alpha), epsilon >= 0, epsilon.isFinite, weightDecay >= 0, weightDecay.isFinite,
              momentum >= 0, momentum.isFinite else {
            throw PolyheadError.invalidArgument(
                op: "RMSprop", message: "invalid alpha \(alpha), eps \(epsilon), weight_decay \(weightDecay) or momentum \(momentum)")
        }
        (self.alpha, self.epsilon, self.weightDecay, self.momentum) = (alpha, epsilon, weightDecay, momentum)
        (self.centered, self.epsilonInsideSquareRoot) = (centered, epsilonInsideSquareRoot)
        try super.init(parameters: parameters, learningRate: learningRate)
        squareAverages = try makeStateBuffers()
        if centered { gradientAverages = try makeStateBuffers() }
        if momentum > 0 { momentumBuffers = try makeStateBuffers() }
    }

    /// Applies the RMSprop rule to one parameter.
    override public func update(
        index: Int, parameter: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int, step: Int
    ) {
        let (lr, a, eps, decay, mu) = (learningRate, alpha, epsilon, weightDecay, momentum)
        let v = squareAverages[index].pointer
        let mean = centered ? gradientAverages[index].pointer : nil
        let buffer = mu > 0 ? momentumBuffers[index].pointer : nil
        let inside = epsilonInsideSquareRoot
        for i in 0..<count {
            let g = gradient[i] + decay * parameter[i]
            v[i] = a * v[i] + (1 - a) * g * g
            var variance = v[i]
            if let mean {
                mean[i] = a * mean[i] + (1 - a) * g
                variance -= mean[i] * mean[i]
            }
            let denominator = inside ? (variance + eps).squareRoot() : variance.squareRoot() + eps
            let scaled = g / denominator
            if let buffer {
                buffer[i] = mu * buffer[i] + scaled
                parameter[i] -= lr * buffer[i]
            } else {
                parameter[i] -= lr * scaled
            }
        }
    }
}
