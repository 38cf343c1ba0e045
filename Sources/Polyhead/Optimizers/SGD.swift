/// Stochastic gradient descent (Robbins & Monro 1951) with momentum (Polyak 1964), optional Nesterov
/// momentum (Sutskever et al. 2013) and L2 weight decay — the update rule of `torch.optim.SGD`:
/// `g ← ∇ + λθ; b ← μb + (1−τ)g (b = g on the first step); g ← g + μb (Nesterov) or b; θ ← θ − ηg`.
public final class SGD: Optimizer {
    /// The momentum factor μ (0 disables momentum).
    public let momentum: Float
    /// The dampening τ of the momentum.
    public let dampening: Float
    /// The L2 penalty λ added to the gradient.
    public let weightDecay: Float
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool
    private var momentumBuffers: [Storage] = []
    /// The momentum buffers (torch's "momentum_buffer"), when there is momentum.
    override var stateSlots: [[Storage]] { momentumBuffers.isEmpty ? [] : [momentumBuffers] }

    /// Creates the optimizer; see the type's documentation for the rule.
    /// - Throws: `PolyheadError.invalidArgument` for a negative hyper-parameter or Nesterov without
    ///   momentum or with dampening.
    public init(
        parameters: [Tensor], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
        weightDecay: Float = 0, nesterov: Bool = false
    ) throws {
        guard momentum >= 0, weightDecay >= 0, momentum.isFinite, weightDecay.isFinite, dampening.isFinite else {
            throw PolyheadError.invalidArgument(
                op: "SGD", message: "invalid momentum \(momentum) or weight_decay \(weightDecay)")
        }
        guard !nesterov || (momentum > 0 && dampening == 0) else {
            throw PolyheadError.invalidArgument(op: "SGD", message: "Nesterov momentum requires a momentum and zero dampening")
        }
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        try super.init(parameters: parameters, learningRate: learningRate)
        if momentum != 0 { momentumBuffers = try makeStateBuffers() }
    }

    /// Applies the SGD rule to one parameter.
    override public func update(
        index: Int, parameter: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int, step: Int
    ) {
        let (lr, decay, mu, keep) = (learningRate, weightDecay, momentum, 1 - dampening)
        guard mu != 0 else {
            for i in 0..<count { parameter[i] -= lr * (gradient[i] + decay * parameter[i]) }
            return
        }
        let buffer = momentumBuffers[index].pointer
        let first = step == 1, nesterov = nesterov
        for i in 0..<count {
            let g = gradient[i] + decay * parameter[i]
            let b = first ? g : mu * buffer[i] + keep * g
            buffer[i] = b
            parameter[i] -= lr * (nesterov ? g + mu * b : b)
        }
    }
}
