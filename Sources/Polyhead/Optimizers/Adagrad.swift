/// Adagrad (Duchi, Hazan & Singer 2011): every coordinate's step is scaled by its accumulated squared
/// gradients — the update rule of `torch.optim.Adagrad`: `g ← ∇ + λθ; η_t ← η / (1 + (t − 1)·decay);
/// s ← s + g²; θ ← θ − η_t · g / (√s + ε)`, with `s` starting at `initialAccumulatorValue`.
public final class Adagrad: Optimizer {
    /// The decay of the learning rate with the step count.
    public let learningRateDecay: Float
    /// The L2 penalty λ added to the gradient.
    public let weightDecay: Float
    /// The value every sum of squared gradients starts from.
    public let initialAccumulatorValue: Float
    /// Added to the denominator.
    public let epsilon: Float
    private var squareSums: [Storage] = []
    /// The sums of squared gradients (torch's "sum").
    override var stateSlots: [[Storage]] { [squareSums] }

    /// Creates the optimizer; see the type's documentation for the rule.
    /// - Throws: `PolyheadError.invalidArgument` unless the learning rate decay, weight decay, initial
    ///   accumulator value and ε are finite and ≥ 0 and the learning rate is valid.
    public init(
        parameters: [Tensor], learningRate: Float = 0.01, learningRateDecay: Float = 0, weightDecay: Float = 0,
        initialAccumulatorValue: Float = 0, epsilon: Float = 1e-10
    ) throws {
        let options = [learningRateDecay, weightDecay, initialAccumulatorValue, epsilon]
        guard options.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw PolyheadError.invalidArgument(
                op: "Adagrad", message: "invalid lr_decay \(learningRateDecay), weight_decay \(weightDecay), "
                    + "initial_accumulator_value \(initialAccumulatorValue) or eps \(epsilon)")
        }
        (self.learningRateDecay, self.weightDecay) = (learningRateDecay, weightDecay)
        (self.initialAccumulatorValue, self.epsilon) = (initialAccumulatorValue, epsilon)
        try super.init(parameters: parameters, learningRate: learningRate)
        squareSums = try makeStateBuffers()
        for (buffer, parameter) in zip(squareSums, parameters) {
            buffer.pointer.update(repeating: initialAccumulatorValue, count: parameter.count)
        }
    }

    /// Applies the Adagrad rule to one parameter.
    override public func update(
        index: Int, parameter: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int, step: Int
    ) {
        let lr = learningRate / (1 + Float(step - 1) * learningRateDecay)
        let (decay, eps) = (weightDecay, epsilon)
        let sums = squareSums[index].pointer
        for i in 0..<count {
            let g = gradient[i] + decay * parameter[i]
            sums[i] += g * g
            parameter[i] -= lr * g / (sums[i].squareRoot() + eps)
        }
    }
}
