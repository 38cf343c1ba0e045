// The two mixing operations the architectures share, built from recorded core ops (so autodiff covers
// them): mixing T task streams with a T×T matrix (cross-stitch units, task relation), and mixing expert
// outputs with per-sample gate weights (MMoE, CGC/PLE, DSelect-k).

/// `y_i = Σ_j alpha[i, j] · x_j` for T equally shaped tensors `x_j` and a (T, T) `alpha`, as one GEMM
/// on the flattened inputs stacked as rows.
/// - Throws: `PolyheadError.shapeMismatch` if the inputs differ in shape or `alpha` is not (T, T).
func mixTasks(_ alpha: Tensor, _ inputs: [Tensor], op: String) throws -> [Tensor] {
    guard let shape = inputs.first?.shape else { return [] }
    guard inputs.allSatisfy({ $0.shape == shape }) else {
        throw PolyheadError.shapeMismatch(
            op: op, message: "the task streams must have one shape to be mixed, got "
                + inputs.map { describe($0.shape) }.joined(separator: ", "))
    }
    guard alpha.shape == [inputs.count, inputs.count] else {
        throw PolyheadError.shapeMismatch(
            op: op, message: "mixing matrix \(describe(alpha.shape)) does not fit \(inputs.count) tasks")
    }
    let width = inputs[0].count
    let stacked = try Tensor.concatenate(try inputs.map { try $0.reshaped([1, width]) }, axis: 0)
    let mixed = try alpha.matmul(stacked)
    return try mixed.split(sizes: Array(repeating: 1, count: inputs.count), axis: 0).map { try $0.reshaped(shape) }
}

/// The outputs of E experts, each (N, D), stacked into one (N, E, D) tensor.
/// - Throws: `PolyheadError.shapeMismatch` unless every output is 2-D with the same shape.
func stackExperts(_ outputs: [Tensor], op: String) throws -> Tensor {
    guard let shape = outputs.first?.shape, shape.count == 2, outputs.allSatisfy({ $0.shape == shape }) else {
        throw PolyheadError.shapeMismatch(
            op: op, message: "experts must all return one 2-D shape (N, D), got "
                + outputs.map { describe($0.shape) }.joined(separator: ", "))
    }
    return try Tensor.concatenate(try outputs.map { try $0.reshaped([shape[0], 1, shape[1]]) }, axis: 1)
}

/// `Σ_e gate[:, e] · experts[:, e, :]`: the per-sample mixture of stacked expert outputs (N, E, D) with
/// gate weights (N, E), or (1, E) for one mixture of every sample; (N, D).
/// - Throws: `PolyheadError.shapeMismatch` if the gate does not fit the experts.
func mixExperts(gate: Tensor, experts: Tensor, op: String) throws -> Tensor {
    guard gate.rank == 2, experts.rank == 3, [experts.shape[0], 1].contains(gate.shape[0]),
          gate.shape[1] == experts.shape[1] else {
        throw PolyheadError.shapeMismatch(
            op: op, message: "gate \(describe(gate.shape)) does not fit experts \(describe(experts.shape))")
    }
    return try (gate.reshaped([gate.shape[0], gate.shape[1], 1]) * experts).sum(axis: 1)
}
