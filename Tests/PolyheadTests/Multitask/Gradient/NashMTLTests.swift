import XCTest
@testable import Polyhead

/// Nash-MTL: the bargaining system `G Gᵀ α = 1/α` at the solution, per-task scale invariance, clipping,
/// and the weight-reuse schedule.
final class NashMTLTests: XCTestCase {
    private func unclipped(_ count: Int) throws -> NashMTL { try NashMTL(taskCount: count, maxNorm: 0) }

    func testWeightsSolveTheBargainingSystem() throws {
        let cases: [[[Float]]] = [
            [[1, 0], [0, 2]],
            [[1, 0.5, 0], [-0.3, 1, 0.2], [0.2, -0.1, 1]],
            GramReference.rows(4, 8, seed: 71, scales: [1, 10, 0.1, 2]),
            GramReference.rows(3, 5, seed: 72),
        ]
        for (index, rows) in cases.enumerated() {
            let result = try unclipped(rows.count).aggregate(try TaskJacobian(rows: rows))
            let gram = GramReference.gram(rows)
            XCTAssertTrue(result.weights.allSatisfy { $0 > 0 }, "case \(index)")
            for (task, alpha) in result.weights.enumerated() {
                let lhs = GramReference.dot(gram[task], result.weights)
                XCTAssertEqual(lhs * alpha, 1, accuracy: 1e-8, "case \(index) task \(task)")
            }
            // gₜ·d = 1/αₜ, so ‖d‖² = Σ αₜ gₜ·d = T.
            let d = GramReference.combination(rows, result.weights)
            XCTAssertEqual(GramReference.dot(d, d), Double(rows.count), accuracy: 1e-8)
            for (got, want) in zip(result.direction, d) { XCTAssertEqual(Double(got), want, accuracy: 1e-5) }
        }
        // Orthogonal gradients of norms 1 and 2: αₜ = 1/‖gₜ‖.
        let two = try unclipped(2).aggregate(try TaskJacobian(rows: [[1, 0], [0, 2]]))
        XCTAssertEqual(two.weights[0], 1, accuracy: 1e-9)
        XCTAssertEqual(two.weights[1], 0.5, accuracy: 1e-9)
    }

    func testScalingOneTaskLeavesTheDirectionAndRescalesItsWeight() throws {
        let rows = GramReference.rows(3, 6, seed: 73)
        let factors: [Float] = [10, 1, 0.05]
        let scaled = zip(rows, factors).map { row, f in row.map { $0 * f } }
        let base = try unclipped(3).aggregate(try TaskJacobian(rows: rows))
        let result = try unclipped(3).aggregate(try TaskJacobian(rows: scaled))
        for (a, b) in zip(result.direction, base.direction) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        for task in 0..<3 {
            XCTAssertEqual(result.weights[task] * Double(factors[task]), base.weights[task],
                           accuracy: 1e-6 * base.weights[task])
        }
    }

    func testMaxNormClipsTheDirectionAndItsWeights() throws {
        let rows = GramReference.rows(3, 6, seed: 74)
        let free = try unclipped(3).aggregate(try TaskJacobian(rows: rows))
        let clipped = try NashMTL(taskCount: 3).aggregate(try TaskJacobian(rows: rows))  // max_norm 1
        let d = GramReference.combination(rows, clipped.weights)
        XCTAssertEqual(GramReference.norm(d), 1, accuracy: 1e-9)
        for (a, b) in zip(clipped.weights, free.weights) { XCTAssertEqual(a, b / 3.0.squareRoot(), accuracy: 1e-9 * b) }
        // A generous limit leaves the √T-norm direction alone.
        let loose = try NashMTL(taskCount: 3, maxNorm: 5).aggregate(try TaskJacobian(rows: rows))
        for (a, b) in zip(loose.weights, free.weights) { XCTAssertEqual(a, b, accuracy: 1e-12 * b) }
    }

    func testWeightsAreReusedBetweenUpdates() throws {
        let method = try NashMTL(taskCount: 2, updateWeightsEvery: 2, maxNorm: 0)
        let first = try method.aggregate(try TaskJacobian(rows: [[1, 0], [0, 2]]))
        let second = try method.aggregate(try TaskJacobian(rows: [[3, 0], [0, 1]]))
        XCTAssertEqual(second.weights, first.weights)
        XCTAssertEqual(second.direction, [3, 0.5])
        let third = try method.aggregate(try TaskJacobian(rows: [[3, 0], [0, 1]]))
        XCTAssertEqual(third.weights[0], 1.0 / 3, accuracy: 1e-9)
        XCTAssertEqual(third.weights[1], 1, accuracy: 1e-9)
        let made = try MultiTaskMethods.make(
            "nash_mtl", taskCount: 2, options: ["optim_niter": 5, "update_weights_every": 3, "max_norm": 0]) as? NashMTL
        XCTAssertEqual(made?.optimIterations, 5)
        XCTAssertEqual(made?.updateWeightsEvery, 3)
        XCTAssertEqual(made?.maxNorm, 0)
        assertThrows(.invalidArgument, op: "nash_mtl", mentions: ["update_weights_every"]) {
            try MultiTaskMethods.make("nash_mtl", taskCount: 2, options: ["update_weights_every": 0])
        }
        assertThrows(.shapeMismatch, op: "nash_mtl") { try method.aggregate(try TaskJacobian(rows: [[1]])) }
    }

    func testZeroAndOpposingGradientsStayFinite() throws {
        // A zero gradient gets weight 0; the others solve their own system.
        var result = try unclipped(3).aggregate(try TaskJacobian(rows: [[1, 0], [0, 0], [0, 2]]))
        XCTAssertEqual(result.weights[1], 0)
        XCTAssertEqual(result.weights[0], 1, accuracy: 1e-9)
        XCTAssertEqual(result.weights[2], 0.5, accuracy: 1e-9)
        // No direction improves both: large equal-ish weights whose combination nearly cancels.
        result = try unclipped(2).aggregate(try TaskJacobian(rows: [[1, -2], [-1, 2]]))
        XCTAssertTrue(result.weights.allSatisfy { $0.isFinite && $0 > 0 })
        XCTAssertLessThan(GramReference.norm(result.direction.map(Double.init)), 1e-3)
    }
}
