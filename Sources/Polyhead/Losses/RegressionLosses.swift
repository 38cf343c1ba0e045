/// The mean squared error `(input − target)²` (PyTorch's `mse_loss`); gradients flow to both arguments.
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) throws -> Tensor {
    let (losses, derivatives) = try elementwiseLoss(input, target, op: "mse_loss") { x, t in
        ((x - t) * (x - t), 2 * (x - t))
    }
    return try reducedLoss(losses, inputDerivative: derivatives, input: input,
                           targetDerivative: try withoutGrad { try -derivatives }, target: target,
                           reduction: reduction)
}

/// The mean absolute error `|input − target|` (PyTorch's `l1_loss`); gradients flow to both arguments.
public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) throws -> Tensor {
    let (losses, derivatives) = try elementwiseLoss(input, target, op: "l1_loss") { x, t in
        (abs(x - t), x > t ? 1 : (x < t ? -1 : 0))
    }
    return try reducedLoss(losses, inputDerivative: derivatives, input: input,
                           targetDerivative: try withoutGrad { try -derivatives }, target: target,
                           reduction: reduction)
}
