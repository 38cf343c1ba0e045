import XCTest
@testable import Polyhead

/// DB-MTL against its moving average of log-loss gradients and max-norm balancing, by hand over steps.
final class DBMTLTests: XCTestCase {
    func testTwoStepsByHand() throws {
        let method = try makeAggregator("dbmtl", taskCount: 2)
        // Step 1 (β = 0.9, σ = 0): ĝ = 0.1 · g/L: ĝ₁ = 0.1·(2, 0)/2 = (0.1, 0), ĝ₂ = 0.1·(0, 3)/0.5 = (0, 0.6).
        // Balanced to the largest norm 0.6: d = 6 ĝ₁ + 1 ĝ₂ = (0.6, 0.6) (up to the 1e-8 guards).
        let first = try method.aggregate(try TaskJacobian(rows: [[2, 0], [0, 3]], losses: [2, 0.5]))
        assertClose(first.direction.map(Double.init), [0.6, 0.6], tolerance: 1e-6)
        // Effective weights of (0.6, 0.6) on g₁ = (2, 0), g₂ = (0, 3): (0.3, 0.2).
        assertClose(first.weights, [0.3, 0.2], tolerance: 1e-6)
        // Step 2: g₁ = (1, 1), L₁ = 1; g₂ = (0, -1), L₂ = 0.25.
        // ĝ₁ = 0.9 (0.1, 0) + 0.1 (1, 1) = (0.19, 0.1);  ĝ₂ = 0.9 (0, 0.6) + 0.1 (0, −4) = (0, 0.14).
        let second = try method.aggregate(try TaskJacobian(rows: [[1, 1], [0, -1]], losses: [1, 0.25]))
        let n1 = (0.19 * 0.19 + 0.01).squareRoot(), n2 = 0.14, top = max(n1, n2)
        assertClose(second.direction.map(Double.init), [top / n1 * 0.19, top / n1 * 0.1 + top / n2 * 0.14], tolerance: 1e-6)
    }

    func testSigmaDecaysTheAverageRate() throws {
        // β_k = β / k^σ: at step 2 with β = 0.8, σ = 1 the old average keeps weight 0.4.
        let method = try makeAggregator("dbmtl", taskCount: 1, options: ["beta": 0.8, "beta_sigma": 1])
        _ = try method.aggregate(try TaskJacobian(rows: [[1, 0]], losses: [1]))       // ĝ = 0.2 (1, 0)
        let second = try method.aggregate(try TaskJacobian(rows: [[0, 1]], losses: [1])) // ĝ = 0.4·0.2 (1,0) + 0.6 (0,1)
        assertClose(second.direction.map(Double.init), [0.08, 0.6], tolerance: 1e-6)
    }

    func testBackwardRunsOnTheLogLossesHeadsIncluded() throws {
        manualSeed(12)
        let trunk = try Linear(3, 4), heads = [try Linear(4, 1), try Linear(4, 1)]
        let x = try Tensor.randn([5, 3]), targets = [try Tensor.randn([5, 1]), try Tensor.randn([5, 1]) * 3]
        func forward() throws -> [Tensor] {
            let h = try trunk(x).tanh()
            return try zip(heads, targets).map { try mseLoss(try $0(h), $1) }
        }
        let losses = try forward()
        let values = try losses.map { Double(try $0.item()) }
        let rows = try losses.map { loss in
            try loss.gradients(withRespectTo: trunk.parameters, retainGraph: true).flatMap { doubles($0) }
        }
        let headGradients = try zip(losses, heads).map { loss, head in
            try loss.gradients(withRespectTo: head.parameters, retainGraph: true).flatMap { doubles($0) }
        }
        // Step 1 from zero averages: ĝᵢ = 0.1 gᵢ/Lᵢ, balanced to the largest norm.
        let averaged = zip(rows, values).map { row, loss in row.map { 0.1 * $0 / loss } }
        let norms = averaged.map { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        let expected = (0..<rows[0].count).map { k in (0..<2).reduce(0.0) { $0 + norms.max()! / norms[$1] * averaged[$1][k] } }
        for p in trunk.parameters + heads.flatMap(\.parameters) { p.grad = nil }
        let step = try MultiTaskMethods.make("dbmtl", taskCount: 2)
            .backward(losses: try forward(), shared: SharedPart(parameters: trunk.parameters))
        assertClose(trunk.parameters.flatMap { doubles($0.grad!) }, expected, tolerance: 1e-4)
        for (task, head) in heads.enumerated() {
            assertClose(head.parameters.flatMap { doubles($0.grad!) }, headGradients[task].map { $0 / values[task] },
                        tolerance: 1e-4, "head \(task) gets ∇ log L")
        }
        // The weights are the least-squares coefficients of the update on the raw task gradients.
        let rowsFloat = rows.map { $0.map(Float.init) }
        assertClose(step.weights, bruteForceLeastSquares(rowsFloat, expected), tolerance: 1e-4)
    }

    func testDegenerateCasesAndInvalidLosses() throws {
        for (label, rows) in degenerateJacobians {
            let method = try makeAggregator("dbmtl", taskCount: rows.count)
            for _ in 0..<3 {
                let jacobian = try TaskJacobian(rows: rows, losses: rows.map { _ in 0.5 })
                assertConsistent(try method.aggregate(jacobian), jacobian, exactWeights: false, label)
            }
        }
        // A zero loss (with a zero gradient) is fine; a negative one is refused.
        let zero = try makeAggregator("dbmtl", taskCount: 2).aggregate(try TaskJacobian(rows: [[1, 0], [0, 0]], losses: [1, 0]))
        XCTAssertTrue(zero.direction.allSatisfy(\.isFinite))
        assertThrows(.invalidArgument, op: "dbmtl", mentions: ["loss 1 is -0.5"]) {
            try makeAggregator("dbmtl", taskCount: 2).aggregate(try TaskJacobian(rows: [[1, 0], [0, 1]], losses: [1, -0.5]))
        }
    }
}
