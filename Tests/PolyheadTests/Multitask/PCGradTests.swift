import XCTest
@testable import Polyhead

/// PCGrad against its projection rule on hand-picked conflicting gradients.
final class PCGradTests: XCTestCase {
    func testTwoConflictingGradientsAreProjectedOntoEachOthersNormalPlane() throws {
        // g1·g2 = −1 < 0: g1ᴾᶜ = g1 + ½ g2 = (0.5, 0.5), g2ᴾᶜ = g2 + g1 = (0, 1); sum (0.5, 1.5) = 2 g1 + 1.5 g2.
        let result = try PCGrad(taskCount: 2).aggregate(try TaskJacobian(rows: [[1, 0], [-1, 1]]))
        XCTAssertEqual(result.direction, [0.5, 1.5])
        XCTAssertEqual(result.weights, [2, 1.5])
    }

    func testAgreeingGradientsAreSummedUnchanged() throws {
        let result = try PCGrad(taskCount: 3).aggregate(try TaskJacobian(rows: [[1, 2], [2, 1], [0.5, 0.5]]))
        XCTAssertEqual(result.direction, [3.5, 3.5])
        XCTAssertEqual(result.weights, [1, 1, 1])
    }

    func testProjectedGradientsNoLongerConflictWithTheTaskTheyWereProjectedOn() throws {
        manualSeed(3)
        let rows: [[Float]] = [[1, 0, 0], [-0.5, 1, 0], [-0.2, -0.3, 1]]
        let jacobian = try TaskJacobian(rows: rows)
        let result = try PCGrad(taskCount: 3).aggregate(jacobian)
        // The direction is the stated combination of the original gradients.
        let recombined = jacobian.combination(result.weights)
        for (a, b) in zip(recombined, result.direction) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        // A numpy-free reference for one fixed order (0, 1, 2) agrees when the order cannot matter:
        // with two tasks the projection is order-free.
        let two = try PCGrad(taskCount: 2).aggregate(try TaskJacobian(rows: [rows[0], rows[1]]))
        let g1 = rows[0], g2 = rows[1]
        let d12 = zip(g1, g2).map { Double($0 * $1) }.reduce(0, +)
        let n1 = g1.map { Double($0 * $0) }.reduce(0, +), n2 = g2.map { Double($0 * $0) }.reduce(0, +)
        let expected = (0..<3).map { k in Double(g1[k]) - d12 / n2 * Double(g2[k]) + Double(g2[k]) - d12 / n1 * Double(g1[k]) }
        for (got, want) in zip(two.direction, expected) { XCTAssertEqual(Double(got), want, accuracy: 1e-6) }
    }
}
