/// DSelect-k (Hazimeh, Zhao, Chowdhery, Sathiamoorthy, Chen, Mazumder, Hong, Chi, "DSelect-k:
/// Differentiable Selection in the Mixture of Experts with Applications to Multi-Task Learning",
/// NeurIPS 2021): MMoE with sparse, differentiable gates, per example or static (one expert choice per
/// task, the same for every input — the paper's "static gating").
///
/// With n experts and m = ⌈log₂ n⌉, task t's gate has k selectors. Selector i maps the input to m
/// logits `z_i = Z_i x` and picks expert e with weight `r(z_i)_e = Π_j [S(z_ij) if bit j of e is 1 else
/// 1 − S(z_ij)]` (bits most significant first), where S is the smooth step (`smoothStep(_:gamma:)`):
/// 0 below −γ/2, 1 above γ/2, a cubic in between — so each selector converges to exactly one expert.
/// The selectors are combined by `softmax(A x)`: weights `w = Σ_i softmax(A x)_i r(z_i)`, then
/// `output_t = tower_t(Σ_e w_e f_e(x))`. A static gate has no input weights: its logits are the biases.
///
/// Initialisation (as the official implementation and LibMTL): Z's weight and bias uniform in
/// ±γ/100, A's in ±0.05, drawn per task in task order (Z weight, Z bias, A weight, A bias) after the
/// experts and towers. The experts are shared; each gate and tower belongs to its task. Parameter
/// names: `experts.<e>.<name>`, `gates.<task>.{z_weight, z_bias, alpha_weight, alpha_bias}` (static
/// gates: `gates.<task>.{z_bias, alpha_bias}`), `towers.<task>.<name>`.
///
/// When n is not a power of two some codes name no expert and the weights can sum to less than 1; the
/// paper then adds `selectorPenalty(_:)` to the loss. The paper also adds `λ · entropyPenalty(_:)`, which
/// pushes every selector towards one expert sooner (the official code's default λ is 1e-6).
public final class DSelectK: MultiTaskModel {
    /// The shared experts, each mapping (N, inputSize) to (N, D).
    public let experts: [any Layer]
    /// One gate per task.
    public let gates: [(task: String, gate: DSelectKGate)]
    /// One tower per task, taking the (N, D) mixture.
    public let towers: [(task: String, tower: any Layer)]

    /// Creates the model; the order of `towers` is the task order.
    /// - Parameters:
    ///   - inputSize: the input width (the gates' input).
    ///   - experts: n ≥ 2 shared experts.
    ///   - towers: one tower per task.
    ///   - k: selectors per gate, the most experts a task can end up using (1 ≤ k ≤ n).
    ///   - gamma: the width γ > 0 of the smooth step.
    ///   - perExample: per-example gates (the default) or static ones (input-independent logits).
    /// - Throws: `PolyheadError.invalidArgument` for bad counts, γ or task names.
    public init(inputSize: Int, experts: [any Layer], towers: [(String, any Layer)], k: Int = 2, gamma: Float = 1,
                perExample: Bool = true) throws {
        try checkTaskNames(towers.map(\.0), op: "DSelectK")
        guard experts.count >= 2, k >= 1, k <= experts.count, inputSize > 0, gamma > 0, gamma.isFinite else {
            throw PolyheadError.invalidArgument(
                op: "DSelectK", message: "needs at least 2 experts, 1 <= k <= experts, inputSize > 0 and finite "
                    + "gamma > 0, got \(experts.count) experts, k=\(k), inputSize=\(inputSize), gamma=\(gamma)")
        }
        self.experts = experts
        self.towers = towers.map { (task: $0.0, tower: $0.1) }
        gates = try towers.map {
            (task: $0.0, gate: try DSelectKGate(inputSize: inputSize, experts: experts.count, k: k, gamma: gamma,
                                                perExample: perExample))
        }
    }

    /// The task names, in order.
    public var tasks: [String] { towers.map(\.task) }

