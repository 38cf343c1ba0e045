import XCTest
@testable import Polyhead

/// CAGrad: its dual objective at the solution against a grid search over the simplex, the direction
/// formula, and the primal problem it solves.
final class CAGradTests: XCTestCase {
    /// `F(w) = g_wᵀ g₀ + √φ ‖g_w‖`, `√φ = c‖g₀‖`, from the rows (not the Gram matrix).
    private func dual(_ rows: [[Float]], c: Double, _ w: [Double]) -> Double {
        let g0 = GramReference.combination(rows, [Double](repeating: 1 / Double(rows.count), count: rows.count))
        let gw = GramReference.combination(rows, w)
        return GramReference.dot(gw, g0) + c * GramReference.norm(g0) * GramReference.norm(gw)
    }

    /// The same objective through the Gram matrix `m`, as a function of the three weights (for the grid:
    /// nothing of the gradients' width, nothing allocated per point).
    private func dual(gram m: [[Double]], c: Double) -> (Double, Double, Double) -> Double {
        let sums = m.map { $0.reduce(0, +) }
        let radius = c * (sums.reduce(0, +) / 9).squareRoot()
        return { a, b, d in
            (a * sums[0] + b * sums[1] + d * sums[2]) / 3 + radius * max(GramReference.quadratic3(m, a, b, d), 0).squareRoot()
        }
    }

    private let cases: [[[Float]]] = [
        [[1, 0.2, 0.3, 0], [-0.4, 1, 0.3, 0.1], [-0.3, -0.6, 0.4, 0.2]],
        [[1, 0, 0.5, 0], [0, 1, 0.5, 0], [3, 3, 2, 1]],
        GramReference.rows(3, 6, seed: 31),
        GramReference.rows(3, 6, seed: 32, scales: [1, 4, 0.3]),
    ]

    func testDualObjectiveAtTheSolutionIsTheMinimumOverASimplexGrid() throws {
        for c in [0.2, 0.5, 0.9] {
            for (index, rows) in cases.enumerated() {
                let gram = GramReference.gram(rows)
                let g0 = GramReference.combination(rows, [1.0 / 3, 1.0 / 3, 1.0 / 3])
                let w = CAGrad.dualWeights(gram, sqrtPhi: c * GramReference.norm(g0))
                XCTAssertEqual(w.reduce(0, +), 1, accuracy: 1e-12)
                XCTAssertTrue(w.allSatisfy { $0 >= 0 })
                let solved = dual(rows, c: c, w)
                let grid = GramReference.minOverSimplexGrid3(steps: 400, dual(gram: gram, c: c)).value
                let scale = gram.indices.map { gram[$0][$0] }.max()!
                XCTAssertLessThanOrEqual(solved, grid + 1e-9 * scale, "c \(c) case \(index)")
                XCTAssertGreaterThan(solved, grid - 1e-3 * scale, "c \(c) case \(index): grid far below")
            }
        }
    }

    func testDirectionIsTheMeanPlusTheScaledDualCombination() throws {
        for rescale in 0...2 {
            for rows in cases {
                let c = 0.5
                let method = try CAGrad(taskCount: 3, c: c, rescale: rescale)
                let result = try method.aggregate(try TaskJacobian(rows: rows))
                let g0 = GramReference.combination(rows, [1.0 / 3, 1.0 / 3, 1.0 / 3])
                let sqrtPhi = c * GramReference.norm(g0)
                let w = CAGrad.dualWeights(GramReference.gram(rows), sqrtPhi: sqrtPhi)
                let gw = GramReference.combination(rows, w)
                let divisor = [1, 1 + c * c, 1 + c][rescale]
                let expected = zip(g0, gw).map { ($0 + sqrtPhi / GramReference.norm(gw) * $1) / divisor }
                for (got, want) in zip(result.direction, expected) { XCTAssertEqual(Double(got), want, accuracy: 1e-5) }
                // The weights are the exact coefficients of that direction.
                for (got, want) in zip(GramReference.combination(rows, result.weights), expected) {
                    XCTAssertEqual(got, want, accuracy: 1e-7)
                }
            }
        }
    }

    func testUnrescaledDirectionSolvesThePrimalProblem() throws {
        // d = g₀ + √φ g_w/‖g_w‖ lies on the sphere ‖d − g₀‖ = c‖g₀‖ and maximises minᵢ gᵢ·d over that ball:
        // no point sampled in the ball does better.
        var random = TestRandom(seed: 5)
        for rows in cases {
            let c = 0.5
            let result = try CAGrad(taskCount: 3, c: c, rescale: 0).aggregate(try TaskJacobian(rows: rows))
            let d = GramReference.combination(rows, result.weights)
            let g0 = GramReference.combination(rows, [1.0 / 3, 1.0 / 3, 1.0 / 3])
            let radius = c * GramReference.norm(g0)
            XCTAssertEqual(GramReference.norm(zip(d, g0).map { $0 - $1 }), radius, accuracy: 1e-9)
            func worst(_ x: [Double]) -> Double { rows.map { GramReference.dot($0.map(Double.init), x) }.min()! }
            let best = worst(d)
            for _ in 0..<4000 {
                let u = (0..<g0.count).map { _ in random.uniform(-1, 1) }
                let x = zip(g0, u).map { $0 + radius * $1 / GramReference.norm(u) }
                XCTAssertLessThanOrEqual(worst(x), best + 1e-9)
            }
        }
    }

    func testCZeroIsTheMeanGradientAndOptionsAreChecked() throws {
        let rows: [[Float]] = [[1, 2], [-3, 1]]
        let result = try CAGrad(taskCount: 2, c: 0).aggregate(try TaskJacobian(rows: rows))
        XCTAssertEqual(result.weights, [0.5, 0.5])
        XCTAssertEqual(result.direction, [-1, 1.5])
        let made = try MultiTaskMethods.make("cagrad", taskCount: 2, options: ["c": 0.4, "rescale": 2]) as? CAGrad
        XCTAssertEqual(made?.c, 0.4)
        XCTAssertEqual(made?.rescale, 2)
        XCTAssertEqual((try MultiTaskMethods.make("cagrad", taskCount: 2) as? CAGrad)?.c, 0.5)
        assertThrows(.invalidArgument, op: "cagrad", mentions: ["c="]) {
            try MultiTaskMethods.make("cagrad", taskCount: 2, options: ["c": -1])
        }
        assertThrows(.invalidArgument, op: "cagrad", mentions: ["rescale"]) {
            try MultiTaskMethods.make("cagrad", taskCount: 2, options: ["rescale": 3])
        }
        assertThrows(.invalidArgument, op: "cagrad", mentions: ["c="]) {
            try MultiTaskMethods.make("cagrad", taskCount: 2, options: ["c": 2e6])
        }
        // The largest c still gives a finite update (mostly along the dual combination, scaled down).
        let wide = try CAGrad(taskCount: 2, c: CAGrad.largestC).aggregate(try TaskJacobian(rows: [[1, 0], [-0.5, 1e-3]]))
        XCTAssertTrue(wide.weights.allSatisfy(\.isFinite) && wide.direction.allSatisfy(\.isFinite))
    }
}
