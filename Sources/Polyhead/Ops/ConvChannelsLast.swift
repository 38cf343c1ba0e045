import PolyheadKernels

// 2-D convolution on channels-last (NHWC) tensors with Keras's kernel layout (KH, KW, C, O), for the
// Keras-style models, which then need no layout permutes.
//
// The patches of a group of samples are unfolded into one (samples·OH·OW, KH·KW·C) column matrix — one row
// per output pixel, each window row a contiguous run of the input — so that one GEMM, columns · kernel
// (K, O), writes the group's NHWC output rows directly. The groups are sized so the column matrix stays in
// one core's cache, and the threads take whole groups, each carried out end to end on one thread (bias,
// unfolding, GEMM on one OpenBLAS thread, ReLU): no synchronisation inside a convolution but its end. The
// backward recomputes the columns: dKernel += columnsᵀ · dOut (already in Keras's layout) and dColumns =
// dOut · kernelᵀ folded back by col2im. The kernel and bias gradients are summed per fixed run of groups
// (a partial), then the partials in order, so that no result depends on the thread count. A 1×1,
// stride-1, unpadded convolution uses the input rows directly as its column matrix; a 3×3, stride-1 one
// with enough channels runs all three products as Winograd transforms instead (`Winograd.swift`), per
// sample inside the same groups and partials.

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

/// The sizes of a channels-last convolution, how its batch is cut into groups (one GEMM each, the unit a
/// thread takes) and how the groups are cut into partials (one kernel- and bias-gradient sum each). None of
/// it depends on the thread count.
private struct ChannelsLastConv {
    let g: Window2d
    let samples: Int, channels: Int, filters: Int
    /// Column-matrix width `KH·KW·C` (the kernel's rows).
    let patch: Int
    /// Whether the input rows are the column matrix (1×1 kernel, stride 1, no padding).
    let direct: Bool
    /// Whether the forward runs as Winograd F(2×2, 3×3) (3×3 kernel, stride 1, at least `winogradChannels`
    /// input channels), and the input gradient (likewise, with the filters as its input channels).
    let winogradForward: Bool, winogradInputGradient: Bool
    /// Samples per group (the last group may have fewer) and the number of groups.
    let group: Int, groups: Int
    /// Groups per partial (the last partial may have fewer) and the number of partials.
    let groupsPerPartial: Int, partials: Int

    /// Column entries per group at most (1 MB: half a core's L2 cache on the machines measured).
    static let columnBudget = 1 << 18
    /// Partials at most: enough to balance 2, 4 or 8 threads, few enough to sum cheaply.
    static let maxPartials = 8
    /// Kernel-gradient partial entries at most (64 MB) for large kernels.
    static let partialBudget = 1 << 24
    /// Input channels from which Winograd runs instead of im2col + GEMM. Its 16 products per block have the
    /// input channels as their inner dimension: conv-hard's 32-channel convolution gains 2.25× fewer
    /// multiply-adds at full GEMM speed, while a 3-channel one (K = 27 for im2col, 3 for Winograd) stays on im2col.
    static let winogradChannels = 8