    /// The experts (shared), then each gate and tower (their task's).
    public var ownedParameters: [OwnedParameter] {
        experts.enumerated().flatMap { owned("experts.\($0)", $1, task: nil) }
            + gates.flatMap { owned("gates.\($0.task)", $0.gate, task: $0.task) }
            + towers.flatMap { owned("towers.\($0.task)", $0.tower, task: $0.task) }
    }

    /// Each task's expert weights: (N, n) for per-example gates, (1, n) for static ones.
    public func gateWeights(_ input: Tensor) throws -> TaskOutputs {
        TaskOutputs(checked: tasks, try gates.map { try $0.gate(input) })
    }

    /// The paper's penalty for n not a power of two, Σ over tasks, samples (one for static gates) and
    /// selectors of `1 / Σ_e r(z_i)_e` (it pushes the selectors towards codes that name an expert); 0
    /// otherwise.
    public func selectorPenalty(_ input: Tensor) throws -> Tensor {
        guard experts.count & (experts.count - 1) != 0 else { return Tensor(0) }
        return try sumOverGates { try (Tensor(1) / (try $0.selectorOutputs(input).sum(axis: 2))).sum() }
    }

    /// The paper's entropy regulariser (before its factor λ): Σ over tasks, samples (one for static
    /// gates) and selectors of the entropy `−Σ_e r_e log(r_e + 10⁻⁶)` of `r(z_i)`, 0 once every selector
    /// has settled on one expert.
    public func entropyPenalty(_ input: Tensor) throws -> Tensor {
        try sumOverGates { try $0.entropy(input) }
    }

    private func sumOverGates(_ term: (DSelectKGate) throws -> Tensor) throws -> Tensor {
        let terms = try gates.map { try term($0.gate) }
        return try terms.dropFirst().reduce(terms[0]) { try $0 + $1 }
    }

    /// Runs the experts once, then each task's gate, mixture and tower.
    public func callAsFunction(_ input: Tensor) throws -> TaskOutputs {
        let stacked = try stackExperts(try experts.map { try $0(input) }, op: "DSelectK")
        let outputs = try zip(gates, towers).map { gate, tower in
            try tower.tower(try mixExperts(gate: try gate.gate(input), experts: stacked, op: "DSelectK"))
        }
        return TaskOutputs(checked: tasks, outputs)
    }
}

/// The DSelect-k gate of one task (Hazimeh et al., NeurIPS 2021): maps (N, inputSize) to expert weights
/// (N, n) per example, or to (1, n) for a static gate, whose logits are its biases alone.
public final class DSelectKGate: Module {
    /// Selector logits Z: (k·m, inputSize), nil for a static gate, and (k·m).
    public let zWeight: Tensor?, zBias: Tensor
    /// Selector mixing logits A: (k, inputSize), nil for a static gate, and (k).
    public let alphaWeight: Tensor?, alphaBias: Tensor
    /// The number of experts n, of selectors k and of code bits m = ⌈log₂ n⌉.
    public let experts: Int, k: Int, bits: Int
    /// The smooth step's width γ.
    public let gamma: Float
    /// Bit j of every expert's code as a (1, 1, n) constant, and its complement.
    private let codes: [(one: Tensor, zero: Tensor)]

