/// Reading and restoring an optimizer's state (its `stateSlots` buffers, per-parameter update counts and step count),
/// so that a saved optimizer resumes exactly where it stopped (torch's `state_dict` / `load_state_dict`).
extension Optimizer {
    /// The number of state buffers each parameter has (0 for plain SGD, 2 for Adam).
    public var stateSlotCount: Int { stateSlots.count }

    /// A copy of state buffer `slot` of parameter `index`, shaped like the parameter.
    /// - Throws: `PolyheadError.invalidArgument` for an index outside the slots or parameters.
    public func state(slot: Int, parameter index: Int) throws -> Tensor {
        let buffer = try stateBuffer(slot: slot, parameter: index)
        let copy = try Tensor.empty(parameters[index].shape, op: "optimizer state")
        copy.storage.pointer.update(from: buffer.pointer, count: copy.count)
        return copy
    }

    /// Overwrites state buffer `slot` of parameter `index` with the values of `value`.
    /// - Throws: `PolyheadError.invalidArgument` for a bad index or a `value` whose shape is not the parameter's.
    public func setState(slot: Int, parameter index: Int, value: Tensor) throws {
        let buffer = try stateBuffer(slot: slot, parameter: index)
        guard value.shape == parameters[index].shape else {
            throw PolyheadError.invalidArgument(
                op: "optimizer state",
                message: "state of parameter \(index) must have shape \(parameters[index].shape), got \(value.shape)")
        }
        buffer.pointer.update(from: value.storage.pointer, count: value.count)
    }

    /// How many updates parameter `index` has received (torch's per-parameter "step").
    public func updateCount(parameter index: Int) throws -> Int {
        try checkParameter(index)
        return updateCounts[index]
    }

    /// Restores parameter `index`'s update count (≥ 0), which drives bias correction and first-step rules.
    public func setUpdateCount(_ count: Int, parameter index: Int) throws {
        try checkParameter(index)
        guard count >= 0 else {
            throw PolyheadError.invalidArgument(op: "optimizer state", message: "step must be >= 0, got \(count)")
        }
        updateCounts[index] = count
    }

    /// Restores how many times `step()` has run (≥ 0; Keras's `optimizer.iterations`).
    public func setStepCount(_ count: Int) throws {
        guard count >= 0 else {
            throw PolyheadError.invalidArgument(op: "optimizer state", message: "step count must be >= 0, got \(count)")
        }
        stepCount = count
    }

    private func checkParameter(_ index: Int) throws {
        guard parameters.indices.contains(index) else {
            throw PolyheadError.invalidArgument(
                op: "optimizer state", message: "parameter index \(index) is outside 0..<\(parameters.count)")
        }
    }

    private func stateBuffer(slot: Int, parameter index: Int) throws -> Storage {
        try checkParameter(index)
        let slots = stateSlots
        guard slots.indices.contains(slot) else {
            throw PolyheadError.invalidArgument(
                op: "optimizer state", message: "state slot \(slot) is outside 0..<\(slots.count)")
        }
        return slots[slot][index]
    }
}
