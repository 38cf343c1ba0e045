// 2-D convolution on channels-last (NHWC) tensors with Keras's kernel layout (KH, KW, C, O), for the
// Keras-style models, which then need no layout permutes.
//
// The patches of a group of samples are unfolded into one (samples·OH·OW, KH·KW·C) column matrix — one row
// per output pixel, each window row a contiguous run of the input — so that one GEMM, columns · kernel
// (K, O), writes the group's NHWC output rows directly. The groups are sized so the column matrix stays in
// cache; the unfolding (and the folding back in the backward) runs one sample per thread, the GEMMs use
// OpenBLAS's threads. The backward recomputes the columns: dKernel += columnsᵀ · dOut (already in Keras's
// layout) and dColumns = dOut · kernelᵀ folded back by col2im. A 1×1, stride-1, unpadded convolution uses
// the input rows directly as its column matrix.

/// Calls `body(columnOffset, inputOffset, before, inside)` for every window row of every output pixel of
/// one sample, in column-matrix order: the row fills `KW·C` column entries from `columnOffset`; of those,
/// `before` entries lie left of the input, the next `inside` come from the input at `inputOffset` (nil when
/// the whole row lies above or below the input), the rest lie right of it.
@inline(__always)
private func forEachWindowRow(
    _ g: Window2d, channels: Int,
    _ body: (_ column: Int, _ input: Int?, _ before: Int, _ inside: Int) -> Void
) {
    let span = g.kernel.width * channels
    var column = 0
    for oy in 0..<g.outputHeight {
        for ox in 0..<g.outputWidth {
            let left = ox * g.stride.width - g.padding.width
            let first = Swift.max(left, 0), end = Swift.min(left + g.kernel.width, g.inputWidth)
            let before = (first - left) * channels, inside = Swift.max(end - first, 0) * channels
            for i in 0..<g.kernel.height {
                let iy = oy * g.stride.height - g.padding.height + i
                let inputRow = iy >= 0 && iy < g.inputHeight && inside > 0
                body(column, inputRow ? (iy * g.inputWidth + first) * channels : nil, before, inside)
                column += span
            }
        }
    }
}

/// Unfolds one sample `x` (H, W, C) into `columns` (OH·OW, KH·KW·C), zero outside the input.
private func im2colChannelsLast(
    _ x: UnsafePointer<Float>, channels: Int, _ g: Window2d, into columns: UnsafeMutablePointer<Float>
) {
    let span = g.kernel.width * channels
    forEachWindowRow(g, channels: channels) { column, input, before, inside in
        let row = columns + column
        guard let input else { return row.update(repeating: 0, count: span) }
        row.update(repeating: 0, count: before)
        (row + before).update(from: x + input, count: inside)
        (row + before + inside).update(repeating: 0, count: span - before - inside)
    }
}

/// Sets one sample `dx` (H, W, C) to the fold of `columns` (OH·OW, KH·KW·C): every column entry is added to
/// the input pixel it was read from (the adjoint of `im2colChannelsLast`).
private func col2imChannelsLast(
    _ columns: UnsafePointer<Float>, channels: Int, _ g: Window2d, into dx: UnsafeMutablePointer<Float>
) {
    dx.update(repeating: 0, count: g.inputArea * channels)
    forEachWindowRow(g, channels: channels) { column, input, before, inside in
        guard let input else { return }
        let source = columns + column + before, target = dx + input
        for k in 0..<inside { target[k] += source[k] }
    }
}

/// The sizes of a channels-last convolution and how its batch is cut into column-matrix groups.
private struct ChannelsLastConv {
    let g: Window2d
    let samples: Int, channels: Int, filters: Int
    /// Column-matrix width `KH·KW·C` (the kernel's rows).
    let patch: Int
    /// Whether the input rows are the column matrix (1×1 kernel, stride 1, no padding).
    let direct: Bool
    /// Samples per GEMM.
    let group: Int

    /// About 4 MB of columns per group (in cache), and a multiple of the thread count when larger.
    init(g: Window2d, samples: Int, channels: Int, filters: Int) {
        self.g = g
        (self.samples, self.channels, self.filters) = (samples, channels, filters)
        patch = g.kernel.height * g.kernel.width * channels
        direct = g.kernel == Size2d(1, 1) && g.stride == Size2d(1, 1) && g.padding == Size2d(0, 0)
        let fitting = Swift.max(1, (1 << 20) / Swift.max(g.outputArea * patch, 1))
        let threads = numThreads
        group = direct ? Swift.max(samples, 1) : (fitting > threads ? fitting / threads * threads : fitting)
    }

    /// Calls `body(first sample, sample count)` for each group in order.
    func forEachGroup(_ body: (Int, Int) throws -> Void) rethrows {
        var start = 0
        while start < samples {
            try body(start, Swift.min(group, samples - start))
            start += group
        }
    }

    /// The column matrix of `count` samples from `first` of `x`: unfolded into `buffer` (one sample per
    /// thread), or the input rows themselves when direct.
    func columns(_ x: UnsafePointer<Float>, first: Int, count: Int, buffer: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        let sampleInput = g.inputArea * channels
        if direct { return x + first * sampleInput }
        parallelRanges(count, grain: 1) { range in
            for s in range {
                im2colChannelsLast(x + (first + s) * sampleInput, channels: channels, g,
                                   into: buffer + s * g.outputArea * patch)
            }
        }
        return UnsafePointer(buffer)
    }
}

