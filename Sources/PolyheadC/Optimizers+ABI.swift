import Polyhead

/// The object behind a `ph_optimizer` handle: the optimizer and a lock that serialises its use, so that
/// one optimizer driven from two threads (its state and step counts are plain arrays) never corrupts memory.
final class OptimizerHandle {
    let optimizer: Optimizer
    let lock = HandleLock()
    init(_ optimizer: Optimizer) { self.optimizer = optimizer }

    /// Runs `body` with the optimizer while holding its lock (throws while another thread's fit uses it).
    func locked<T>(_ body: (Optimizer) throws -> T) throws -> T {
        try lock.run("optimizer") { try body(optimizer) }
    }
}

/// Borrows the optimizer behind a handle.
func borrowOptimizer(_ handle: OpaquePointer?) throws -> OptimizerHandle {
    guard let handle else { throw ABIError(status: statusValue, message: "optimizer is NULL") }
    return Unmanaged<OptimizerHandle>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
}

/// Runs an optimizer-producing body and writes its result at +1 into `out`.
private func produceOptimizer(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ body: () throws -> Optimizer) -> Int32 {
    abiCall {
        let target = try checkOut(out)
        target.pointee = OpaquePointer(Unmanaged.passRetained(OptimizerHandle(try body())).toOpaque())
    }
}

@_cdecl("ph_optimizer_sgd_new")
public func ph_optimizer_sgd_new(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ parameters: UnsafePointer<OpaquePointer?>?, _ count: Int32,
    _ lr: Float, _ momentum: Float, _ dampening: Float, _ weightDecay: Float, _ nesterov: Int32
) -> Int32 {
    produceOptimizer(out) {
        try SGD(parameters: try borrowTensors(parameters, count: count, "parameters"), learningRate: lr,
                momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov != 0)
    }
}

@_cdecl("ph_optimizer_adam_new")
public func ph_optimizer_adam_new(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ parameters: UnsafePointer<OpaquePointer?>?, _ count: Int32,
    _ lr: Float, _ beta1: Float, _ beta2: Float, _ eps: Float, _ weightDecay: Float, _ decoupled: Int32
) -> Int32 {
    produceOptimizer(out) {
        try Adam(parameters: try borrowTensors(parameters, count: count, "parameters"), learningRate: lr,
                 beta1: beta1, beta2: beta2, epsilon: eps, weightDecay: weightDecay, decoupled: decoupled != 0)
    }
}

@_cdecl("ph_optimizer_rmsprop_new")
public func ph_optimizer_rmsprop_new(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ parameters: UnsafePointer<OpaquePointer?>?, _ count: Int32,
    _ lr: Float, _ alpha: Float, _ eps: Float, _ weightDecay: Float, _ momentum: Float, _ centered: Int32,
    _ epsInsideSqrt: Int32
) -> Int32 {
    produceOptimizer(out) {
        try RMSprop(parameters: try borrowTensors(parameters, count: count, "parameters"), learningRate: lr,
                    alpha: alpha, epsilon: eps, weightDecay: weightDecay, momentum: momentum, centered: centered != 0,
                    epsilonInsideSquareRoot: epsInsideSqrt != 0)
    }
}

@_cdecl("ph_optimizer_adagrad_new")
public func ph_optimizer_adagrad_new(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ parameters: UnsafePointer<OpaquePointer?>?, _ count: Int32,
    _ lr: Float, _ lrDecay: Float, _ weightDecay: Float, _ initialAccumulatorValue: Float, _ eps: Float
) -> Int32 {
    produceOptimizer(out) {
        try Adagrad(parameters: try borrowTensors(parameters, count: count, "parameters"), learningRate: lr,
                    learningRateDecay: lrDecay, weightDecay: weightDecay,
                    initialAccumulatorValue: initialAccumulatorValue, epsilon: eps)
    }
}

@_cdecl("ph_optimizer_step")
public func ph_optimizer_step(_ optimizer: OpaquePointer?) -> Int32 {
    abiCall { try borrowOptimizer(optimizer).locked { $0.step() } }
}

@_cdecl("ph_optimizer_zero_grad")
public func ph_optimizer_zero_grad(_ optimizer: OpaquePointer?) -> Int32 {
    abiCall { try borrowOptimizer(optimizer).locked { $0.zeroGrad() } }
}

@_cdecl("ph_optimizer_set_learning_rate")
public func ph_optimizer_set_learning_rate(_ optimizer: OpaquePointer?, _ lr: Float) -> Int32 {
    abiCall {
        guard lr >= 0, lr.isFinite else { throw ABIError(status: statusValue, message: "invalid learning rate: \(lr)") }
        try borrowOptimizer(optimizer).locked { $0.learningRate = lr }
    }
}

@_cdecl("ph_optimizer_step_count")
public func ph_optimizer_step_count(_ out: UnsafeMutablePointer<Int64>?, _ optimizer: OpaquePointer?) -> Int32 {
    abiCall { try checkOut(out).pointee = Int64(try borrowOptimizer(optimizer).locked { $0.stepCount }) }
}

@_cdecl("ph_optimizer_free")
public func ph_optimizer_free(_ optimizer: OpaquePointer?) -> Int32 {
    if let optimizer { Unmanaged<OptimizerHandle>.fromOpaque(UnsafeRawPointer(optimizer)).release() }
    return statusOK
}
