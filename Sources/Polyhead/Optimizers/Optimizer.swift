/// Parameter elements per thread below which an update rule is not split between threads (Adam costs
/// ≈ 1.7 ns per element, so a chunk is ≥ 100 µs of work).
let optimizerGrain = 1 << 16

/// The walk shared by every optimizer: over the parameters that have a gradient, counting steps, with
/// a learning rate that can change between steps. A subclass supplies only the per-parameter rule
/// (MLX's `apply_single`), as a tight loop over contiguous buffers.
open class Optimizer {
    /// The tensors updated in place, in order.
    public let parameters: [Tensor]
    /// The step size used by the next `step()`.
    public var learningRate: Float
    /// How many times `step()` has run.
    public internal(set) var stepCount = 0
    /// Per-parameter count of updates actually applied (a parameter without a gradient is skipped).
    var updateCounts: [Int]
    /// The state buffers slot by slot, each one buffer per parameter (e.g. Adam's two moments); a subclass
    /// lists its own so that `OptimizerState` can save and restore them.
    var stateSlots: [[Storage]] { [] }

    /// Binds the optimizer to `parameters` with a finite learning rate ≥ 0.
    public init(parameters: [Tensor], learningRate: Float) throws {
        guard !parameters.isEmpty else {
            throw PolyheadError.invalidArgument(op: "optimizer", message: "optimizer got an empty parameter list")
        }
        guard learningRate >= 0, learningRate.isFinite else {
            throw PolyheadError.invalidArgument(op: "optimizer", message: "invalid learning rate: \(learningRate)")
        }
        self.parameters = parameters
        self.learningRate = learningRate
        updateCounts = [Int](repeating: 0, count: parameters.count)
        countLiveObject(1)
    }

    deinit { countLiveObject(-1) }

    /// Updates every parameter that has a gradient, in place.
    public func step() {
        stepCount += 1
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.grad else { continue }
            updateCounts[index] += 1
            update(index: index, parameter: parameter.storage.pointer, gradient: gradient.storage.pointer,
                   count: parameter.count, step: updateCounts[index])
        }
    }

    /// Clears every parameter's gradient.
    public func zeroGrad() { for parameter in parameters { parameter.grad = nil } }

    /// The per-parameter rule: updates `count` values of parameter `index` from its gradient; `step` is
    /// this parameter's 1-based update count (for bias correction).
    open func update(
        index: Int, parameter: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int, step: Int
    ) {
        // invariant: every concrete optimizer overrides this method.
        fatalError("Optimizer subclasses must override update(index:parameter:gradient:count:step:)")
    }

    /// A zeroed buffer per parameter, for optimizer state such as moments.
    func makeStateBuffers() throws -> [Storage] {
        try parameters.map { parameter in
            let buffer = try Storage(count: parameter.count, op: "optimizer")
            buffer.pointer.update(repeating: 0, count: parameter.count)
            return buffer
        }
    }
}
