extension Tensor {
    /// Back-propagates from this tensor through the recorded graph, accumulating gradients into the
    /// `grad` of every leaf that requires them.
    ///
    /// - Parameters:
    ///   - seed: The gradient of the final objective with respect to this tensor, shaped like it; may be
    ///     omitted for a one-element tensor (then it is 1).
    ///   - retainGraph: Keep the graph so another backward pass can run through it (the multi-task
    ///     gradient methods run one pass per task over one forward). Otherwise it is freed.
    ///   - stops: Tensors the pass does not enter: they and everything computed only from them receive
    ///     nothing (the heads-only pass of the multi-task methods stops at the shared part).
    /// - Throws: `PolyheadError.invalidState` if nothing requires grad, the graph was already freed, or a
    ///   seed is needed; `PolyheadError.shapeMismatch` for a mis-shaped seed.
    public func backward(seed: Tensor? = nil, retainGraph: Bool = false, stoppingAt stops: [Tensor] = []) throws {
        let pass = try BackwardPass(root: self, seed: seed, targets: nil, stops: stops)
        try pass.run(retainGraph: retainGraph)
    }

    /// The gradients of this tensor with respect to `targets` (leaves or intermediate tensors), without
    /// touching any `grad` (PyTorch's `torch.autograd.grad`). A target this tensor does not depend on
    /// gets zeros. The pass stops at the targets and skips every branch that cannot reach one.
    public func gradients(
        withRespectTo targets: [Tensor], seed: Tensor? = nil, retainGraph: Bool = false
    ) throws -> [Tensor] {
        let found = try reachableGradients(withRespectTo: targets, seed: seed, retainGraph: retainGraph)
        return try zip(targets, found).map { target, gradient in try gradient ?? Tensor.zeros(target.shape) }
    }

    /// `gradients(withRespectTo:seed:retainGraph:)` with `nil` for a target this tensor does not depend on.
    func reachableGradients(
        withRespectTo targets: [Tensor], seed: Tensor? = nil, retainGraph: Bool = false
    ) throws -> [Tensor?] {
        let pass = try BackwardPass(root: self, seed: seed, targets: targets, stops: [])
        let found = try pass.run(retainGraph: retainGraph)
        return targets.map { found[ObjectIdentifier($0)] }
    }
}

/// One reverse sweep over the graph below `root`: either accumulating into leaves (`targets == nil`) or
/// collecting the gradients of `targets`.
private struct BackwardPass {
    let root: Tensor
    let seed: Tensor
    let callerSeed: Tensor?
    let targets: Set<ObjectIdentifier>?
    let stops: Set<ObjectIdentifier>
    /// Every tensor on a path from the root to a leaf or target, inputs before outputs.
    let order: [Tensor]

    init(root: Tensor, seed: Tensor?, targets: [Tensor]?, stops: [Tensor]) throws {
        guard root.requiresGrad else {
            throw PolyheadError.invalidState(
                op: "backward", message: "the tensor does not require grad and has no history")
        }
        self.root = root
        self.callerSeed = seed
        self.seed = try root.backwardSeed(seed)
        self.targets = targets.map { Set($0.map(ObjectIdentifier.init)) }
        self.stops = Set(stops.map(ObjectIdentifier.init))
        order = try Self.relevantOrder(root: root, targets: self.targets, stops: self.stops)
    }

    /// Whether a tensor ends the walk: a target, a stop, or a leaf.
    private static func inputs(of tensor: Tensor, targets: Set<ObjectIdentifier>?, stops: Set<ObjectIdentifier>) -> [Tensor] {
        let id = ObjectIdentifier(tensor)
        if targets?.contains(id) == true || stops.contains(id) { return [] }
        return tensor.gradNode?.inputs ?? []
    }

