/// How a loss combines its per-sample values, as PyTorch's `reduction=`.
public enum Reduction: Int32, Sendable {
    /// One loss per sample, unreduced.
    case none = 0
    /// The mean over all samples (and elements).
    case mean = 1
    /// The sum over all samples (and elements).
    case sum = 2
}

/// Validated per-sample weights of a loss (a mask: 1 = labelled, 0 = missing; any weight ≥ 0 works),
/// one per sample along axis 0 (one in all for a scalar input); `nil` when no mask is given.
func sampleWeights(_ mask: Tensor?, samples: Int, op: String) throws -> [Float]? {
    guard let mask else { return nil }
    guard mask.count == samples else {
        throw PolyheadError.shapeMismatch(
            op: op, message: "mask \(describe(mask.shape)) has \(mask.count) values for \(samples) samples")
    }
    let weights = mask.scalars
    if let bad = weights.first(where: { !($0 >= 0 && $0.isFinite) }) {
        throw PolyheadError.invalidArgument(op: op, message: "mask values must be finite and ≥ 0, found \(bad)")
    }
    return weights
}

/// Reduces the loss elements `losses` (each sample owns an equal run of them), optionally weighted per
/// sample, and records the pullback `g · derivative` scaled for the reduction. Each derivative holds
/// one equal row per loss element. A sample with weight 0 contributes exactly 0 to the value and the
/// gradient (even if its loss is NaN or its label invalid), and `.mean` divides by the total weight, so
/// a batch without any labelled sample gives 0, not NaN.
func reducedLoss(
    _ losses: Tensor, inputDerivative: Tensor, input: Tensor,
    targetDerivative: Tensor? = nil, target: Tensor? = nil, reduction: Reduction, weights: [Float]? = nil
) throws -> Tensor {
    let n = losses.count
    let perSample = weights.map { $0.isEmpty ? 0 : n / $0.count } ?? 1
    @inline(__always) func weight(_ element: Int) -> Float { weights?[element / perSample] ?? 1 }
    let weighted = try Tensor.empty(losses.shape, op: "loss")
    for e in 0..<n {
        let w = weight(e)
        weighted.storage.pointer[e] = w == 0 ? 0 : w * losses.storage.pointer[e]
    }
    let totalWeight = weights.map { $0.reduce(0, +) * Float(perSample) } ?? Float(n)
    let scale: Float = reduction != .mean ? 1 : (weights != nil && totalWeight == 0 ? 0 : 1 / totalWeight)
    let result: Tensor
    switch reduction {
    case .none: result = weighted
    case .sum, .mean:
        var total: Float = 0
        for e in 0..<n { total += weighted.storage.pointer[e] }
        result = Tensor(reduction == .mean && scale == 0 ? 0 : total * scale)
    }
    func pull(_ g: Tensor, _ derivative: Tensor) throws -> Tensor {
        let gradient = try Tensor.empty(derivative.shape, op: "loss")
        let pg = g.storage.pointer, pd = derivative.storage.pointer, out = gradient.storage.pointer
        let width = n == 0 ? 0 : derivative.count / n
        for e in 0..<n {
            let w = weight(e)
            let factor = (reduction == .none ? pg[e] : pg[0] * scale) * w
            for j in (e * width)..<((e + 1) * width) { out[j] = w == 0 ? 0 : factor * pd[j] }
        }
        return gradient
    }
    let inputs = [input] + (target.map { [$0] } ?? [])
    return try result.recorded(from: inputs, op: "loss") { g in
        [input.requiresGrad ? try pull(g, inputDerivative) : nil,
         target?.requiresGrad == true ? try pull(g, targetDerivative ?? inputDerivative) : nil]
    }
}

/// Throws unless `input` and `target` have the same shape.
func checkSameShape(_ input: Tensor, _ target: Tensor, op: String) throws {
    guard input.shape == target.shape else {
        throw PolyheadError.shapeMismatch(
            op: op, message: "input \(describe(input.shape)) and target \(describe(target.shape)) differ in shape")
    }
}

/// Computes per-element losses and their input derivatives with `body(x, t) -> (loss, dloss/dx)`.
@inline(__always)
func elementwiseLoss(
    _ input: Tensor, _ target: Tensor, op: String, _ body: (Float, Float) -> (Float, Float)
) throws -> (losses: Tensor, derivatives: Tensor) {
    try checkSameShape(input, target, op: op)
    let losses = try Tensor.empty(input.shape, op: op), derivatives = try Tensor.empty(input.shape, op: op)
    let x = input.storage.pointer, t = target.storage.pointer
    let l = losses.storage.pointer, d = derivatives.storage.pointer
    for i in 0..<input.count { (l[i], d[i]) = body(x[i], t[i]) }
    return (losses, derivatives)
}
