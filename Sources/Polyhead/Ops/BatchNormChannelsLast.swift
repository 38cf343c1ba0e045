// Batch normalization over the last axis of a row-major (…, C) tensor (Keras's channels-last layout):
// every row is one position, read contiguously, instead of the strided runs of the (N, C, *) op.

/// Per-channel statistics of a channels-last batch, as given to `Tensor.batchNorm(channelsLast:…)`.
public struct ChannelMoments {
    /// The mean of each channel.
    public var mean: [Float]
    /// The (biased) variance of each channel.
    public var variance: [Float]
}

extension Tensor {
    /// The mean and biased variance of each channel (last axis) over all other axes, accumulated in Double.
    /// - Throws: `PolyheadError.shapeMismatch` for a scalar; `.invalidArgument` for an empty tensor.
    public func channelMoments() throws -> ChannelMoments {
        let (rows, channels) = try channelRows(op: "channel_moments")
        guard rows > 0 else {
            throw PolyheadError.invalidArgument(op: "channel_moments", message: "no values per channel in \(describe(shape))")
        }
        let x = storage.pointer
        var sums = [Double](repeating: 0, count: channels), squares = sums
        for r in 0..<rows {
            let row = x + r * channels
            for c in 0..<channels { sums[c] += Double(row[c]) }
        }
        let mean = sums.map { $0 / Double(rows) }
        for r in 0..<rows {
            let row = x + r * channels
            for c in 0..<channels { let d = Double(row[c]) - mean[c]; squares[c] += d * d }
        }
        return ChannelMoments(mean: mean.map(Float.init), variance: squares.map { Float($0 / Double(rows)) })
    }

    /// `(x − mean) / √(variance + ε) · weight + bias` per channel of the last axis of `x` (…, C).
    ///
    /// With `batchStatistics` the moments must be `x`'s own (`x.channelMoments()`) and the gradient flows
    /// through them, as in training; otherwise they are constants (inference with moving statistics).
    /// - Throws: `PolyheadError.shapeMismatch` for a scalar `x` or moments/weight/bias not of length C;
    ///   `.invalidArgument` for a negative or non-finite ε.
    public static func batchNorm(
        channelsLast x: Tensor, moments: ChannelMoments, weight: Tensor?, bias: Tensor?, epsilon: Float, batchStatistics: Bool
    ) throws -> Tensor {
        let op = "batch_norm"
        let (rows, channels) = try x.channelRows(op: op)
        for (name, count) in [("mean", moments.mean.count), ("variance", moments.variance.count),
                              ("weight", weight?.count ?? channels), ("bias", bias?.count ?? channels)] where count != channels {
            throw PolyheadError.shapeMismatch(op: op, message: "\(name) has \(count) values for \(channels) channels of \(describe(x.shape))")
        }
        guard epsilon >= 0, epsilon.isFinite else {
            throw PolyheadError.invalidArgument(op: op, message: "eps must be finite and ≥ 0, got \(epsilon)")
        }
        let rstd = moments.variance.map { 1 / ($0 + epsilon).squareRoot() }
        let gamma = weight.map { $0.scalars } ?? Array(repeating: 1, count: channels)
        let beta = bias.map { $0.scalars } ?? Array(repeating: 0, count: channels)
        let scale = zip(rstd, gamma).map { $0 * $1 }
        let shift = (0..<channels).map { beta[$0] - moments.mean[$0] * scale[$0] }
        let result = try Tensor.empty(x.shape, op: op), input = x.storage.pointer, output = result.storage.pointer
        for r in 0..<rows {
            let (xRow, yRow) = (input + r * channels, output + r * channels)
            for c in 0..<channels { yRow[c] = xRow[c] * scale[c] + shift[c] }
        }
        let inputs = [x] + [weight, bias].compactMap { $0 }
        return try result.recorded(from: inputs, op: op) { grad in
            // Σ g and Σ g·x̂ per channel; with batch statistics dx = rstd·γ·(g − (Σ g + x̂·Σ g·x̂) / R).
            let g = grad.storage.pointer, input = x.storage.pointer
            var sumGrad = [Double](repeating: 0, count: channels), sumGradNormalized = sumGrad
            for r in 0..<rows {
                let (gRow, xRow) = (g + r * channels, input + r * channels)
                for c in 0..<channels {
                    sumGrad[c] += Double(gRow[c])
                    sumGradNormalized[c] += Double(gRow[c] * (xRow[c] - moments.mean[c]) * rstd[c])
                }
            }
            let share = batchStatistics ? 1 / Double(rows) : 0
            let meanGrad = sumGrad.map { Float($0 * share) }, meanGradNormalized = sumGradNormalized.map { Float($0 * share) }
            let dx = try Tensor.empty(x.shape, op: op), out = dx.storage.pointer
            for r in 0..<rows {
                let (gRow, xRow, dRow) = (g + r * channels, input + r * channels, out + r * channels)
                for c in 0..<channels {
                    let normalized = (xRow[c] - moments.mean[c]) * rstd[c]
                    dRow[c] = scale[c] * (gRow[c] - meanGrad[c] - normalized * meanGradNormalized[c])
                }
            }
            var gradients: [Tensor?] = [dx]
            if weight != nil { gradients.append(try Tensor(sumGradNormalized.map(Float.init), shape: [channels])) }
            if bias != nil { gradients.append(try Tensor(sumGrad.map(Float.init), shape: [channels])) }
            return gradients
        }
    }

    /// The (rows, channels) view of a channels-last tensor.
    private func channelRows(op: String) throws -> (rows: Int, channels: Int) {
        guard rank >= 1, shape[rank - 1] > 0 else {
            throw PolyheadError.shapeMismatch(op: op, message: "expected a (…, C) input with C ≥ 1, got \(describe(shape))")
        }
        return (count / shape[rank - 1], shape[rank - 1])
    }
}
