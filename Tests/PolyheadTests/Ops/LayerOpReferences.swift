// Float64 references of the layer ops (convolution, pooling, normalization), written the slow obvious way
// for the gradient checker to differentiate.

import Foundation

extension Ref {
    /// Element (n, c, y, x) of an NCHW array.
    func at(_ n: Int, _ c: Int, _ y: Int, _ x: Int) -> Double {
        values[((n * shape[1] + c) * shape[2] + y) * shape[3] + x]
    }

    /// Cross-correlation of `x` (N, C, H, W) with `w` (O, C, KH, KW) plus `b` (O), zero padding.
    static func conv2d(_ x: Ref, _ w: Ref, _ b: Ref?, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)) -> Ref {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let oh = (h + 2 * padding.0 - kh) / stride.0 + 1, ow = (wd + 2 * padding.1 - kw) / stride.1 + 1
        var out: [Double] = []
        for s in 0..<n { for f in 0..<o { for oy in 0..<oh { for ox in 0..<ow {
            var total = b?.values[f] ?? 0
            for ch in 0..<c { for i in 0..<kh { for j in 0..<kw {
                let iy = oy * stride.0 - padding.0 + i, ix = ox * stride.1 - padding.1 + j
                if iy >= 0, iy < h, ix >= 0, ix < wd { total += x.at(s, ch, iy, ix) * w.at(f, ch, i, j) }
            } } }
            out.append(total)
        } } } }
        return Ref(shape: [n, o, oh, ow], values: out)
    }

    /// Pooling of every window (padding cells are skipped; `divisor` gets the window's full and covered sizes).
    static func pool2d(
        _ x: Ref, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
        _ combine: (_ values: [Double], _ fullSize: Int) -> Double
    ) -> Ref {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h + 2 * padding.0 - kernel.0) / stride.0 + 1, ow = (w + 2 * padding.1 - kernel.1) / stride.1 + 1
        var out: [Double] = []
        for s in 0..<n { for ch in 0..<c { for oy in 0..<oh { for ox in 0..<ow {
            var window: [Double] = []
            for i in 0..<kernel.0 { for j in 0..<kernel.1 {
                let iy = oy * stride.0 - padding.0 + i, ix = ox * stride.1 - padding.1 + j
                if iy >= 0, iy < h, ix >= 0, ix < w { window.append(x.at(s, ch, iy, ix)) }
            } }
            out.append(combine(window, kernel.0 * kernel.1))
        } } } }
        return Ref(shape: [n, c, oh, ow], values: out)
    }

    /// Batch normalization in training mode: per channel over the batch and positions, then `w · x̂ + b`.
    static func batchNorm(_ x: Ref, _ w: Ref?, _ b: Ref?, eps: Double = 1e-5) -> Ref {
        let rows = x.channelRows
        return rows.normalizedRows(width: rows.shape[1], epsilon: eps).fromChannelRows(x.shape).channelAffine(w, b)
    }

    /// Normalizes consecutive groups of `width` values: (v − mean) / √(var + eps).
    func normalizedRows(width: Int, epsilon: Double) -> Ref {
        mapRows(width: width) { row in
            let mean = row.reduce(0, +) / Double(row.count)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(row.count)
            return row.map { ($0 - mean) / (variance + epsilon).squareRoot() }
        }
    }

    /// `f` applied to consecutive runs of `width` values.
    func mapRows(width: Int, _ f: ([Double]) -> [Double]) -> Ref {
        var result: [Double] = []
        for start in stride(from: 0, to: values.count, by: width) { result += f(Array(values[start..<start + width])) }
        return Ref(shape: shape, values: result)
    }

    /// The (C, N·S) matrix of an (N, C, *) array: each channel's values in one row.
    var channelRows: Ref {
        let (n, c) = (shape[0], shape[1]), s = values.count / Swift.max(n * c, 1)
        var result: [Double] = []
        for ch in 0..<c { for i in 0..<n { result += values[((i * c + ch) * s)..<((i * c + ch) * s + s)] } }
        return Ref(shape: [c, n * s], values: result)
    }

    /// The inverse of `channelRows`, back to `shape`.
    func fromChannelRows(_ shape: [Int]) -> Ref {
        let (n, c) = (shape[0], shape[1]), s = values.count / Swift.max(n * c, 1)
        var result = [Double](repeating: 0, count: values.count)
        for ch in 0..<c { for i in 0..<n { for k in 0..<s { result[(i * c + ch) * s + k] = values[ch * n * s + i * s + k] } } }
        return Ref(shape: shape, values: result)
    }

    /// `self · weight + bias` with (C) parameters broadcast along axis 1 of an (N, C, *) array.
    func channelAffine(_ weight: Ref?, _ bias: Ref?) -> Ref {
        let s = values.count / Swift.max(shape[0] * shape[1], 1)
        return Ref(shape: shape, values: values.enumerated().map { index, v in
            let ch = (index / s) % shape[1]
            return v * (weight?.values[ch] ?? 1) + (bias?.values[ch] ?? 0)
        })
    }
}
