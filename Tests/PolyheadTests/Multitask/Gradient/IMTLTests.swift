import XCTest
@testable import Polyhead

/// IMTL-G: equal projections of the update onto every unit task gradient, and the paper's closed form.
final class IMTLTests: XCTestCase {
    private func aggregate(_ rows: [[Float]]) throws -> Aggregation {
        try IMTL(taskCount: rows.count).aggregate(try TaskJacobian(rows: rows))
    }

    /// `d·uₜ` for each task.
    private func projections(_ rows: [[Float]], _ weights: [Double]) -> [Double] {
        let d = GramReference.combination(rows, weights)
        return rows.map { row in
            let g = row.map(Double.init)
            return GramReference.dot(g, d) / GramReference.norm(g)
        }
    }

    func testUpdateProjectsEquallyOntoEveryUnitTaskGradient() throws {
        let cases: [[[Float]]] = [
            [[1, 0], [0, 3]],
            [[2, 1, 0], [-1, 1, 0.5], [0.2, -0.4, 3]],
            GramReference.rows(4, 7, seed: 41, scales: [1, 10, 0.1, 3]),
            GramReference.rows(5, 5, seed: 42),
        ]
        for (index, rows) in cases.enumerated() {
            let result = try aggregate(rows)
            XCTAssertEqual(result.weights.reduce(0, +), 1, accuracy: 1e-9, "case \(index)")
            let p = projections(rows, result.weights)
            for value in p { XCTAssertEqual(value, p[0], accuracy: 1e-7 * abs(p[0]), "case \(index): \(p)") }
            let d = GramReference.combination(rows, result.weights)
            for (got, want) in zip(result.direction, d) { XCTAssertEqual(Double(got), want, accuracy: 1e-5) }
        }
        // Orthogonal gradients of norms 1 and 3: α ∝ (1, 1/3), so d = (0.75, 0.75).
        let two = try aggregate([[1, 0], [0, 3]])
        XCTAssertEqual(two.weights[0], 0.75, accuracy: 1e-12)
        XCTAssertEqual(two.weights[1], 0.25, accuracy: 1e-12)
    }

    func testWeightsMatchThePapersClosedForm() throws {
        // α₂:T = g₁Uᵀ(DUᵀ)⁻¹ with rows of D = g₁ − gₜ, U = u₁ − uₜ; α₁ = 1 − Σα₂:T.
        for seed in UInt64(43)..<UInt64(47) {
            let rows = GramReference.rows(4, 6, seed: seed, scales: [1, 2, 0.5, 4])
            let g = rows.map { $0.map(Double.init) }
            let u = g.map { row in row.map { $0 / GramReference.norm(row) } }
            let d = (1..<4).map { t in zip(g[0], g[t]).map { $0 - $1 } }
            let uDiff = (1..<4).map { t in zip(u[0], u[t]).map { $0 - $1 } }
            let du = GramReference.multiply(d, GramReference.transpose(uDiff))  // (DUᵀ)
            let rhs = uDiff.map { GramReference.dot(g[0], $0) }              // g₁Uᵀ
            let tail = GramReference.solve(GramReference.transpose(du), rhs) // α (DUᵀ) = g₁Uᵀ
            let expected = [1 - tail.reduce(0, +)] + tail
            let result = try aggregate(rows)
            for (got, want) in zip(result.weights, expected) { XCTAssertEqual(got, want, accuracy: 1e-9, "seed \(seed)") }
        }
    }

    func testRankDeficientGradientsStayDefined() throws {
        // Identical gradients share the weight; a colinear longer copy gets the same projection.
        var result = try aggregate([[1, 2, 2], [1, 2, 2]])
        XCTAssertEqual(result.weights[0], 0.5, accuracy: 1e-9)
        XCTAssertEqual(result.weights[1], 0.5, accuracy: 1e-9)
        result = try aggregate([[1, 0, 0], [0, 1, 0], [0, 2, 0]])
        XCTAssertTrue(result.weights.allSatisfy(\.isFinite))
        let p = projections([[1, 0, 0], [0, 1, 0], [0, 2, 0]], result.weights)
        XCTAssertEqual(p[0], p[1], accuracy: 1e-9)
        XCTAssertEqual(p[1], p[2], accuracy: 1e-9)
        // A zero gradient has no unit vector: weight 0, the others as without it.
        result = try aggregate([[1, 0], [0, 0], [0, 3]])
        XCTAssertEqual(result.weights[1], 0)
        XCTAssertEqual(result.weights[0], 0.75, accuracy: 1e-9)
        XCTAssertEqual(result.weights[2], 0.25, accuracy: 1e-9)
        // Exactly opposite gradients: only d = 0 projects equally, and all weights are 0.
        result = try aggregate([[1, -2], [-1, 2]])
        XCTAssertEqual(result.weights, [0, 0])
        XCTAssertEqual(result.direction, [0, 0])
    }
}