    init(g: Window2d, samples: Int, channels: Int, filters: Int) {
        self.g = g
        (self.samples, self.channels, self.filters) = (samples, channels, filters)
        patch = g.kernel.height * g.kernel.width * channels
        direct = g.kernel == Size2d(1, 1) && g.stride == Size2d(1, 1) && g.padding == Size2d(0, 0)
        let threeByThree = g.kernel == Size2d(3, 3) && g.stride == Size2d(1, 1)
        winogradForward = threeByThree && channels >= Self.winogradChannels
        winogradInputGradient = threeByThree && filters >= Self.winogradChannels
        func ceilingDivision(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
        let fitting = Swift.max(1, Self.columnBudget / Swift.max(g.outputArea * patch, 1))
        group = samples == 0 ? 1 : ceilingDivision(samples, ceilingDivision(samples, fitting))  // evened out
        groups = ceilingDivision(samples, group)
        let partialsWanted = Swift.min(Self.maxPartials, Swift.max(1, Self.partialBudget / Swift.max(patch * filters, 1)))
        groupsPerPartial = Swift.max(1, ceilingDivision(groups, partialsWanted))
        partials = ceilingDivision(groups, groupsPerPartial)
    }

    /// Output rows of a whole group.
    var groupRows: Int { group * g.outputArea }
    /// Column entries of a whole group (its scratch), none when direct.
    var groupColumns: Int { direct ? 0 : groupRows * patch }

    /// The samples of group `index`.
    func samples(inGroup index: Int) -> Range<Int> { (index * group)..<Swift.min((index + 1) * group, samples) }

    /// The groups of partial `index`.
    func groups(inPartial index: Int) -> Range<Int> {
        (index * groupsPerPartial)..<Swift.min((index + 1) * groupsPerPartial, groups)
    }

    /// The column matrix of `samples` of `x`: unfolded into `buffer`, or the input rows themselves when direct.
    func columns(_ x: UnsafePointer<Float>, samples: Range<Int>, buffer: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        let sampleInput = g.inputArea * channels
        if direct { return x + samples.lowerBound * sampleInput }
        for (i, s) in samples.enumerated() {
            im2colChannelsLast(x + s * sampleInput, channels: channels, g, into: buffer + i * g.outputArea * patch)
        }
        return UnsafePointer(buffer)
    }
}

extension Tensor {
    /// The 2-D convolution (cross-correlation) of a channels-last `x` with a Keras-layout `kernel`, plus
    /// `bias`, then `max(·, 0)` when `relu` (Keras's `Conv2D`; the ReLU runs in place on each group's rows
    /// while they are in cache, and its mask is applied to each group's output gradient likewise).
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
        try checkBlasDimensions([plan.groupRows, o, plan.patch], op: op)
        let workers = Swift.min(numThreads, plan.groups)
        let out = result.storage.pointer, px = x.storage.pointer, pk = kernel.storage.pointer
        let pb = bias?.storage.pointer, rowsPerSample = g.outputArea, sampleInput = h * w * c
        let winograd = plan.winogradForward ? try WinogradKernel(pk, channels: c, filters: o, flipped: false, op: op) : nil
        let perWorker = winograd?.scratchCount ?? plan.groupColumns
        let scratch = try Storage(count: workers * perWorker, op: op)
        parallelWorkers(plan.groups, workers: workers) { worker, groups in
            let buffer = scratch.pointer + worker * perWorker
            for index in groups {
                let samples = plan.samples(inGroup: index)
                if let winograd {
                    for s in samples {
                        winograd.convolve(px + s * sampleInput, height: h, width: w, origin: (-padding.top, -padding.left),
                                          into: out + s * rowsPerSample * o, outputHeight: g.outputHeight,
                                          outputWidth: g.outputWidth, bias: pb, relu: relu, scratch: buffer)
                    }
                    continue
                }
                let rows = samples.count * rowsPerSample, target = out + samples.lowerBound * rowsPerSample * o
                if let pb { for row in 0..<rows { (target + row * o).update(from: pb, count: o) } }
                let columns = plan.columns(px, samples: samples, buffer: buffer)
                sgemm(columns, pk, target, m: rows, n: o, k: plan.patch, accumulate: pb != nil)
                if relu { for i in 0..<rows * o { target[i] = target[i] < 0 ? 0 : target[i] } }
            }
        }
        let saved = relu ? result.storage : nil  // the storage, not the tensor: the tensor owns this pullback
        let inputs = bias.map { [x, kernel, $0] } ?? [x, kernel]
        return try result.recorded(from: inputs, op: op) { grad in
            try plan.backward(grad, reluOutput: saved, x: x, kernel: kernel, needX: x.requiresGrad,
                              needKernel: kernel.requiresGrad, needBias: bias?.requiresGrad == true)
        }
    }
}

extension ChannelsLastConv {
    /// The gradients with respect to the input, the kernel and the bias (nil where not needed) from the output
    /// gradient `grad`, first masked by `reluOutput > 0` when given (the fused ReLU's pullback).
    func backward(
        _ grad: Tensor, reluOutput: Storage?, x: Tensor, kernel: Tensor, needX: Bool, needKernel: Bool, needBias: Bool
    ) throws -> [Tensor?] {
        let op = "conv2d", rowsPerSample = g.outputArea
        let dx = needX ? try Tensor.empty(x.shape, op: op) : nil
        let kernelWinograd = needKernel && winogradForward ? WinogradKernelGradient(channels: channels, filters: filters) : nil
        let sumCount = kernelWinograd?.sumCount ?? kernel.count
        let kernelSums = needKernel ? try Storage(count: partials * sumCount, op: op) : nil
        let biasSums = needBias ? try Storage(count: partials * filters, op: op) : nil
        biasSums?.pointer.update(repeating: 0, count: partials * filters)
        let workers = Swift.min(numThreads, partials), maskRows = reluOutput == nil ? 0 : groupRows * filters
        let pg = grad.storage.pointer, py = reluOutput?.pointer
        let inputWinograd = needX && winogradInputGradient
            ? try WinogradKernel(kernel.storage.pointer, channels: filters, filters: channels, flipped: true, op: op) : nil
        let winogradCount = Swift.max(inputWinograd?.scratchCount ?? 0, kernelWinograd?.scratchCount ?? 0)
        let needColumns = (needKernel && kernelWinograd == nil) || (needX && inputWinograd == nil)
        let columnCount = needColumns ? groupColumns : 0, perWorker = columnCount + maskRows + winogradCount
        let scratch = try Storage(count: workers * perWorker, op: op)
        parallelWorkers(partials, workers: workers) { worker, partialRange in
            let buffer = scratch.pointer + worker * perWorker, masked = buffer + columnCount
            let work = Scratch(columns: buffer, winograd: masked + maskRows)
            for partial in partialRange {
                for index in groups(inPartial: partial) {
                    let samples = self.samples(inGroup: index)
                    let rows = samples.count * rowsPerSample, offset = samples.lowerBound * rowsPerSample * filters
                    var gradRows = UnsafePointer(pg + offset)
                    if let py {
                        for i in 0..<rows * filters { masked[i] = gradRows[i] * (py[offset + i] > 0 ? 1 : 0) }
                        gradRows = UnsafePointer(masked)
                    }
                    if let biasSums {
                        ph_add_column_sums(gradRows, rows, filters, 0, filters, biasSums.pointer + partial * filters)
                    }
                    if let kernelSums {
                        addKernelGradient(x: x.storage.pointer, samples: samples, gradient: gradRows,
                                          into: kernelSums.pointer + partial * sumCount,
                                          accumulate: index > groups(inPartial: partial).lowerBound,
                                          winograd: kernelWinograd, scratch: work)
                    }
                    if let dx {
                        writeInputGradient(gradRows, kernel: kernel.storage.pointer, samples: samples,
                                           into: dx.storage.pointer, winograd: inputWinograd, scratch: work)
                    }
                }
            }
        }
        var dKernel = try kernelSums.map { try sumOfPartials($0, shape: kernelWinograd == nil ? kernel.shape : [sumCount], count: partials) }
        if let kernelWinograd, let sums = dKernel {
            let transformed = try Tensor.empty(kernel.shape, op: op)
            kernelWinograd.kernelGradient(from: sums.storage.pointer, into: transformed.storage.pointer)
            dKernel = transformed
        }
        return [dx, dKernel, try biasSums.map { try sumOfPartials($0, shape: [filters], count: partials) }]
    }

