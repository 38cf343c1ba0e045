extension Tensor {
    /// Back-propagates from this tensor through the recorded graph, accumulating gradients into the
    /// `grad` of every leaf that requires them.
    ///
    /// - Parameters:
    ///   - seed: The gradient of the final objective with respect to this tensor, shaped like it; may be
    ///     omitted for a one-element tensor (then it is 1).
    ///   - retainGraph: Keep the graph so another backward pass can run through it (the multi-task
    ///     gradient methods run one pass per task over one forward). Otherwise it is freed.
    /// - Throws: `PolyheadError.invalidState` if nothing requires grad, the graph was already freed, or a
    ///   seed is needed; `PolyheadError.shapeMismatch` for a mis-shaped seed.
    public func backward(seed: Tensor? = nil, retainGraph: Bool = false) throws {
        guard requiresGrad else {
            throw PolyheadError.invalidState(
                op: "backward", message: "the tensor does not require grad and has no history")
        }
        let seedGradient = try backwardSeed(seed)
        let order = try topologicalOrder()
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seedGradient]
        // Pullbacks may pass one gradient buffer on unchanged (add, reshape, clone); every leaf must
        // still get a buffer of its own, as in PyTorch, so a buffer already stored (or the caller's
        // seed) is copied.
        var storedBuffers: Set<ObjectIdentifier> = seed.map { [ObjectIdentifier($0.storage)] } ?? []
        try withoutGrad {
            for tensor in order.reversed() {
                guard let gradient = pending.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
                guard let node = tensor.gradNode else {
                    if let existing = tensor.grad {
                        tensor.grad = try existing + gradient
                    } else if storedBuffers.insert(ObjectIdentifier(gradient.storage)).inserted {
                        tensor.grad = gradient
                    } else {
                        tensor.grad = try gradient.cloned()
                    }
                    continue
                }
                let inputGradients = try node.pullback(gradient)
                for (input, inputGradient) in zip(node.inputs, inputGradients) {
                    guard input.requiresGrad, let inputGradient else { continue }
                    let key = ObjectIdentifier(input)
                    pending[key] = try pending[key].map { try $0 + inputGradient } ?? inputGradient
                }
            }
        }
        if !retainGraph {
            for tensor in order where tensor.gradNode != nil {
                tensor.gradNode = nil
                tensor.graphReleased = true
            }
        }
    }

    /// The gradient to start from: the given seed (checked) or 1 for a one-element tensor.
    private func backwardSeed(_ seed: Tensor?) throws -> Tensor {
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

    /// Every tensor requiring grad that this one depends on, inputs before outputs.
    private func topologicalOrder() throws -> [Tensor] {
        var order: [Tensor] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(self)]
        var stack: [(tensor: Tensor, nextInput: Int)] = [(self, 0)]
        while let (tensor, nextInput) = stack.last {
            if tensor.graphReleased {
                throw PolyheadError.invalidState(
                    op: "backward", message: "trying to backward through the graph a second time; "
                        + "pass retainGraph (retain_graph=True) to the first backward")
            }
            let inputs = tensor.gradNode?.inputs ?? []
            if nextInput < inputs.count {
                stack[stack.count - 1].nextInput += 1
                let input = inputs[nextInput]
                if input.requiresGrad, visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                order.append(tensor)
                stack.removeLast()
            }
        }
        return order
    }
}