extension Tensor {
    /// The 2-D convolution (cross-correlation) of a channels-last `x` with a Keras-layout `kernel`, plus
    /// `bias`, then `max(·, 0)` when `relu` (Keras's `Conv2D`; the ReLU runs in place on each group's rows
    /// while they are in cache, and its mask is applied once to the output gradient).
    ///
    /// Shapes: `x` (N, H, W, C), `kernel` (KH, KW, C, O), `bias` (O) → (N, OH, OW, O) with
    /// `OH = (H + padding.top + padding.bottom − KH) / stride.height + 1` (likewise OW); the padding is zeros.
    /// - Throws: `PolyheadError.shapeMismatch` for ranks or channel counts that do not fit,
    ///   `.invalidArgument` for a stride < 1, negative padding, or a kernel larger than the padded input.
    static func conv2d(
        channelsLast x: Tensor, kernel: Tensor, bias: Tensor?, stride: Size2d = Size2d(1, 1),
        padding: EdgePadding2d = .zero, relu: Bool = false
    ) throws -> Tensor {
        let op = "conv2d"
        guard x.rank == 4, kernel.rank == 4, kernel.shape[2] == x.shape[3], kernel.shape.allSatisfy({ $0 > 0 }) else {
            throw PolyheadError.shapeMismatch(
                op: op, message: "kernel \(describe(kernel.shape)) does not fit input \(describe(x.shape)) (expected "
                    + "input (N, H, W, C) and kernel (KH, KW, C, O) with KH, KW, C, O ≥ 1)")
        }
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]), o = kernel.shape[3]
        if let bias, bias.shape != [o] {
            throw PolyheadError.shapeMismatch(
                op: op, message: "bias \(describe(bias.shape)) does not fit kernel \(describe(kernel.shape))")
        }
        let g = try Window2d(op: op, input: Size2d(h, w), kernel: Size2d(kernel.shape[0], kernel.shape[1]),
                             stride: stride, padding: Size2d(padding.top, padding.left),
                             trailing: Size2d(padding.bottom, padding.right))
        let plan = ChannelsLastConv(g: g, samples: n, channels: c, filters: o)
        let result = try Tensor.empty([n, g.outputHeight, g.outputWidth, o], op: op)
        try checkBlasDimensions([plan.group * g.outputArea, o, plan.patch], op: op)
        let buffer = try Storage(count: plan.direct ? 0 : plan.group * g.outputArea * plan.patch, op: op)
        let out = result.storage.pointer, rowsPerSample = g.outputArea
        plan.forEachGroup { first, count in
            let rows = count * rowsPerSample, target = out + first * rowsPerSample * o
            if let bias {
                let b = bias.storage.pointer
                parallelRanges(rows, grain: elementwiseGrain / o) { range in
                    for row in range { for j in 0..<o { target[row * o + j] = b[j] } }
                }
            }
            let columns = plan.columns(x.storage.pointer, first: first, count: count, buffer: buffer.pointer)
            sgemm(columns, kernel.storage.pointer, target, m: rows, n: o, k: plan.patch, accumulate: bias != nil)
            if relu {
                parallelRanges(rows * o, grain: elementwiseGrain) { range in
                    for i in range { target[i] = target[i] < 0 ? 0 : target[i] }
                }
            }
        }
        let saved = result.storage  // the storage, not the tensor: the tensor owns this pullback
        let inputs = bias.map { [x, kernel, $0] } ?? [x, kernel]
        return try result.recorded(from: inputs, op: op) { g in
            let grad = relu ? try g.reluMasked(by: saved, op: op) : g
            let (dx, dKernel) = try plan.backward(grad, x: x, kernel: kernel, needX: x.requiresGrad,
                                                  needKernel: kernel.requiresGrad)
            return [dx, dKernel,
                    bias?.requiresGrad == true ? try columnSums(grad.storage.pointer, rows: n * rowsPerSample, columns: o) : nil]
        }
    }
}

extension ChannelsLastConv {
    /// The gradients with respect to the input and the kernel, from the output gradient `grad`.
    func backward(_ grad: Tensor, x: Tensor, kernel: Tensor, needX: Bool, needKernel: Bool) throws -> (Tensor?, Tensor?) {
        let op = "conv2d", rowsPerSample = g.outputArea, sampleInput = g.inputArea * channels
        let dx = needX ? try Tensor.empty(x.shape, op: op) : nil
        let dKernel = needKernel ? try Tensor.empty(kernel.shape, op: op) : nil
        let buffer = try Storage(count: direct ? 0 : group * rowsPerSample * patch, op: op)
        forEachGroup { first, count in
            let rows = count * rowsPerSample, gradRows = grad.storage.pointer + first * rowsPerSample * filters
            if let dKernel {
                let columns = self.columns(x.storage.pointer, first: first, count: count, buffer: buffer.pointer)
                sgemm(columns, gradRows, dKernel.storage.pointer, m: patch, n: filters, k: rows,
                      transposeA: true, accumulate: first > 0)
            }
            if let dx {
                let target = dx.storage.pointer + first * sampleInput
                sgemm(gradRows, kernel.storage.pointer, direct ? target : buffer.pointer, m: rows, n: patch,
                      k: filters, transposeB: true)
                if direct { return }
                parallelRanges(count, grain: 1) { range in
                    for s in range {
                        col2imChannelsLast(buffer.pointer + s * rowsPerSample * patch, channels: channels, g,
                                           into: target + s * sampleInput)
                    }
                }
            }
        }
        if samples == 0 { dKernel?.storage.pointer.update(repeating: 0, count: kernel.count) }
        return (dx, dKernel)
    }
}