    /// A worker's scratch memory: a group's column matrix, and the Winograd transforms' blocks.
    struct Scratch {
        let columns: UnsafeMutablePointer<Float>, winograd: UnsafeMutablePointer<Float>
    }

    /// Adds the kernel-gradient contribution of `samples` (output gradient rows `gradient`) to `sums` (sets them
    /// unless `accumulate`): Winograd-transformed sums when `winograd` is given, else columnsᵀ · gradient.
    private func addKernelGradient(
        x: UnsafePointer<Float>, samples: Range<Int>, gradient: UnsafePointer<Float>, into sums: UnsafeMutablePointer<Float>,
        accumulate: Bool, winograd: WinogradKernelGradient?, scratch: Scratch
    ) {
        guard let winograd else {
            return sgemm(columns(x, samples: samples, buffer: scratch.columns), gradient, sums, m: patch, n: filters,
                         k: samples.count * g.outputArea, transposeA: true, accumulate: accumulate)
        }
        for (i, s) in samples.enumerated() {
            winograd.accumulate(x + s * g.inputArea * channels, height: g.inputHeight, width: g.inputWidth,
                                origin: (-g.padding.height, -g.padding.width), gradient: gradient + i * g.outputArea * filters,
                                outputHeight: g.outputHeight, outputWidth: g.outputWidth, into: sums,
                                accumulate: accumulate || i > 0, scratch: scratch.winograd)
        }
    }

    /// Writes the input gradient of `samples` into `dx` from their output gradient rows `gradient`: as a
    /// Winograd convolution with the flipped kernel when `winograd` is given, else gradient · kernelᵀ folded
    /// back by col2im.
    private func writeInputGradient(
        _ gradient: UnsafePointer<Float>, kernel: UnsafePointer<Float>, samples: Range<Int>,
        into dx: UnsafeMutablePointer<Float>, winograd: WinogradKernel?, scratch: Scratch
    ) {
        let sampleInput = g.inputArea * channels, rowsPerSample = g.outputArea
        guard let winograd else {
            let target = dx + samples.lowerBound * sampleInput
            sgemm(gradient, kernel, direct ? target : scratch.columns, m: samples.count * rowsPerSample, n: patch,
                  k: filters, transposeB: true)
            if direct { return }
            for (i, s) in samples.enumerated() {
                col2imChannelsLast(scratch.columns + i * rowsPerSample * patch, channels: channels, g, into: dx + s * sampleInput)
            }
            return
        }
        for (i, s) in samples.enumerated() {
            winograd.convolve(gradient + i * rowsPerSample * filters, height: g.outputHeight, width: g.outputWidth,
                              origin: (g.padding.height - 2, g.padding.width - 2), into: dx + s * sampleInput,
                              outputHeight: g.inputHeight, outputWidth: g.inputWidth, bias: nil, relu: false,
                              scratch: scratch.winograd)
        }
    }
}

/// The sum, in order, of the `count` consecutive partial sums of shape `shape` in `partials`.
private func sumOfPartials(_ partials: Storage, shape: [Int], count: Int) throws -> Tensor {
    let result = try Tensor.zeros(shape), total = result.storage.pointer, length = result.count
    for partial in 0..<count {
        let values = partials.pointer + partial * length
        for i in 0..<length { total[i] += values[i] }
    }
    return result
}
