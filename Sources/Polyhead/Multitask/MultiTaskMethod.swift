/// The shared part of a multi-task model, as a method sees it for one step.
public struct SharedPart {
    /// The shared parameters (trunk); gradient methods combine the task gradients of these.
    public let parameters: [Tensor]
    /// The shared representation (the trunk's output), for the MGDA-UB-style mode where task gradients
    /// are taken with respect to it instead of the parameters; `nil` for the parameter mode.
    public let representation: Tensor?

    /// Describes the shared part by its parameters and, optionally, its output representation.
    public init(parameters: [Tensor], representation: Tensor? = nil) {
        self.parameters = parameters
        self.representation = representation
    }
}

/// What one multi-task step did, for logging.
public struct MultiTaskStep: Equatable {
    /// The weight given to each task (for gradient methods, the effective weights of the combination).
    public let weights: [Double]
}

/// A way to turn T task losses into one update (LibMTL's `AbsWeighting`): after `backward` every
/// parameter's `grad` holds this step's contribution, ready for an optimizer step.
public protocol MultiTaskMethod: AnyObject {
    /// The number of tasks the method was made for.
    var taskCount: Int { get }
    /// The method's own learnable tensors (e.g. uncertainty weighting's log-variances); an optimizer
    /// should update them together with the model. Empty for most methods.
    var parameters: [Tensor] { get }
    /// Back-propagates one step of the task losses (one scalar per task, in task order). `present` says which
    /// tasks have a labelled sample in the batch (one flag per task); an absent task takes no part in the step
    /// (weight 0, no gradient, its state untouched). `nil`: the methods tell absent tasks by their losses (see
    /// `GradientAggregator` and `LossWeighting`).
    /// - Throws: `PolyheadError` for a wrong number of losses or flags, non-scalar losses or a missing shared
    ///   part.
    func backward(losses: [Tensor], shared: SharedPart, present: [Bool]?) throws -> MultiTaskStep
    /// Marks the end of an epoch (epoch-level methods such as DWA update their state here).
    func endEpoch()
}

extension MultiTaskMethod {
    /// No learnable tensors.
    public var parameters: [Tensor] { [] }
    /// Nothing to do at the end of an epoch.
    public func endEpoch() {}

    /// `backward(losses:shared:present:)` with the absent tasks told by their losses.
    public func backward(losses: [Tensor], shared: SharedPart) throws -> MultiTaskStep {
        try backward(losses: losses, shared: shared, present: nil)
    }

    /// Throws unless `losses` holds `taskCount` one-element tensors that require grad and `present` (when
    /// given) one flag per task.
    func checkLosses(_ losses: [Tensor], present: [Bool]? = nil, op: String) throws {
        guard losses.count == taskCount else {
            throw PolyheadError.invalidArgument(
                op: op, message: "expected \(taskCount) task losses, got \(losses.count)")
        }
        if let present, present.count != taskCount {
            throw PolyheadError.invalidArgument(
                op: op, message: "present has \(present.count) flags for \(taskCount) tasks")
        }
        for (index, loss) in losses.enumerated() {
            guard loss.count == 1 else {
                throw PolyheadError.shapeMismatch(
                    op: op, message: "loss \(index) must be a scalar, got shape \(describe(loss.shape))")
            }
            guard loss.requiresGrad else {
                throw PolyheadError.invalidState(op: op, message: "loss \(index) does not require grad")
            }
        }
    }
}

/// The unweighted sum of the task losses, recorded.
func totalLoss(_ losses: [Tensor]) throws -> Tensor {
    try losses.dropFirst().reduce(losses[0]) { try $0 + $1 }
}
