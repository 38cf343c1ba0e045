@testable import Polyhead

/// Float64 references over explicit task-gradient rows, written independently of the methods' Gram-matrix
/// code: dot products, combinations, brute-force simplex grids and small dense solves.
enum GramReference {
    /// Deterministic rows `count × width`, uniform in (−1, 1), each then scaled by `scales[i]` (default 1).
    static func rows(_ count: Int, _ width: Int, seed: UInt64, scales: [Double]? = nil) -> [[Float]] {
        var random = TestRandom(seed: seed)
        return (0..<count).map { i in
            (0..<width).map { _ in Float(random.uniform(-1, 1) * (scales?[i] ?? 1)) }
        }
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0.0) { $0 + $1.0 * $1.1 } }
    static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

    /// `Σ weights[i] · rows[i]` in Double.
    static func combination(_ rows: [[Float]], _ weights: [Double]) -> [Double] {
        (0..<rows[0].count).map { k in zip(rows, weights).reduce(0.0) { $0 + $1.1 * Double($1.0[k]) } }
    }

    /// The Gram matrix in Double.
    static func gram(_ rows: [[Float]]) -> [[Double]] { rows.map { a in rows.map { dot(a, $0) } } }

    /// The least value of `f` over the points of the simplex in R³ whose coordinates lie on a grid of
    /// step `1/steps`, and the point reaching it (scalar arguments: no allocation per point).
    static func minOverSimplexGrid3(steps: Int, _ f: (Double, Double, Double) -> Double) -> (value: Double, point: [Double]) {
        var best = (value: Double.infinity, i: 0, j: 0)
        let h = 1 / Double(steps)
        for i in 0...steps {
            for j in 0...(steps - i) {
                let value = f(Double(i) * h, Double(j) * h, Double(steps - i - j) * h)
                if value < best.value { best = (value, i, j) }
            }
        }
        return (best.value, [Double(best.i) * h, Double(best.j) * h, Double(steps - best.i - best.j) * h])
    }

    /// `wᵀ M w` for a 3 × 3 `m`, on scalars.
    static func quadratic3(_ m: [[Double]], _ a: Double, _ b: Double, _ c: Double) -> Double {
        a * (m[0][0] * a + 2 * m[0][1] * b + 2 * m[0][2] * c) + b * (m[1][1] * b + 2 * m[1][2] * c) + c * m[2][2] * c
    }

    /// Solves the square system `a x = b` by Gaussian elimination with partial pivoting (any matrix).
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double] {
        var m = zip(a, b).map { $0 + [$1] }
        let n = b.count
        for c in 0..<n {
            let p = (c..<n).max { abs(m[$0][c]) < abs(m[$1][c]) }!
            m.swapAt(c, p)
            for r in 0..<n where r != c {
                let f = m[r][c] / m[c][c]
                for k in c...n { m[r][k] -= f * m[c][k] }
            }
        }
        return (0..<n).map { m[$0][n] / m[$0][$0] }
    }

    /// `a · b` for small dense matrices.
    static func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        a.map { row in (0..<b[0].count).map { j in (0..<b.count).reduce(0.0) { $0 + row[$1] * b[$1][j] } } }
    }

    static func transpose(_ a: [[Double]]) -> [[Double]] { (0..<a[0].count).map { j in a.map { $0[j] } } }
}
