/// How a loss combines its per-sample values, as PyTorch's `reduction=`.
public enum Reduction: Int32, Sendable {
    /// One loss per sample, unreduced.
    case none = 0
    /// The mean over all samples (and elements).
    case mean = 1
    /// The sum over all samples (and elements).
    case sum = 2
}

/// Reduces per-sample losses whose derivatives with respect to `input` (and optionally `target`) were
/// computed in the forward pass, and records the pullback `g · derivative` scaled for the reduction.
/// A derivative holds `losses.count` equal rows, one per sample (one element each for elementwise
/// losses, one row of C for class losses).
func reducedLoss(
    _ losses: Tensor, inputDerivative: Tensor, input: Tensor,
    targetDerivative: Tensor? = nil, target: Tensor? = nil, reduction: Reduction
) throws -> Tensor {
    let n = losses.count
    let result: Tensor
    switch reduction {
    case .none: result = losses
    case .sum, .mean:
        var total: Float = 0
        for i in 0..<n { total += losses.storage.pointer[i] }
        result = Tensor(reduction == .mean ? total / Float(n) : total)
    }
    let scale: Float = reduction == .mean ? 1 / Float(n) : 1
    func pull(_ g: Tensor, _ derivative: Tensor) throws -> Tensor {
        let gradient = try Tensor.empty(derivative.shape, op: "loss")
        let pg = g.storage.pointer, pd = derivative.storage.pointer, out = gradient.storage.pointer
        let width = n == 0 ? 0 : derivative.count / n
        for sample in 0..<n {
            let factor = reduction == .none ? pg[sample] : pg[0] * scale
            for j in (sample * width)..<((sample + 1) * width) { out[j] = factor * pd[j] }
        }
        return gradient
    }
    let inputs = [input] + (target.map { [$0] } ?? [])
    return result.recorded(from: inputs) { g in
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
