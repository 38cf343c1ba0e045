/// A loss-level method: one weight per task per step, applied to the losses themselves
/// (linear weights, inverse-loss, uncertainty, DWA, GradNorm, RLW, FAMO). The update is the gradient of
/// the objective it builds, so it costs one ordinary backward pass.
public protocol LossWeighting: MultiTaskMethod {
    /// The recorded scalar objective to back-propagate (usually `Σ wᵢ Lᵢ`, plus any regulariser of the
    /// method's own parameters) and the task weights used.
    func objective(losses: [Tensor], shared: SharedPart) throws -> (objective: Tensor, weights: [Double])
}

extension LossWeighting {
    /// Back-propagates `objective(losses:shared:)`.
    public func backward(losses: [Tensor], shared: SharedPart) throws -> MultiTaskStep {
        try checkLosses(losses, op: "mtl_backward")
        let (objective, weights) = try objective(losses: losses, shared: shared)
        try objective.backward()
        return MultiTaskStep(weights: weights)
    }
}

/// `Σ weights[i] · losses[i]`, recorded (the weights are constants).
func weightedSum(_ losses: [Tensor], _ weights: [Double]) throws -> Tensor {
    var total: Tensor? = nil
    for (loss, weight) in zip(losses, weights) {
        let term = try loss * Float(weight)
        total = try total.map { try $0 + term } ?? term
    }
    // invariant: methods are made for at least one task, so there is at least one term.
    return total!
}
