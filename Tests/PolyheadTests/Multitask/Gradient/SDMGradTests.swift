import XCTest
@testable import Polyhead

/// SDMGrad against its inner projected-momentum iterations written out by hand in Double.
final class SDMGradTests: XCTestCase {
    /// The Euclidean projection onto the simplex by bisection on the threshold (independent of the
    /// library's sort-based one).
    private func simplex(_ v: [Double]) -> [Double] {
        var low = v.min()! - 1, high = v.max()!
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if v.reduce(0, { $0 + max($1 - mid, 0) }) > 1 { low = mid } else { high = mid }
        }
        return v.map { max($0 - (low + high) / 2, 0) }
    }

    /// LibMTL's inner loop on explicit vectors: returns the new w.
    private func inner(_ g: [[Double]], w start: [Double], lambda: Double, iterations: Int) -> [Double] {
        let t = g.count
        let dot = { (a: [Double], b: [Double]) in zip(a, b).reduce(0.0) { $0 + $1.0 * $1.1 } }
        let scale = g.reduce(0) { $0 + dot($1, $1).squareRoot() } / Double(t)
        let m = g.map { a in g.map { dot(a, $0) / (scale * scale + 1e-8) } }
        let mean = (0..<t).map { i in m[i].reduce(0, +) / Double(t) }
        var w = start, buffer = [Double](repeating: 0, count: t)
        for iteration in 0..<iterations {
            let grad = (0..<t).map { i in dot(m[i], w) + lambda * mean[i] }
            buffer = iteration == 0 ? grad : zip(buffer, grad).map { 0.5 * $0 + $1 }
            w = simplex(zip(w, buffer).map { $0 - 5 * $1 })
        }
        return w
    }

    func testTwoStepsWarmStartTheSimplexWeights() throws {
        let steps: [[[Float]]] = [[[1, 0, 2], [-1, 1, 0], [0.5, 0.5, -1]], [[2, 1, 0], [0, -1, 1], [1, 0, 0]]]
        let method = try makeAggregator("sdmgrad", taskCount: 3, options: ["lambda": 0.5, "niter": 4]) as! SDMGrad
        var w = [1.0 / 3, 1.0 / 3, 1.0 / 3]
        for rows in steps {
            let g = rows.map { $0.map(Double.init) }
            w = inner(g, w: w, lambda: 0.5, iterations: 4)
            let result = try method.aggregate(try TaskJacobian(rows: rows))
            assertClose(method.simplexWeights, w, tolerance: 1e-9)
            let weights = w.map { ($0 + 0.5 / 3) / 1.5 }
            assertClose(result.weights, weights, tolerance: 1e-9)
            let want = (0..<3).map { k in (0..<3).reduce(0.0) { $0 + weights[$1] * g[$1][k] } }
            assertClose(result.direction.map(Double.init), want, tolerance: 1e-6)
        }
    }

    func testOneIterationByHand() throws {
        // Orthogonal g₁ = (1, 0), g₂ = (0, 3): scale 2, M = diag(¼, 9/4) (up to 1e-8); from w = (½, ½),
        // gradient M w + λ M 1/2 = (0.15, 1.35) with λ = 0.2; w − 5·grad = (−0.25, −6.25) → Π_Δ = (1, 0).
        let method = try makeAggregator("sdmgrad", taskCount: 2, options: ["lambda": 0.2, "niter": 1]) as! SDMGrad
        let result = try method.aggregate(try TaskJacobian(rows: [[1, 0], [0, 3]]))
        assertClose(method.simplexWeights, [1, 0], tolerance: 1e-9)
        assertClose(result.weights, [1.1 / 1.2, 0.1 / 1.2], tolerance: 1e-9)
    }

    func testDegenerateGradientsGiveFiniteUpdates() throws {
        for (label, rows) in degenerateJacobians {
            let method = try makeAggregator("sdmgrad", taskCount: rows.count)
            for _ in 0..<2 {
                let jacobian = try TaskJacobian(rows: rows)
                let result = try method.aggregate(jacobian)
                assertConsistent(result, jacobian, label)
                XCTAssertEqual(result.weights.reduce(0, +), 1, accuracy: 1e-9, label)
            }
        }
        assertThrows(.invalidArgument, op: "sdmgrad", mentions: ["niter=2.5"]) {
            try MultiTaskMethods.make("sdmgrad", taskCount: 2, options: ["niter": 2.5])
        }
    }
}
