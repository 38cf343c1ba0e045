import Polyhead

// Saving and restoring an optimizer's state (see Polyhead's OptimizerState): its state buffers slot by slot
// and its per-parameter update counts.

@_cdecl("ph_optimizer_state_slot_count")
public func ph_optimizer_state_slot_count(_ out: UnsafeMutablePointer<Int32>?, _ optimizer: OpaquePointer?) -> Int32 {
    abiCall { try checkOut(out).pointee = Int32(try borrowOptimizer(optimizer).locked { $0.stateSlotCount }) }
}

@_cdecl("ph_optimizer_state")
public func ph_optimizer_state(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ optimizer: OpaquePointer?, _ slot: Int32, _ parameter: Int32
) -> Int32 {
    abiCall {
        let target = try checkOut(out)
        let state = try borrowOptimizer(optimizer).locked { try $0.state(slot: Int(slot), parameter: Int(parameter)) }
        target.pointee = passRetained(state)
    }
}

@_cdecl("ph_optimizer_set_state")
public func ph_optimizer_set_state(
    _ optimizer: OpaquePointer?, _ slot: Int32, _ parameter: Int32, _ value: OpaquePointer?
) -> Int32 {
    abiCall {
        let tensor = try borrowTensor(value, "value")
        try borrowOptimizer(optimizer).locked {
            try $0.setState(slot: Int(slot), parameter: Int(parameter), value: tensor)
        }
    }
}

@_cdecl("ph_optimizer_parameter_step")
public func ph_optimizer_parameter_step(
    _ out: UnsafeMutablePointer<Int64>?, _ optimizer: OpaquePointer?, _ parameter: Int32
) -> Int32 {
    abiCall {
        let target = try checkOut(out)
        target.pointee = Int64(try borrowOptimizer(optimizer).locked { try $0.updateCount(parameter: Int(parameter)) })
    }
}

@_cdecl("ph_optimizer_set_parameter_step")
public func ph_optimizer_set_parameter_step(_ optimizer: OpaquePointer?, _ parameter: Int32, _ step: Int64) -> Int32 {
    abiCall {
        guard step >= 0, step <= Int64(Int32.max) else {
            throw ABIError(status: statusValue, message: "step must be in 0...\(Int32.max), got \(step)")
        }
        try borrowOptimizer(optimizer).locked { try $0.setUpdateCount(Int(step), parameter: Int(parameter)) }
    }
}

@_cdecl("ph_optimizer_set_step_count")
public func ph_optimizer_set_step_count(_ optimizer: OpaquePointer?, _ count: Int64) -> Int32 {
    abiCall {
        guard count >= 0 else { throw ABIError(status: statusValue, message: "step count must be >= 0, got \(count)") }
        try borrowOptimizer(optimizer).locked { try $0.setStepCount(Int(count)) }
    }
}
