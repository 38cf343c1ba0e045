/// The mean squared error `(input − target)²` (PyTorch's `mse_loss`); gradients flow to both arguments.
/// `mask` (one weight per sample along axis 0, e.g. 1 = labelled, 0 = missing) weights the samples; see
/// `reducedLoss` for how missing samples drop out.
public func mseLoss(
    _ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, mask: Tensor? = nil
) throws -> Tensor {
    let op = "mse_loss"
    let (losses, derivatives) = try elementwiseLoss(input, target, op: op) { x, t in
        ((x - t) * (x - t), 2 * (x - t))
    }
    return try reducedLoss(losses, inputDerivative: derivatives, input: input,
                           targetDerivative: try withoutGrad { try -derivatives }, target: target,
                           reduction: reduction, weights: try sampleWeights(mask, samples: input.shape.first ?? 1, op: op))
}

/// The mean absolute error `|input − target|` (PyTorch's `l1_loss`); gradients flow to both arguments.
/// `mask` (one weight per sample along axis 0, e.g. 1 = labelled, 0 = missing) weights the samples; see
/// `reducedLoss` for how missing samples drop out.
public func l1Loss(
    _ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, mask: Tensor? = nil
) throws -> Tensor {
    let op = "l1_loss"
    let (losses, derivatives) = try elementwiseLoss(input, target, op: op) { x, t in
        (abs(x - t), x > t ? 1 : (x < t ? -1 : 0))
    }
    return try reducedLoss(losses, inputDerivative: derivatives, input: input,
                           targetDerivative: try withoutGrad { try -derivatives }, target: target,
                           reduction: reduction, weights: try sampleWeights(mask, samples: input.shape.first ?? 1, op: op))
}
