import XCTest
@testable import Polyhead

/// FairGrad against closed forms of its α-fair system and the system's residual.
final class FairGradTests: XCTestCase {
    private func fairGrad(_ rows: [[Float]], alpha: Double = 1) throws -> Aggregation {
        try makeAggregator("fairgrad", taskCount: rows.count, options: ["alpha": alpha]).aggregate(try TaskJacobian(rows: rows))
    }

    func testOrthogonalGradientsHaveClosedFormWeights() throws {
        // (G w)ᵢ = ‖gᵢ‖² wᵢ = wᵢ^(−1/α)  ⇒  wᵢ = ‖gᵢ‖^(−2α/(1+α)).
        for alpha in [1.0, 2.0, 0.5] {
            let result = try fairGrad([[2, 0], [0, 1]], alpha: alpha)
            assertClose(result.weights, [pow(4, -alpha / (1 + alpha)), 1], tolerance: 1e-9, "α=\(alpha)")
        }
        let result = try fairGrad([[2, 0], [0, 1]])
        assertClose(result.direction.map(Double.init), [1, 1], tolerance: 1e-6)
    }

    func testSymmetricCorrelatedPairSolvesByHand() throws {
        // G = [[1, ½], [½, 1]], α = 1: 1.5 w = 1/w  ⇒  w = √(2/3) for both.
        let result = try fairGrad([[1, 0], [0.5, Float(0.75.squareRoot())]])
        assertClose(result.weights, [(2.0 / 3).squareRoot(), (2.0 / 3).squareRoot()], tolerance: 1e-6)
    }

    func testWeightsSolveTheSystemForGeneralGradients() throws {
        let rows: [[Float]] = [[1, 2, 0, -1], [-2, 0.5, 1, 0], [0, -1, 3, 1]]
        let g = rows.map { $0.map(Double.init) }
        let gram = g.map { a in g.map { b in zip(a, b).reduce(0.0) { $0 + $1.0 * $1.1 } } }
        for alpha in [0.5, 1, 2, 5] {
            let w = try fairGrad(rows, alpha: alpha).weights
            XCTAssertTrue(w.allSatisfy { $0 > 0 })
            for i in 0..<3 {
                let lhs = (0..<3).reduce(0.0) { $0 + gram[i][$1] * w[$1] }
                XCTAssertEqual(lhs, pow(w[i], -1 / alpha), accuracy: 1e-7 * max(1, lhs), "α=\(alpha) task \(i)")
            }
        }
    }

    func testGradientScaleChangesTheWeightsAsPredicted() throws {
        // G → s G  ⇒  w → s^(−α/(1+α)) w.
        let rows: [[Float]] = [[1, 2, 0], [-2, 0.5, 1]]
        let base = try fairGrad(rows, alpha: 2).weights
        let scaled = try fairGrad(rows.map { $0.map { $0 * 10 } }, alpha: 2).weights
        assertClose(scaled, base.map { $0 * pow(100, -2.0 / 3) }, tolerance: 1e-6)
    }

    func testDegenerateGradientsGiveFiniteUpdates() throws {
        for (label, rows) in degenerateJacobians {
            for alpha in [0.01, 1, 100] {
                let jacobian = try TaskJacobian(rows: rows)
                let result = try makeAggregator("fairgrad", taskCount: rows.count, options: ["alpha": alpha]).aggregate(jacobian)
                assertConsistent(result, jacobian, "\(label) α=\(alpha)")
            }
        }
        // A zero task gets weight 0; the other is solved alone: ‖g‖² w = 1/w.
        let oneZero = try fairGrad([[3, 4], [0, 0]])
        assertClose(oneZero.weights, [0.2, 0], tolerance: 1e-9)
        // Identical gradients: 2‖g‖² w = 1/w for both.
        let identical = try fairGrad([[3, 4], [3, 4]])
        assertClose(identical.weights, [(1.0 / 50).squareRoot(), (1.0 / 50).squareRoot()], tolerance: 1e-6)
        // Exactly opposite gradients cancel: no finite solution; the update stays (close to) zero.
        let opposite = try fairGrad([[3, 4], [-3, -4]])
        XCTAssertLessThan(opposite.direction.map { abs(Double($0)) }.max()!, 1e-2)
        assertThrows(.invalidArgument, op: "fairgrad", mentions: ["alpha=0"]) {
            try MultiTaskMethods.make("fairgrad", taskCount: 2, options: ["alpha": 0])
        }
    }
}