    /// Creates the gate, drawing Z (±γ/100) then A (±0.05) uniformly from the global generator, each
    /// weight before its bias; a static gate (`perExample: false`) draws only the biases.
    /// - Throws: `PolyheadError.invalidArgument` for fewer than 2 experts or a bad k or γ.
    public init(inputSize: Int, experts: Int, k: Int, gamma: Float = 1, perExample: Bool = true) throws {
        guard experts >= 2, k >= 1, inputSize > 0, gamma > 0, gamma.isFinite else {
            throw PolyheadError.invalidArgument(
                op: "DSelectKGate", message: "needs experts >= 2, k >= 1, inputSize > 0 and finite gamma > 0")
        }
        var bits = 0
        while 1 << bits < experts { bits += 1 }
        (self.experts, self.k, self.bits, self.gamma) = (experts, k, bits, gamma)
        let scale = gamma / 100
        zWeight = perExample ? try Tensor.uniform([k * bits, inputSize], low: -scale, high: scale) : nil
        zBias = try Tensor.uniform([k * bits], low: -scale, high: scale)
        alphaWeight = perExample ? try Tensor.uniform([k, inputSize], low: -0.05, high: 0.05) : nil
        alphaBias = try Tensor.uniform([k], low: -0.05, high: 0.05)
        for parameter in [zWeight, zBias, alphaWeight, alphaBias] { parameter?.requiresGrad = true }
        codes = try (0..<bits).map { j in
            let bit = (0..<experts).map { Float(($0 >> (bits - 1 - j)) & 1) }
            return (try Tensor(bit, shape: [1, 1, experts]), try Tensor(bit.map { 1 - $0 }, shape: [1, 1, experts]))
        }
    }

    /// True for a per-example gate, false for a static one.
    public var isPerExample: Bool { zWeight != nil }

    /// `z_weight`, `z_bias`, `alpha_weight`, `alpha_bias` (a static gate: `z_bias`, `alpha_bias`).
    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("z_weight", zWeight), ("z_bias", zBias), ("alpha_weight", alphaWeight), ("alpha_bias", alphaBias)]
            .compactMap { name, tensor in tensor.map { (name, $0) } }
    }

    /// Every selector's weights over the experts, `r(z_i)`: (N, k, n), or (1, k, n) for a static gate.
    public func selectorOutputs(_ input: Tensor) throws -> Tensor {
        let logits = try self.logits(input, weight: zWeight, bias: zBias)
        let steps = try smoothStep(logits, gamma: gamma)
        let perBit = try steps.reshaped([logits.shape[0], k, bits]).split(sizes: Array(repeating: 1, count: bits), axis: 2)
        let factors = try zip(perBit, codes).map { s, code in try s * code.one + (try Tensor(1) - s) * code.zero }
        return try factors.dropFirst().reduce(factors[0]) { try $0 * $1 }
    }

    /// The entropy of every selector's weights summed over samples and selectors,
    /// `−Σ r(z_i)_e log(r(z_i)_e + 10⁻⁶)` (the official code's ε): a scalar.
    public func entropy(_ input: Tensor) throws -> Tensor {
        let selectors = try selectorOutputs(input)
        return try -(selectors * (try (selectors + 1e-6).log())).sum()
    }

    /// The expert weights `Σ_i softmax(A x)_i r(z_i)`: (N, n), or (1, n) for a static gate.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let selectors = try selectorOutputs(input)
        let mixing = try logits(input, weight: alphaWeight, bias: alphaBias).softmax()
        return try (mixing.reshaped([mixing.shape[0], k, 1]) * selectors).sum(axis: 1)
    }

    /// `x Wᵀ + b` (N, width) per example; `b` as one row (1, width) for a static gate.
    private func logits(_ input: Tensor, weight: Tensor?, bias: Tensor) throws -> Tensor {
        guard let weight else { return try bias.reshaped([1, bias.count]) }
        return try Tensor.linear(input, weight: weight, bias: bias)
    }
}

/// The smooth step of DSelect-k (Hazimeh et al., 2021, eq. 3): 0 for t ≤ −γ/2, 1 for t ≥ γ/2 and
/// `−2/γ³ t³ + 3/(2γ) t + 1/2` in between (continuously differentiable). Built from recorded ops:
/// t is clamped to [−γ/2, γ/2] as `relu(t + γ/2) − relu(t − γ/2) − γ/2`, where the cubic is flat.
public func smoothStep(_ t: Tensor, gamma: Float = 1) throws -> Tensor {
    let half = gamma / 2
    let clamped = try (try (t + half).relu() - (try (t - half).relu())) - half
    let cubic = try clamped * clamped * clamped * (-2 / (gamma * gamma * gamma))
    return try cubic + clamped * (3 / (2 * gamma)) + 0.5
}
