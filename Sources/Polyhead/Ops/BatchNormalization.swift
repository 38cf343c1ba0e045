// Batch normalization over (N, C, *) tensors, as PyTorch's `batch_norm`: per channel, statistics over the
// batch and every trailing position. Training uses the batch's statistics (and moves the running ones);
// evaluation uses the running statistics. Channel sums accumulate in Double (a channel of a conv batch
// easily holds 10⁵ values).

/// The (N, C, S) view of a batch-norm input: `S` positions per sample and channel.
private struct ChannelLayout {
    let batch: Int, channels: Int, positions: Int
    /// Values per channel.
    var perChannel: Int { batch * positions }

    /// Calls `body(run)` with the start of each of the `batch` contiguous runs of `positions` values
    /// that belong to `channel`, offset from `base`.
    @inline(__always)
    func forEachRun<P>(of channel: Int, _ base: P, _ advance: (P, Int) -> P, _ body: (P) -> Void) {
        for n in 0..<batch { body(advance(base, (n * channels + channel) * positions)) }
    }
}

extension Tensor {
    /// Normalizes `x` (N, C, *) per channel (PyTorch's `batch_norm`).
    ///
    /// In training, each channel is normalized with its batch mean and biased variance, and the running
    /// statistics (when given) move in place: `running = (1 − momentum) · running + momentum · batch`, with the
    /// unbiased variance for `runningVariance`. In evaluation the running statistics are used as constants.
    /// Then `x̂ · weight + bias` per channel.
    ///
    /// - Parameters:
    ///   - runningMean, runningVariance: (C) buffers, updated in training; required in evaluation.
    ///   - weight, bias: (C) affine parameters, or `nil`.
    /// - Throws: `PolyheadError.shapeMismatch` for an input of rank < 2 or mis-shaped (C) tensors;
    ///   `.invalidArgument` for one value per channel in training, missing running statistics in evaluation,
    ///   or a non-finite momentum or eps < 0.
    public static func batchNorm(
        _ x: Tensor, runningMean: Tensor?, runningVariance: Tensor?, weight: Tensor?, bias: Tensor?,
        training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5
    ) throws -> Tensor {
        let layout = try x.channelLayout(checking: [("running_mean", runningMean), ("running_var", runningVariance),
                                                    ("weight", weight), ("bias", bias)])
        guard momentum.isFinite, epsilon >= 0, epsilon.isFinite else {
            throw PolyheadError.invalidArgument(
                op: "batch_norm", message: "need a finite momentum and eps ≥ 0, got momentum \(momentum), eps \(epsilon)")
        }
        guard !training || layout.perChannel > 1 else {
            throw PolyheadError.invalidArgument(
                op: "batch_norm", message: "expected more than 1 value per channel when training, got input \(describe(x.shape))")
        }
        guard training || (runningMean != nil && runningVariance != nil) else {
            throw PolyheadError.invalidArgument(
                op: "batch_norm", message: "running_mean and running_var are required in evaluation mode")
        }
        let normalized = try Storage(count: x.count, op: "batch_norm")
        let rstd = try Storage(count: layout.channels, op: "batch_norm")
        let result = try Tensor.empty(x.shape, op: "batch_norm")
        for c in 0..<layout.channels {
            let (mean, variance) = training
                ? x.channelStatistics(c, layout)
                : (Double(runningMean!.storage.pointer[c]), Double(runningVariance!.storage.pointer[c]))
            if training, let runningMean, let runningVariance {
                let m = Double(momentum), unbiased = variance * Double(layout.perChannel) / Double(layout.perChannel - 1)
                runningMean.storage.pointer[c] = Float((1 - m) * Double(runningMean.storage.pointer[c]) + m * mean)
                runningVariance.storage.pointer[c] = Float((1 - m) * Double(runningVariance.storage.pointer[c]) + m * unbiased)
            }
            let inverse = Float(1 / (variance + Double(epsilon)).squareRoot()), shift = Float(mean)
            let scale = weight?.storage.pointer[c] ?? 1, offset = bias?.storage.pointer[c] ?? 0
            rstd.pointer[c] = inverse
            layout.forEachRun(of: c, 0, +) { start in
                let source = x.storage.pointer + start, h = normalized.pointer + start, y = result.storage.pointer + start
                for i in 0..<layout.positions {
                    h[i] = (source[i] - shift) * inverse
                    y[i] = h[i] * scale + offset
                }
            }
        }
        let inputs = [x] + [weight, bias].compactMap { $0 }
        return try result.recorded(from: inputs, op: "batch_norm") { grad in
            let gradients = try batchNormBackward(grad, layout: layout, normalized: normalized, rstd: rstd,
                                                  weight: weight, training: training, needX: x.requiresGrad)
            return [gradients.x]
                + [weight.map { $0.requiresGrad ? gradients.weight : nil }, bias.map { $0.requiresGrad ? gradients.bias : nil }]
                    .compactMap { $0 }
        }
    }

