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
