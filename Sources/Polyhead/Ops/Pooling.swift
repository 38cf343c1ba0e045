// 2-D max and average pooling over the last two axes of NCHW tensors, as PyTorch's `max_pool2d` and
// `avg_pool2d` (floor mode, dilation 1). Each plane (sample, channel) is pooled independently.

extension Tensor {
    /// Checks a pooling input and window; PyTorch also requires padding ≤ kernel / 2, so that every window
    /// holds at least one input pixel.
    private func poolingWindow(op: String, kernel: Size2d, stride: Size2d, padding: Size2d) throws -> (planes: Int, Window2d) {
        let (n, c, h, w) = try nchw(op: op)
        guard h > 0, w > 0 else {
            throw PolyheadError.shapeMismatch(
                op: op, message: "expected non-empty planes (H, W ≥ 1), got input \(describe(shape))")
        }
        let g = try Window2d(op: op, input: Size2d(h, w), kernel: kernel, stride: stride, padding: padding)
        guard 2 * padding.height <= kernel.height, 2 * padding.width <= kernel.width else {
            throw PolyheadError.invalidArgument(
                op: op, message: "padding \(padding) should be at most half of the kernel size \(kernel)")
        }
        return (n * c, g)
    }

    /// The maximum of every `kernel` window (stepping by `stride`, with implicit −∞ padding), per plane.
    /// NaN counts as maximal; the gradient flows to the first maximal element of each window.
    ///
    /// Shapes: (N, C, H, W) → (N, C, OH, OW), `OH = (H + 2·padding − kernel) / stride + 1`.
    /// - Throws: `PolyheadError.shapeMismatch` unless 4-D; `.invalidArgument` for a bad window.
    public func maxPool2d(kernel: Size2d, stride: Size2d, padding: Size2d = Size2d(0, 0)) throws -> Tensor {
        let (planes, g) = try poolingWindow(op: "max_pool2d", kernel: kernel, stride: stride, padding: padding)
        let result = try Tensor.empty([shape[0], shape[1], g.outputHeight, g.outputWidth], op: "max_pool2d")
        guard g.inputArea <= Int(Int32.max) else {
            throw PolyheadError.outOfMemory(op: "max_pool2d", message: "planes of \(g.inputArea) pixels are too large")
        }
        // The winner of each window, as an offset in its plane (Int32 halves the memory traffic).
        var winners = [Int32](repeating: 0, count: planes * g.outputArea)
        winners.withUnsafeMutableBufferPointer { best in
            if let base = best.baseAddress {  // nil only without outputs
                maxPoolPlanes(storage.pointer, into: result.storage.pointer, winners: base, planes: planes, g)
            }
        }
        let inputShape = shape
        return try result.recorded(from: [self], op: "max_pool2d") { grad in
            let gradient = try Tensor.zeros(inputShape)
            let pg = grad.storage.pointer, pd = gradient.storage.pointer
            winners.withUnsafeBufferPointer { best in
                for plane in 0..<planes {
                    let target = pd + plane * g.inputArea, base = plane * g.outputArea
                    for k in 0..<g.outputArea { target[Int(best[base + k])] += pg[base + k] }
                }
            }
            return [gradient]
        }
    }

    /// The mean of every `kernel` window (stepping by `stride`, with zero padding), per plane. With
    /// `countIncludePad` (PyTorch's default) every window is divided by its full size; otherwise by the
    /// number of input pixels it covers.
    ///
    /// Shapes: (N, C, H, W) → (N, C, OH, OW), `OH = (H + 2·padding − kernel) / stride + 1`.
    /// - Throws: `PolyheadError.shapeMismatch` unless 4-D; `.invalidArgument` for a bad window.
    public func avgPool2d(
        kernel: Size2d, stride: Size2d, padding: Size2d = Size2d(0, 0), countIncludePad: Bool = true
    ) throws -> Tensor {
        let (planes, g) = try poolingWindow(op: "avg_pool2d", kernel: kernel, stride: stride, padding: padding)
        let result = try Tensor.empty([shape[0], shape[1], g.outputHeight, g.outputWidth], op: "avg_pool2d")
        let input = storage.pointer, out = result.storage.pointer
        forEachAverageWindow(g, planes: planes, countIncludePad: countIncludePad) { plane, slot, rows, columns, scale in
            let source = input + plane * g.inputArea
            var total: Float = 0
            for iy in rows { for ix in columns { total += source[iy * g.inputWidth + ix] } }
            out[slot] = total * scale
        }
        let inputShape = shape
        return try result.recorded(from: [self], op: "avg_pool2d") { grad in
            let gradient = try Tensor.zeros(inputShape)
            let pg = grad.storage.pointer, pd = gradient.storage.pointer
            forEachAverageWindow(g, planes: planes, countIncludePad: countIncludePad) { plane, slot, rows, columns, scale in
                let target = pd + plane * g.inputArea, share = pg[slot] * scale
                for iy in rows { for ix in columns { target[iy * g.inputWidth + ix] += share } }
            }
            return [gradient]
        }
    }
}

/// Calls `body(plane, output slot, input rows, input columns, 1 / divisor)` for every average-pooling window.
@inline(__always)
private func forEachAverageWindow(
    _ g: Window2d, planes: Int, countIncludePad: Bool,
    _ body: (_ plane: Int, _ slot: Int, _ rows: Range<Int>, _ columns: Range<Int>, _ scale: Float) -> Void
) {
    let fullScale = 1 / Float(g.kernel.height * g.kernel.width)
    for plane in 0..<planes {
        for oy in 0..<g.outputHeight {
            let top = oy * g.stride.height - g.padding.height
            let rows = Swift.max(top, 0)..<Swift.min(top + g.kernel.height, g.inputHeight)
            for ox in 0..<g.outputWidth {
                let left = ox * g.stride.width - g.padding.width
                let columns = Swift.max(left, 0)..<Swift.min(left + g.kernel.width, g.inputWidth)
                let scale = countIncludePad ? fullScale : 1 / Float(rows.count * columns.count)
                body(plane, plane * g.outputArea + oy * g.outputWidth + ox, rows, columns, scale)
            }
        }
    }
}

/// The forward of `maxPool2d` over `planes` planes: every window's maximum (NaN wins) into `out` and its
/// offset within the plane into `winners`.
private func maxPoolPlanes(
    _ input: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>,
    planes: Int, _ g: Window2d
) {
    let (kh, kw, sh, sw) = (g.kernel.height, g.kernel.width, g.stride.height, g.stride.width)
    let (height, width, oh, ow) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth)
    for plane in 0..<planes {
        let source = input + plane * g.inputArea
        let target = out + plane * g.outputArea, best = winners + plane * g.outputArea
        for oy in 0..<oh {
            let top = oy * sh - g.padding.height
            let firstRow = Swift.max(top, 0), endRow = Swift.min(top + kh, height)
            for ox in 0..<ow {
                let left = ox * sw - g.padding.width
                let firstColumn = Swift.max(left, 0), endColumn = Swift.min(left + kw, width)
                var at = firstRow * width + firstColumn, peak = source[at]
                var iy = firstRow
                while iy < endRow, !peak.isNaN {
                    let line = iy * width
                    var ix = firstColumn
                    while ix < endColumn {
                        let value = source[line + ix]
                        if value > peak || value.isNaN {
                            peak = value
                            at = line + ix
                            if value.isNaN { break }
                        }
                        ix += 1
                    }
                    iy += 1
                }
                target[oy * ow + ox] = peak
                best[oy * ow + ox] = Int32(truncatingIfNeeded: at)
            }
        }
    }
}
