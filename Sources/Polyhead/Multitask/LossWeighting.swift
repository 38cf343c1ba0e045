/// A loss-level method: one weight per task per step, applied to the losses themselves
/// (linear weights, inverse-loss, uncertainty, DWA, GradNorm, RLW, FAMO). The update is the gradient of
/// the objective it builds, so it costs one ordinary backward pass.
///
/// Absent tasks: a task flagged absent in `backward`'s `present`, or without flags one whose loss is exactly
/// 0 (a masked loss whose batch has no labelled sample; the usual losses are ≥ 0, so their gradient there is
/// 0 as well), takes no part in the step: the objective is
/// built from the other tasks' losses alone (`objective(losses:tasks:shared:)`), the absent task gets weight
/// 0 and its head no gradient, and with no task present there is no update.
public protocol LossWeighting: MultiTaskMethod {
    /// The recorded scalar objective to back-propagate (usually `Σ wᵢ Lᵢ`, plus any regulariser of the
    /// method's own parameters) and the task weights used, for the tasks present at this step: `losses[k]`
    /// is the loss of task `tasks[k]` and the weights are one per present task. Methods with per-task state
    /// or parameters use theirs for `tasks` only and leave the absent tasks' untouched.
    func objective(losses: [Tensor], tasks: [Int], shared: SharedPart) throws -> (objective: Tensor, weights: [Double])
}

extension LossWeighting {
    /// `objective(losses:tasks:shared:)` with every task present.
    /// - Throws: `PolyheadError` for a wrong number of losses or non-scalar losses, and what the method throws.
    public func objective(losses: [Tensor], shared: SharedPart) throws -> (objective: Tensor, weights: [Double]) {
        try checkLosses(losses, op: "mtl_objective")
        return try objective(losses: losses, tasks: Array(0..<taskCount), shared: shared)
    }

    /// Back-propagates `objective(losses:tasks:shared:)` of the present tasks (nothing when none is).
    public func backward(losses: [Tensor], shared: SharedPart, present: [Bool]?) throws -> MultiTaskStep {
        try stepPresent(losses, present) { losses, tasks in
            let (objective, weights) = try objective(losses: losses, tasks: tasks, shared: shared)
            try objective.backward()
            return weights
        }
    }

    /// Checks `losses`, runs `step` on the losses of the present tasks (flagged in `present`, or else those
    /// whose loss is not exactly 0; `step` gets their indices too, and does not run when no task is present)
    /// and spreads the weights it returns over every task (0 when absent).
    /// - Throws: what `checkLosses` and `step` throw; `PolyheadError.invalidState` for a mis-sized result.
    func stepPresent(_ losses: [Tensor], _ present: [Bool]?,
                     _ step: (_ losses: [Tensor], _ tasks: [Int]) throws -> [Double]) throws -> MultiTaskStep {
        try checkLosses(losses, present: present, op: "mtl_backward")
        let tasks = try present.map { flags in flags.indices.filter { flags[$0] } }
            ?? losses.indices.filter { try losses[$0].item() != 0 }
        var weights = [Double](repeating: 0, count: taskCount)
        guard !tasks.isEmpty else { return MultiTaskStep(weights: weights) }
        let part = try step(tasks.map { losses[$0] }, tasks)
        guard part.count == tasks.count else {
            throw PolyheadError.invalidState(op: "mtl_backward", message: "weighting returned a mis-sized result")
        }
        for (k, task) in tasks.enumerated() { weights[task] = part[k] }
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
