/// Walks `shape` in row-major order as contiguous runs along the last axis, passing for each run the
/// output offset, the offsets of two broadcast operands (read with `strides` from
/// `Shape.broadcastStrides`), the run length and the operands' steps along the run.
@inline(__always)
func forEachRun(
    shape: [Int], _ stridesA: [Int], _ stridesB: [Int],
    _ body: (_ out: Int, _ a: Int, _ b: Int, _ length: Int, _ stepA: Int, _ stepB: Int) -> Void
) {
    let rank = shape.count
    guard rank > 0 else { return body(0, 0, 0, 1, 0, 0) }
    guard !shape.contains(0) else { return }
    let length = shape[rank - 1], stepA = stridesA[rank - 1], stepB = stridesB[rank - 1]
    var index = [Int](repeating: 0, count: rank)
    var out = 0, offsetA = 0, offsetB = 0
    while true {
        body(out, offsetA, offsetB, length, stepA, stepB)
        out += length
        var axis = rank - 2
        while axis >= 0 {
            index[axis] += 1
            offsetA += stridesA[axis]
            offsetB += stridesB[axis]
            if index[axis] < shape[axis] { break }
            offsetA -= stridesA[axis] * shape[axis]
            offsetB -= stridesB[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
        if axis < 0 { return }
    }
}

/// `f` applied elementwise to `a` and `b` under numpy broadcasting (not recorded).
@inline(__always)
func broadcastBinary(
    _ a: Tensor, _ b: Tensor, op: String, _ f: (Float, Float) -> Float
) throws -> Tensor {
    let pa = a.storage.pointer, pb = b.storage.pointer
    if a.shape == b.shape {
        let result = try Tensor.empty(a.shape, op: op)
        let out = result.storage.pointer
        for i in 0..<a.count { out[i] = f(pa[i], pb[i]) }
        return result
    }
    let shape = try Shape.broadcast(a.shape, b.shape, op: op)
    let result = try Tensor.empty(shape, op: op)
    let out = result.storage.pointer
    let stridesA = Shape.broadcastStrides(of: a.shape, to: shape)
    let stridesB = Shape.broadcastStrides(of: b.shape, to: shape)
    forEachRun(shape: shape, stridesA, stridesB) { o, oa, ob, length, stepA, stepB in
        let run = out + o, x = pa + oa, y = pb + ob
        switch (stepA, stepB) {
        case (1, 1): for i in 0..<length { run[i] = f(x[i], y[i]) }
        case (1, 0): let v = y[0]; for i in 0..<length { run[i] = f(x[i], v) }
        case (0, 1): let v = x[0]; for i in 0..<length { run[i] = f(v, y[i]) }
        default: for i in 0..<length { run[i] = f(x[i * stepA], y[i * stepB]) }
        }
    }
    return result
}

extension Tensor {
    /// The sum of this broadcast gradient over the axes along which `shape` was broadcast, so that it is
    /// shaped like `shape` again (the pullback of broadcasting).
    func summed(toShape target: [Int]) throws -> Tensor {
        if shape == target { return self }
        let result = try Tensor.zeros(target)
        let sums = result.storage.pointer, source = storage.pointer
        let strides = Shape.broadcastStrides(of: target, to: shape)
        forEachRun(shape: shape, strides, strides) { o, offset, _, length, step, _ in
            let run = source + o
            if step == 0 {
                var total: Float = 0
                for i in 0..<length { total += run[i] }
                sums[offset] += total
            } else {
                for i in 0..<length { sums[offset + i * step] += run[i] }
            }
        }
        return result
    }
}