    /// The (N, C, S) layout of a batch-norm input, after checking that every given tensor is shaped (C).
    private func channelLayout(checking tensors: [(String, Tensor?)]) throws -> ChannelLayout {
        guard rank >= 2 else {
            throw PolyheadError.shapeMismatch(
                op: "batch_norm", message: "expected an input (N, C, *) of rank ≥ 2, got \(describe(shape))")
        }
        for (name, tensor) in tensors {
            if let tensor, tensor.shape != [shape[1]] {
                throw PolyheadError.shapeMismatch(
                    op: "batch_norm", message: "\(name) \(describe(tensor.shape)) does not fit input \(describe(shape)) "
                        + "(expected (\(shape[1]),))")
            }
        }
        // Without elements the trailing sizes may multiply past Int.max; nothing is read then anyway.
        let positions = count == 0 ? 0 : shape[2...].reduce(1, *)
        return ChannelLayout(batch: shape[0], channels: shape[1], positions: positions)
    }

    /// The mean and biased variance of one channel (two passes, in Double).
    private func channelStatistics(_ channel: Int, _ layout: ChannelLayout) -> (mean: Double, variance: Double) {
        var total: Double = 0
        layout.forEachRun(of: channel, storage.pointer, +) { run in
            var partial: Float = 0
            for i in 0..<layout.positions { partial += run[i] }
            total += Double(partial)
        }
        let mean = total / Double(layout.perChannel), shift = Float(mean)
        var squares: Double = 0
        layout.forEachRun(of: channel, storage.pointer, +) { run in
            var partial: Float = 0
            for i in 0..<layout.positions { let d = run[i] - shift; partial += d * d }
            squares += Double(partial)
        }
        return (mean, squares / Double(layout.perChannel))
    }
}

/// The gradients of `batchNorm` for the input, weight and bias from the output gradient.
private func batchNormBackward(
    _ grad: Tensor, layout: ChannelLayout, normalized: Storage, rstd: Storage, weight: Tensor?, training: Bool,
    needX: Bool
) throws -> (x: Tensor?, weight: Tensor, bias: Tensor) {
    let dx = needX ? try Tensor.empty(grad.shape, op: "batch_norm") : nil
    let dw = try Tensor.zeros([layout.channels]), db = try Tensor.zeros([layout.channels])
    let pg = grad.storage.pointer, h = normalized.pointer
    for c in 0..<layout.channels {
        var sumGrad: Double = 0, sumProduct: Double = 0
        layout.forEachRun(of: c, 0, +) { start in
            var partialGrad: Float = 0, partialProduct: Float = 0
            for i in 0..<layout.positions {
                partialGrad += pg[start + i]
                partialProduct += pg[start + i] * h[start + i]
            }
            sumGrad += Double(partialGrad)
            sumProduct += Double(partialProduct)
        }
        db.storage.pointer[c] = Float(sumGrad)
        dw.storage.pointer[c] = Float(sumProduct)
        guard let dx else { continue }
        // dx̂ = g · w, so mean(dx̂) = w · Σg / M and mean(dx̂ · x̂) = w · Σ(g · x̂) / M.
        let scale = weight?.storage.pointer[c] ?? 1, inverse = rstd.pointer[c]
        let count = Double(layout.perChannel)
        let meanGrad = training ? Float(sumGrad / count) : 0, meanProduct = training ? Float(sumProduct / count) : 0
        layout.forEachRun(of: c, 0, +) { start in
            let target = dx.storage.pointer + start
            for i in 0..<layout.positions {
                target[i] = scale * inverse * (pg[start + i] - meanGrad - h[start + i] * meanProduct)
            }
        }
    }
    return (dx, dw, db)
}
