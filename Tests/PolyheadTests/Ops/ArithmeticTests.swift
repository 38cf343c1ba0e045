import XCTest
@testable import Polyhead

/// Pairs of operand shapes covering every broadcasting pattern: same shape, row vector (n), (1, n),
/// column (m, 1), scalar on either side, a 1-D left operand, and a general 3-D broadcast.
private let broadcastCases: [[[Int]]] = [
    [[2, 3], [2, 3]], [[2, 3], [3]], [[2, 3], [1, 3]], [[2, 3], [2, 1]], [[2, 3], []], [[], [2, 3]],
    [[3], [2, 3]], [[2, 1, 3], [4, 1]], [[4, 1], [2, 1, 3]], [[1, 1], [1, 3]],
    [[], []], [[1], []], [[2, 3, 1], [1, 1, 4]], [[3, 1], [1]], [[2, 1, 3, 1], [1, 2, 1, 2]],
]

final class ArithmeticTests: XCTestCase {
    // MARK: forward against hand-computed values

    func testAddSameShape() throws {
        assertClose(try counting([2, 3]) + T([10, 20, 30, 40, 50, 60], [2, 3]), [11, 22, 33, 44, 55, 66], shape: [2, 3])
    }

    func testAddRowVector() throws {
        assertClose(try counting([2, 3]) + T([10, 20, 30]), [11, 22, 33, 14, 25, 36], shape: [2, 3])
        assertClose(try counting([2, 3]) + T([10, 20, 30], [1, 3]), [11, 22, 33, 14, 25, 36], shape: [2, 3])
        assertClose(try T([10, 20, 30]) + counting([2, 3]), [11, 22, 33, 14, 25, 36], shape: [2, 3])
    }

    func testAddColumnVector() throws {
        assertClose(try counting([2, 3]) + T([10, 20], [2, 1]), [11, 12, 13, 24, 25, 26], shape: [2, 3])
    }

    func testAddScalar() throws {
        assertClose(try counting([2, 3]) + Tensor(10), [11, 12, 13, 14, 15, 16], shape: [2, 3])
        assertClose(try Tensor(10) + counting([2, 3]), [11, 12, 13, 14, 15, 16], shape: [2, 3])
        assertClose(try counting([2, 3]) + 10, [11, 12, 13, 14, 15, 16], shape: [2, 3])
        assertClose(try Tensor(1) + Tensor(2), [3], shape: [])
    }

    func testAddGeneral3DBroadcast() throws {
        // (2, 1, 3) + (4, 1) → (2, 4, 3): out[i, j, k] = a[i, 0, k] + b[j, 0].
        let out = try counting([2, 1, 3]) + T([10, 20, 30, 40], [4, 1])
        assertClose(out, [11, 12, 13, 21, 22, 23, 31, 32, 33, 41, 42, 43,
                          14, 15, 16, 24, 25, 26, 34, 35, 36, 44, 45, 46], shape: [2, 4, 3])
        let swapped = try T([10, 20, 30, 40], [4, 1]) + counting([2, 1, 3])
        XCTAssertEqual(swapped.scalars, out.scalars)
    }

    func testAddBroadcastsSizeOneAgainstSizeOne() throws {
        assertClose(try T([1], [1, 1]) + T([1, 2, 3], [1, 3]), [2, 3, 4], shape: [1, 3])
        assertClose(try T([1, 2], [2, 1]) + T([10, 20, 30], [1, 3]), [11, 21, 31, 12, 22, 32], shape: [2, 3])
    }

    func testSub() throws {
        assertClose(try counting([2, 3]) - T([10, 20, 30]), [-9, -18, -27, -6, -15, -24], shape: [2, 3])
        assertClose(try Tensor(10) - counting([2, 3]), [9, 8, 7, 6, 5, 4], shape: [2, 3])
        assertClose(try counting([2, 3]) - T([1, 2], [2, 1]), [0, 1, 2, 2, 3, 4], shape: [2, 3])
        assertClose(try counting([2, 3]) - 1, [0, 1, 2, 3, 4, 5], shape: [2, 3])
    }

    func testMul() throws {
        assertClose(try counting([2, 3]) * T([2, 3], [2, 1]), [2, 4, 6, 12, 15, 18], shape: [2, 3])
        assertClose(try counting([2, 3]) * T([1, 0, -1]), [1, 0, -3, 4, 0, -6], shape: [2, 3])
        assertClose(try counting([2, 3]) * counting([2, 3]), [1, 4, 9, 16, 25, 36], shape: [2, 3])
        assertClose(try counting([2, 3]) * 2, [2, 4, 6, 8, 10, 12], shape: [2, 3])
        assertClose(try 2 * counting([2, 3]), [2, 4, 6, 8, 10, 12], shape: [2, 3])
    }