    /// Depth-first post-order of the tensors requiring grad below `root`, keeping only those from which a
    /// gradient can reach a destination (a leaf requiring grad, or a target) without crossing a stop.
    private static func relevantOrder(
        root: Tensor, targets: Set<ObjectIdentifier>?, stops: Set<ObjectIdentifier>
    ) throws -> [Tensor] {
        var order: [Tensor] = []
        var relevant: Set<ObjectIdentifier> = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        var stack: [(tensor: Tensor, nextInput: Int)] = [(root, 0)]
        while let (tensor, nextInput) = stack.last {
            if tensor.graphReleased {
                throw PolyheadError.invalidState(
                    op: "backward", message: "trying to backward through the graph a second time; "
                        + "pass retainGraph (retain_graph=True) to the first backward")
            }
            let inputs = Self.inputs(of: tensor, targets: targets, stops: stops)
            if nextInput < inputs.count {
                stack[stack.count - 1].nextInput += 1
                let input = inputs[nextInput]
                if input.requiresGrad, visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
                continue
            }
            stack.removeLast()
            let id = ObjectIdentifier(tensor)
            let isDestination = targets.map { $0.contains(id) } ?? (tensor.gradNode == nil && !stops.contains(id))
            if isDestination || inputs.contains(where: { relevant.contains(ObjectIdentifier($0)) }) {
                relevant.insert(id)
                order.append(tensor)
            }
        }
        return order
    }

    /// Runs the sweep; returns the gradients of the targets (empty when accumulating into leaves).
    @discardableResult
    func run(retainGraph: Bool) throws -> [ObjectIdentifier: Tensor] {
        let relevant = Set(order.map(ObjectIdentifier.init))
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
        var collected: [ObjectIdentifier: Tensor] = [:]
        // Pullbacks may pass one gradient buffer on unchanged (add, reshape, clone); every leaf must
        // still get a buffer of its own, as in PyTorch, so a buffer already handed to a leaf (or the
        // caller's seed) is copied.
        var storedBuffers: Set<ObjectIdentifier> = callerSeed.map { [ObjectIdentifier($0.storage)] } ?? []
        let checksGradients = AnomalyMode.isEnabled
        try withoutGrad {
            for tensor in order.reversed() {
                let id = ObjectIdentifier(tensor)
                guard let gradient = pending.removeValue(forKey: id) else { continue }
                if let targets, targets.contains(id) {
                    collected[id] = gradient
                    continue
                }
                guard let node = tensor.gradNode else {
                    let unshared = storedBuffers.insert(ObjectIdentifier(gradient.storage)).inserted
                    try tensor.accumulateGrad(gradient, adopting: unshared)
                    continue
                }
                let needed = NeededInputs(count: node.inputs.count) { relevant.contains(ObjectIdentifier(node.inputs[$0])) }
                let inputGradients = try node.pullback(gradient, needed: needed)
                for (index, (input, inputGradient)) in zip(node.inputs, inputGradients).enumerated() {
                    guard let inputGradient else { continue }
                    if checksGradients {
                        try inputGradient.checkFinite(op: node.op, pass: "backward", what: "the gradient of input \(index)")
                    }
                    let key = ObjectIdentifier(input)
                    guard relevant.contains(key) else { continue }
                    pending[key] = try pending[key].map { try $0 + inputGradient } ?? inputGradient
                }
            }
        }
        if !retainGraph {
            for tensor in order where tensor.gradNode != nil && !(targets?.contains(ObjectIdentifier(tensor)) ?? false) {
                tensor.gradNode = nil
                tensor.graphReleased = true
            }
        }
        return collected
    }
}

extension Tensor {
    /// The gradient to start from: the given seed (checked) or 1 for a one-element tensor.
    fileprivate func backwardSeed(_ seed: Tensor?) throws -> Tensor {
        if let seed {
            guard seed.shape == shape else {
                throw PolyheadError.shapeMismatch(
                    op: "backward", message: "gradient has shape \(describe(seed.shape)) "
                        + "but the output has shape \(describe(shape))")
            }
            return seed
        }
        guard count == 1 else {
            throw PolyheadError.invalidState(
                op: "backward", message: "grad can be implicitly created only for one-element outputs, "
                    + "got shape \(describe(shape)); pass a seed gradient")
        }
        return try Tensor.ones(shape)
    }
}
