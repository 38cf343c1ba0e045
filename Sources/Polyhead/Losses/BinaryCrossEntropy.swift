#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Binary cross-entropy on probabilities, `−[t·log p + (1−t)·log(1−p)]`, with each log clamped at −100
/// as PyTorch does; gradients flow to both arguments.
/// `mask` (one weight per sample along axis 0, e.g. 1 = labelled, 0 = missing) weights the samples; see
/// `reducedLoss` for how missing samples drop out.
/// - Throws: `PolyheadError.invalidArgument` if a probability lies outside [0, 1] (or is NaN).
public func binaryCrossEntropy(
    _ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, mask: Tensor? = nil
) throws -> Tensor {
    for i in 0..<input.count where !(input.storage.pointer[i] >= 0 && input.storage.pointer[i] <= 1) {
        throw PolyheadError.invalidArgument(
            op: "binary_cross_entropy",
            message: "all elements of input should be between 0 and 1, found \(input.storage.pointer[i])")
    }
    let (losses, derivatives) = try elementwiseLoss(input, target, op: "binary_cross_entropy") { p, t in
        let logP = Swift.max(logf(p), -100), logNotP = Swift.max(logf(1 - p), -100)
        return (-(t * logP + (1 - t) * logNotP), (p - t) / Swift.max(p * (1 - p), 1e-12))
    }
    let targetDerivatives = try elementwiseLoss(input, target, op: "binary_cross_entropy") { p, _ in
        (0, Swift.max(logf(1 - p), -100) - Swift.max(logf(p), -100))
    }.derivatives
    return try reducedLoss(losses, inputDerivative: derivatives, input: input,
                           targetDerivative: targetDerivatives, target: target, reduction: reduction,
                           weights: try sampleWeights(mask, samples: input.shape.first ?? 1, op: "binary_cross_entropy"))
}

/// Binary cross-entropy on logits, `max(x, 0) − x·t + log(1 + e^−|x|)` — stable for any logit;
/// gradients flow to both arguments (∂/∂t = −x).
/// `mask` (one weight per sample along axis 0, e.g. 1 = labelled, 0 = missing) weights the samples; see
/// `reducedLoss` for how missing samples drop out.
public func binaryCrossEntropyWithLogits(
    _ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, mask: Tensor? = nil
) throws -> Tensor {
    let (losses, derivatives) = try elementwiseLoss(input, target, op: "binary_cross_entropy_with_logits") { x, t in
        let loss = Swift.max(x, 0) - x * t + log1pf(expf(-abs(x)))
        let probability = x >= 0 ? 1 / (1 + expf(-x)) : expf(x) / (1 + expf(x))
        return (loss, probability - t)
    }
    let targetDerivatives = try withoutGrad { try -input }
    return try reducedLoss(losses, inputDerivative: derivatives, input: input,
                           targetDerivative: targetDerivatives, target: target, reduction: reduction,
                           weights: try sampleWeights(mask, samples: input.shape.first ?? 1, op: "binary_cross_entropy"))
}