    func testDiv() throws {
        assertClose(try counting([2, 3]) / Tensor(2), [0.5, 1, 1.5, 2, 2.5, 3], shape: [2, 3])
        assertClose(try counting([2, 3]) / T([1, 2, 4]), [1, 1, 0.75, 4, 2.5, 1.5], shape: [2, 3])
        assertClose(try Tensor(6) / counting([2, 3]), [6, 3, 2, 1.5, 1.2, 1], shape: [2, 3])
        assertClose(try counting([2, 3]) / 4, [0.25, 0.5, 0.75, 1, 1.25, 1.5], shape: [2, 3])
        assertClose(try T([1, -1, 0]) / T([0, 0, 0]), [.infinity, -.infinity, .nan], shape: [3])
    }

    func testNeg() throws {
        assertClose(try -T([1, -2, 0, 3.5], [2, 2]), [-1, 2, 0, -3.5], shape: [2, 2])
    }

    func testEmptyOperands() throws {
        XCTAssertEqual(try (Tensor.zeros([0, 3]) + T([1, 2, 3])).shape, [0, 3])
        XCTAssertEqual(try (Tensor.zeros([2, 0]) * Tensor.zeros([2, 1])).shape, [2, 0])
    }

    func testIncompatibleShapesThrow() {
        assertThrows(.shapeMismatch, op: "add", mentions: ["(2, 3)", "(2,)"]) { try counting([2, 3]) + T([1, 2]) }
        assertThrows(.shapeMismatch, op: "sub", mentions: ["(2, 3)", "(3, 2)"]) { try counting([2, 3]) - counting([3, 2]) }
        assertThrows(.shapeMismatch, op: "mul", mentions: ["(4, 1)", "(3, 2)"]) { try counting([4, 1]) * counting([3, 2]) }
        assertThrows(.shapeMismatch, op: "div", mentions: ["(2, 1, 3)", "(4, 2)"]) { try counting([2, 1, 3]) / counting([4, 2]) }
    }

    // MARK: gradients against float64 references (one line per op and broadcast case)

    func testAddGradients() {
        for shapes in broadcastCases { checkGradients(shapes: shapes, reference: { $0[0] + $0[1] }) { try $0[0] + $0[1] } }
    }

    func testSubGradients() {
        for shapes in broadcastCases { checkGradients(shapes: shapes, reference: { $0[0] - $0[1] }) { try $0[0] - $0[1] } }
    }

    func testMulGradients() {
        for shapes in broadcastCases { checkGradients(shapes: shapes, reference: { $0[0] * $0[1] }) { try $0[0] * $0[1] } }
    }

    func testDivGradients() {
        for shapes in broadcastCases {
            checkGradients(shapes: shapes, domain: .awayFromZero(0.5, 2), reference: { $0[0] / $0[1] }) { try $0[0] / $0[1] }
        }
    }

    func testNegGradient() {
        checkGradients(shapes: [[2, 3]], reference: { $0[0].map { -$0 } }) { try -$0[0] }
    }

    func testScalarOverloadGradients() {
        checkGradients(shapes: [[2, 3]], reference: { $0[0].map { $0 + 3 } }) { try $0[0] + 3 }
        checkGradients(shapes: [[2, 3]], reference: { $0[0].map { $0 - 3 } }) { try $0[0] - 3 }
        checkGradients(shapes: [[2, 3]], reference: { $0[0].map { $0 * 3 } }) { try $0[0] * 3 }
        checkGradients(shapes: [[2, 3]], reference: { $0[0].map { 3 * $0 } }) { try 3 * $0[0] }
        checkGradients(shapes: [[2, 3]], reference: { $0[0].map { $0 / 3 } }) { try $0[0] / 3 }
    }

    func testSameTensorOnBothSides() {
        checkGradients(shapes: [[2, 3]], reference: { $0[0] * $0[0] }) { try $0[0] * $0[0] }
        checkGradients(shapes: [[2, 3]], domain: .awayFromZero(0.5, 2), reference: { $0[0] / ($0[0] * $0[0]) }) {
            try $0[0] / ($0[0] * $0[0])
        }
    }

    func testGradientOnlyToOperandsThatRequireIt() throws {
        let x = try counting([2, 3], requiresGrad: true), constant = try T([1, 2, 3])
        try (x * constant).sum().backward()
        assertClose(gradient(of: x), [1, 2, 3, 1, 2, 3])
        XCTAssertNil(constant.grad)
        XCTAssertFalse(constant.requiresGrad)
    }
}
