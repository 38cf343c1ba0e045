#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `log(softmax(row))` of each of `rows` rows of `width` logits into `output`, stably
/// (the maximum is subtracted before exponentiating).
func logSoftmaxRows(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
    for r in 0..<rows {
        let x = input + r * width, y = output + r * width
        var peak = -Float.infinity
        for i in 0..<width where x[i] > peak || x[i].isNaN { peak = x[i] }
        if peak == -.infinity { peak = 0 }
        var total: Float = 0
        for i in 0..<width { total += expf(x[i] - peak) }
        let logTotal = logf(total)
        for i in 0..<width { y[i] = (x[i] - peak) - logTotal }
    }
}

extension Tensor {
    /// Checks that `axis` names the last axis, the only one the softmax family supports.
    private func lastAxisWidth(_ axis: Int, op: String) throws -> Int {
        let normalized = try Shape.normalize(axis: axis, rank: rank, op: op)
        guard normalized == rank - 1 else {
            throw PolyheadError.invalidArgument(
                op: op, message: "only the last axis is supported, got axis \(axis) of \(describe(shape))")
        }
        return shape[normalized]
    }

    /// `log(softmax(x))` along the last axis, computed stably.
    public func logSoftmax(axis: Int = -1) throws -> Tensor {
        let width = try lastAxisWidth(axis, op: "log_softmax")
        let result = try Tensor.empty(shape, op: "log_softmax")
        let rows = width == 0 ? 0 : count / width
        logSoftmaxRows(storage.pointer, result.storage.pointer, rows: rows, width: width)
        let saved = result.storage
        return try result.recorded(from: [self], op: "log_softmax") { g in
            // d/dx: g - softmax · Σ g
            let gradient = try Tensor.empty(g.shape, op: "log_softmax")
            let pg = g.storage.pointer, pd = gradient.storage.pointer, y = saved.pointer
            for r in 0..<rows {
                let o = r * width
                var total: Float = 0
                for i in 0..<width { total += pg[o + i] }
                for i in 0..<width { pd[o + i] = pg[o + i] - expf(y[o + i]) * total }
            }
            return [gradient]
        }
    }

    /// `softmax(x)` along the last axis.
    public func softmax(axis: Int = -1) throws -> Tensor {
        let width = try lastAxisWidth(axis, op: "softmax")
        let result = try Tensor.empty(shape, op: "softmax")
        let rows = width == 0 ? 0 : count / width
        let y = result.storage.pointer
        logSoftmaxRows(storage.pointer, y, rows: rows, width: width)
        for i in 0..<count { y[i] = expf(y[i]) }
        let saved = result.storage
        return try result.recorded(from: [self], op: "softmax") { g in
            // d/dx: y · (g - Σ g·y)
            let gradient = try Tensor.empty(g.shape, op: "softmax")
            let pg = g.storage.pointer, pd = gradient.storage.pointer, y = saved.pointer
            for r in 0..<rows {
                let o = r * width
                var dot: Float = 0
                for i in 0..<width { dot += pg[o + i] * y[o + i] }
                for i in 0..<width { pd[o + i] = y[o + i] * (pg[o + i] - dot) }
            }
            return [gradient]
        }
    }
}
