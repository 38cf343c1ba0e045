import XCTest
@testable import Polyhead

/// MGDA against the two-task closed form and a brute-force min-norm search over the simplex.
final class MGDATests: XCTestCase {
    private func aggregate(_ rows: [[Float]], _ normalization: MGDA.Normalization = .none,
                           losses: [Double]? = nil) throws -> Aggregation {
        try MGDA(taskCount: rows.count, normalization: normalization)
            .aggregate(try TaskJacobian(rows: rows, losses: losses))
    }

    func testTwoTasksTakeTheClosedFormOnHandPickedGradients() throws {
        // Orthogonal, equal norms: the midpoint.
        var result = try aggregate([[1, 0], [0, 1]])
        XCTAssertEqual(result.weights, [0.5, 0.5])
        XCTAssertEqual(result.direction, [0.5, 0.5])
        // g1 = (2, 0), g2 = (0, 1): α1 = ((g2 − g1)·g2) / ‖g1 − g2‖² = 1/5; d = (0.4, 0.8) ⟂ g1 − g2.
        result = try aggregate([[2, 0], [0, 1]])
        XCTAssertEqual(result.weights[0], 0.2, accuracy: 1e-12)
        XCTAssertEqual(result.weights[1], 0.8, accuracy: 1e-12)
        XCTAssertEqual(result.direction[0], 0.4, accuracy: 1e-6)
        XCTAssertEqual(result.direction[1], 0.8, accuracy: 1e-6)
        // g1 = (1, 0), g2 = (3, 1): the unclipped α1 = 7/5 > 1, so the min-norm point is g1 itself (exactly,
        // not the official solver's 0.999).
        result = try aggregate([[1, 0], [3, 1]])
        XCTAssertEqual(result.weights, [1, 0])
        XCTAssertEqual(result.direction, [1, 0])
        // Conflicting: g1 = (1, 1), g2 = (−1, 0.5): α1 = ((g2 − g1)·g2)/‖g1 − g2‖² = 1.75/4.25.
        result = try aggregate([[1, 1], [-1, 0.5]])
        XCTAssertEqual(result.weights[0], 1.75 / 4.25, accuracy: 1e-12)
        XCTAssertEqual(result.weights[0] + result.weights[1], 1, accuracy: 1e-12)
    }

    /// `min ‖Σ αₜ gₜ‖²` over a fine simplex grid, and the grid point reaching it.
    private func bruteForce(_ rows: [[Float]], steps: Int) -> (cost: Double, alpha: [Double]) {
        let gram = GramReference.gram(rows)
        let best = GramReference.minOverSimplexGrid3(steps: steps) { GramReference.quadratic3(gram, $0, $1, $2) }
        return (best.value, best.point)
    }

    func testThreeTasksMatchABruteForceMinNormSearchOverTheSimplex() throws {
        let cases: [[[Float]]] = [
            // Interior solution: three pairwise conflicting gradients around the origin, 0 not in the hull.
            [[1, 0.2, 0.3, 0], [-0.4, 1, 0.3, 0.1], [-0.3, -0.6, 0.4, 0.2]],
            // Solution on an edge: the third gradient is long and aligned with the others.
            [[1, 0, 0.5, 0], [0, 1, 0.5, 0], [3, 3, 2, 1]],
            // Solution at a vertex: one short gradient in the cone of agreement.
            [[0.1, 0.1, 0.1, 0], [1, 2, 0.5, 0], [2, 0.5, 1, 0.3]],
            GramReference.rows(3, 6, seed: 11),
            GramReference.rows(3, 6, seed: 12, scales: [1, 5, 0.2]),
        ]
        let steps = 600
        for (index, rows) in cases.enumerated() {
            let result = try aggregate(rows)
            let reference = bruteForce(rows, steps: steps)
            let d = GramReference.combination(rows, result.weights)
            let cost = GramReference.dot(d, d)
            let scale = rows.map { GramReference.dot($0, $0) }.max()!
            XCTAssertEqual(result.weights.reduce(0, +), 1, accuracy: 1e-9, "case \(index)")
            XCTAssertTrue(result.weights.allSatisfy { $0 >= 0 }, "case \(index): \(result.weights)")
            // Never worse than the best grid point, and the grid cannot beat the exact minimum by more than
            // rounding.
            XCTAssertLessThanOrEqual(cost, reference.cost + 1e-9 * scale, "case \(index)")
            for (got, want) in zip(result.weights, reference.alpha) {
                XCTAssertEqual(got, want, accuracy: 3.0 / Double(steps), "case \(index) weights \(result.weights)")
            }
            for (got, want) in zip(result.direction, d) { XCTAssertEqual(Double(got), want, accuracy: 1e-5) }
        }
    }

    func testFourTasksSatisfyTheMinNormOptimalityConditions() throws {
        // At the min-norm point d: gₜ·d ≥ ‖d‖² for every task, with equality where αₜ > 0.
        for seed in UInt64(20)..<UInt64(26) {
            let rows = GramReference.rows(4, 5, seed: seed)
            let result = try aggregate(rows)
            let d = GramReference.combination(rows, result.weights)
            let dd = GramReference.dot(d, d)
            for (task, row) in rows.enumerated() {
                let projection = GramReference.dot(row.map(Double.init), d)
                XCTAssertGreaterThanOrEqual(projection, dd - 1e-9, "seed \(seed) task \(task)")
                if result.weights[task] > 1e-6 { XCTAssertEqual(projection, dd, accuracy: 1e-9, "seed \(seed)") }
            }
        }
    }

    func testNormalizationsDivideEachGradientBeforeTheSearch() throws {
        let rows: [[Float]] = [[3, 0, 1], [0, 0.5, 0.2], [-1, 1, 0]]
        let losses = [2.0, 0.5, 4.0]
        let norms = rows.map { GramReference.dot($0, $0).squareRoot() }
        let divisors: [MGDA.Normalization: [Double]] = [
            .l2: norms, .loss: losses, .lossPlus: zip(losses, norms).map { $0 * $1 },
        ]
        for (normalization, divisor) in divisors {
            let scaled = zip(rows, divisor).map { row, n in row.map { Float(Double($0) / n) } }
            let plain = try aggregate(scaled)
            let result = try aggregate(rows, normalization, losses: losses)
            // The same min-norm α on the scaled gradients, reported on the original ones (α / n).
            for task in 0..<3 {
                XCTAssertEqual(result.weights[task], plain.weights[task] / divisor[task], accuracy: 1e-6,
                               "\(normalization)")
            }
            for (a, b) in zip(result.direction, plain.direction) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        }
        // l2 makes the method blind to the scale of each task.
        let stretched = try aggregate([rows[0].map { $0 * 100 }, rows[1], rows[2].map { $0 * 0.01 }], .l2)
        let base = try aggregate(rows, .l2)
        for (a, b) in zip(stretched.direction, base.direction) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testNormalizationOptionIsReadFromTheRegistry() throws {
        let method = try MultiTaskMethods.make("mgda", taskCount: 2, options: ["normalization": 1])
        XCTAssertEqual((method as? MGDA)?.normalization, .l2)
        assertThrows(.invalidArgument, op: "mgda", mentions: ["normalization"]) {
            try MultiTaskMethods.make("mgda", taskCount: 2, options: ["normalization": 4])
        }
        assertThrows(.invalidArgument, op: "mgda", mentions: ["whole"]) {
            try MultiTaskMethods.make("mgda", taskCount: 2, options: ["normalization": 1.5])
        }
    }
}
