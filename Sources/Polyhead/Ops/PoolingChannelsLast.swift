// Max pooling on channels-last (NHWC) tensors, for the Keras-style models (Keras's `MaxPooling2D`): the channels of a pixel are contiguous, so every window step compares whole pixel vectors.
// Samples are pooled in parallel.

extension Tensor {
    /// The maximum of every `kernel` window (stepping by `stride`; padded cells never win) of a channels-last
    /// `x`, per sample and channel. NaN counts as maximal; the gradient flows to the first maximal element of
    /// each window (row-major window order), as `maxPool2d`.
    ///
    /// Shapes: (N, H, W, C) → (N, OH, OW, C), `OH = (H + padding.top + padding.bottom − kernel.height) /
    /// stride.height + 1` (likewise OW).
    /// - Throws: `PolyheadError.shapeMismatch` unless 4-D with non-empty planes; `.invalidArgument` for a
    ///   bad window.
    func maxPool2d(channelsLast kernel: Size2d, stride: Size2d, padding: EdgePadding2d = .zero) throws -> Tensor {
        let op = "max_pool2d"
        guard rank == 4, shape[1] > 0, shape[2] > 0 else {
            throw PolyheadError.shapeMismatch(
                op: op, message: "expected a 4-D input (N, H, W, C) with H, W ≥ 1, got \(describe(shape))")
        }
        let (n, c) = (shape[0], shape[3])
        let g = try Window2d(op: op, input: Size2d(shape[1], shape[2]), kernel: kernel, stride: stride,
                             padding: Size2d(padding.top, padding.left), trailing: Size2d(padding.bottom, padding.right))
        guard padding.top < kernel.height, padding.bottom < kernel.height,
              padding.left < kernel.width, padding.right < kernel.width else {
            throw PolyheadError.invalidArgument(
                op: op, message: "padding \(padding) leaves windows without input pixels (kernel size \(kernel))")
        }
        let sampleInput = g.inputArea * c, sampleOutput = g.outputArea * c
        guard sampleInput <= Int(Int32.max) else {
            throw PolyheadError.outOfMemory(op: op, message: "samples of \(sampleInput) values are too large")
        }
        let result = try Tensor.empty([n, g.outputHeight, g.outputWidth, c], op: op)
        // The winner of each output value, as an offset in its sample (Int32 halves the memory traffic).
        let input = storage.pointer, out = result.storage.pointer
        let winners = [Int32](unsafeUninitializedCapacity: n * sampleOutput) { best, initialized in
            guard let best = best.baseAddress else { return }  // nil only without outputs
            parallelRanges(n, grain: 1) { samples in
                for s in samples {
                    maxPoolChannelsLast(input + s * sampleInput, into: out + s * sampleOutput,
                                        winners: best + s * sampleOutput, channels: c, g)
                }
            }
            initialized = n * sampleOutput
        }
        let inputShape = shape
        return try result.recorded(from: [self], op: op) { grad in
            let gradient = try Tensor.empty(inputShape, op: op)
            let pg = grad.storage.pointer, pd = gradient.storage.pointer
            winners.withUnsafeBufferPointer { winners in
                parallelRanges(n, grain: 1) { samples in
                    for s in samples {
                        let target = pd + s * sampleInput, base = s * sampleOutput
                        target.update(repeating: 0, count: sampleInput)
                        for k in 0..<sampleOutput { target[Int(winners[base + k])] += pg[base + k] }
                    }
                }
            }
            return [gradient]
        }
    }
}

/// Pools one sample `x` (H, W, C) into `out` (OH, OW, C), recording each maximum's offset in the sample.
private func maxPoolChannelsLast(
    _ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>,
    channels: Int, _ g: Window2d
) {
    let lanes = 8, vectorChannels = channels / lanes * lanes
    let laneOffsets = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
    for oy in 0..<g.outputHeight {
        for ox in 0..<g.outputWidth {
            let slot = (oy * g.outputWidth + ox) * channels
            let peak = out + slot, best = winners + slot
            let top = oy * g.stride.height - g.padding.height, left = ox * g.stride.width - g.padding.width
            let rows = Swift.max(top, 0)..<Swift.min(top + g.kernel.height, g.inputHeight)
            let columns = Swift.max(left, 0)..<Swift.min(left + g.kernel.width, g.inputWidth)
            let origin = (rows.lowerBound * g.inputWidth + columns.lowerBound) * channels
            peak.update(from: x + origin, count: channels)
            for k in 0..<channels { best[k] = Int32(truncatingIfNeeded: origin &+ k) }
            for iy in rows {
                for ix in columns where iy != rows.lowerBound || ix != columns.lowerBound {
                    let at = (iy * g.inputWidth + ix) * channels
                    // A value wins if larger, or if it is the window's first NaN (NaN then stays).
                    for k in stride(from: 0, to: vectorChannels, by: lanes) {
                        let value: SIMD8<Float> = loadVector(x + at + k), current: SIMD8<Float> = loadVector(peak + k)
                        let wins = value .> current .| (value .!= value .& current .== current)
                        storeVector(current.replacing(with: value, where: wins), peak + k)
                        let indices = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: at &+ k)) &+ laneOffsets
                        storeVector((loadVector(best + k) as SIMD8<Int32>).replacing(with: indices, where: wins), best + k)
                    }
                    for k in vectorChannels..<channels {
                        let value = x[at + k], current = peak[k]
                        if value > current || (value.isNaN && !current.isNaN) {
                            peak[k] = value
                            best[k] = Int32(truncatingIfNeeded: at &+ k)
                        }
                    }
                }
            }
        }
    }
}
