// A tiny float64 tensor used to write reference forwards by hand: the gradient checker differentiates
// these in Double, so every op's gradient is compared with a float64 reference.

import Foundation

/// A row-major float64 array with a shape.
struct Ref {
    var shape: [Int]
    var values: [Double]

    init(shape: [Int], values: [Double]) {
        precondition(shape.reduce(1, *) == values.count, "reference shape \(shape) vs \(values.count) values")
        self.shape = shape
        self.values = values
    }

    /// A scalar.
    init(_ value: Double) { self.init(shape: [], values: [value]) }

    /// Row-major strides.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for i in shape.indices.reversed() {
            strides[i] = step
            step *= shape[i]
        }
        return strides
    }

    /// The multi-index of flat position `flat` in `shape`.
    static func unravel(_ flat: Int, _ shape: [Int]) -> [Int] {
        var index = [Int](repeating: 0, count: shape.count)
        var rest = flat
        for i in shape.indices.reversed() where shape[i] > 0 {
            index[i] = rest % shape[i]
            rest /= shape[i]
        }
        return index
    }

    /// `f` applied elementwise.
    func map(_ f: (Double) -> Double) -> Ref { Ref(shape: shape, values: values.map(f)) }

    /// numpy broadcasting of `f` over `a` and `b`.
    static func broadcast(_ a: Ref, _ b: Ref, _ f: (Double, Double) -> Double) -> Ref {
        let rank = Swift.max(a.shape.count, b.shape.count)
        let pa = [Int](repeating: 1, count: rank - a.shape.count) + a.shape
        let pb = [Int](repeating: 1, count: rank - b.shape.count) + b.shape
        let shape = zip(pa, pb).map { x, y -> Int in
            precondition(x == y || x == 1 || y == 1, "reference cannot broadcast \(a.shape) and \(b.shape)")
            return x == 1 ? y : x
        }
        let sa = strides(pa), sb = strides(pb)
        let count = shape.reduce(1, *)
        let values = (0..<count).map { flat -> Double in
            let index = unravel(flat, shape)
            var ia = 0, ib = 0
            for d in 0..<rank {
                if pa[d] != 1 { ia += index[d] * sa[d] }
                if pb[d] != 1 { ib += index[d] * sb[d] }
            }
            return f(a.values[ia], b.values[ib])
        }
        return Ref(shape: shape, values: values)
    }

    /// A reduction along `axis` (or over everything when nil) with `combine` starting from the first element.
    func reduce(axis: Int?, keep: Bool = false, _ combine: ([Double]) -> Double) -> Ref {
        guard let axis else { return Ref(combine(values)) }
        let outer = shape[..<axis].reduce(1, *), length = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        var result: [Double] = []
        for o in 0..<outer {
            for i in 0..<inner {
                result.append(combine((0..<length).map { values[(o * length + $0) * inner + i] }))
            }
        }
        var reduced = shape
        if keep { reduced[axis] = 1 } else { reduced.remove(at: axis) }
        return Ref(shape: reduced, values: result)
    }

    func sum(axis: Int? = nil, keep: Bool = false) -> Ref { reduce(axis: axis, keep: keep) { $0.reduce(0, +) } }
    func mean(axis: Int? = nil, keep: Bool = false) -> Ref {
        reduce(axis: axis, keep: keep) { $0.reduce(0, +) / Double($0.count) }
    }
    func max(axis: Int, keep: Bool = false) -> Ref { reduce(axis: axis, keep: keep) { $0.max()! } }

    /// The transpose of a matrix.
    var transposed: Ref {
        let (rows, columns) = (shape[0], shape[1])
        var result = [Double](repeating: 0, count: values.count)
        for r in 0..<rows { for c in 0..<columns { result[c * rows + r] = values[r * columns + c] } }
        return Ref(shape: [columns, rows], values: result)
    }

    /// `op(a) · op(b)`.
    static func matmul(_ a: Ref, _ b: Ref, transposeA: Bool = false, transposeB: Bool = false) -> Ref {
        let x = transposeA ? a.transposed : a, y = transposeB ? b.transposed : b
        let (m, k, n) = (x.shape[0], x.shape[1], y.shape[1])
        precondition(y.shape[0] == k)
        var result = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for l in 0..<k { result[i * n + j] += x.values[i * k + l] * y.values[l * n + j] } } }
        return Ref(shape: [m, n], values: result)
    }

    /// Rows of a matrix-like array mapped by `f` (along the last axis).
    func mapRows(_ f: ([Double]) -> [Double]) -> Ref {
        let width = shape.last!
        var result: [Double] = []
        for start in stride(from: 0, to: values.count, by: Swift.max(width, 1)) {
            result += f(Array(values[start..<start + width]))
        }
        return Ref(shape: shape, values: result)
    }

    func logSoftmax() -> Ref {
        mapRows { row in
            let peak = row.max()!
            let logTotal = Foundation.log(row.map { Foundation.exp($0 - peak) }.reduce(0, +)) + peak
            return row.map { $0 - logTotal }
        }
    }

    func softmax() -> Ref { logSoftmax().map { Foundation.exp($0) } }
}

func + (a: Ref, b: Ref) -> Ref { .broadcast(a, b, +) }
func - (a: Ref, b: Ref) -> Ref { .broadcast(a, b, -) }
func * (a: Ref, b: Ref) -> Ref { .broadcast(a, b, *) }
func / (a: Ref, b: Ref) -> Ref { .broadcast(a, b, /) }
