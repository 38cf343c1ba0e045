/// The inputs of one recorded op that the running backward pass needs gradients for: those on a path to
/// a destination (a leaf that accumulates, or a requested target). A pullback may return `nil` for the
/// others instead of computing them (a linear layer's input gradient when only its weight's is asked for).
struct NeededInputs {
    /// Bit `i` set when input `i` is needed; inputs from index 64 on always count as needed.
    private let bits: UInt64

    /// The inputs for which `isNeeded(index)` holds, out of `count`.
    init(count: Int, _ isNeeded: (Int) -> Bool) {
        var bits: UInt64 = 0
        for index in 0..<min(count, 64) where isNeeded(index) { bits |= 1 << UInt64(index) }
        self.bits = bits
    }

    /// Whether input `index` needs a gradient.
    subscript(index: Int) -> Bool { index >= 64 || bits & (1 << UInt64(index)) != 0 }
}

/// The recorded history of one computed tensor: the op, its inputs and the pullback that maps the
/// gradient of the output to gradients of the inputs (`nil` for inputs that need none).
final class GradNode {
    /// A pullback that computes every input gradient it can, or one told which are needed.
    enum Pullback {
        case all((Tensor) throws -> [Tensor?])
        case selective((Tensor, NeededInputs) throws -> [Tensor?])
    }

    /// The op's name, for error messages (anomaly detection).
    let op: String
    /// The tensors the output was computed from.
    let inputs: [Tensor]
    private let pullback: Pullback

    init(op: String, inputs: [Tensor], pullback: Pullback) {
        self.op = op
        self.inputs = inputs
        self.pullback = pullback
    }

    /// Output gradient → one gradient (or `nil`) per input, shaped like that input; inputs outside
    /// `needed` may get `nil`.
    func pullback(_ gradient: Tensor, needed: NeededInputs) throws -> [Tensor?] {
        switch pullback {
        case let .all(body): return try body(gradient)
        case let .selective(body): return try body(gradient, needed)
        }
    }
}

extension Tensor {
    /// Attaches history to a freshly computed `self` (the output of `op`) when recording is on and any
    /// input requires grad. The pullback runs with recording off and must not capture `self` (that would
    /// be a cycle).
    /// - Throws: the anomaly error when anomaly detection is on and the output holds NaN or ±∞.
    @discardableResult
    func recorded(from inputs: [Tensor], op: String, pullback: @escaping (Tensor) throws -> [Tensor?]) throws -> Tensor {
        try recorded(from: inputs, op: op, GradNode.Pullback.all(pullback))
    }

    /// `recorded(from:op:pullback:)` for a pullback told which inputs the backward pass needs, so that it
    /// can skip the others' gradients.
    @discardableResult
    func recorded(
        from inputs: [Tensor], op: String, selectivePullback: @escaping (Tensor, NeededInputs) throws -> [Tensor?]
    ) throws -> Tensor {
        try recorded(from: inputs, op: op, GradNode.Pullback.selective(selectivePullback))
    }

    private func recorded(from inputs: [Tensor], op: String, _ pullback: GradNode.Pullback) throws -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        if AnomalyMode.isEnabled { try checkFinite(op: op, pass: "forward", what: "its output") }
        requiresGrad = true
        gradNode = GradNode(op: op, inputs: inputs, pullback: pullback)
        return self
    }
}
