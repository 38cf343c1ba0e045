import Foundation
import XCTest
@testable import Polyhead

final class UnaryTests: XCTestCase {
    // MARK: forward against hand-computed values

    func testExp() throws {
        assertClose(try T([0, 1, -1, 2], [2, 2]).exp(), [1, M_E, 1 / M_E, M_E * M_E], shape: [2, 2])
    }

    func testLog() throws {
        assertClose(try T([1, Float(M_E), 0.5, 0]).log(), [0, 1, -0.693147180559945, -.infinity])
    }

    func testSqrt() throws {
        assertClose(try T([0, 4, 2.25, 2]).sqrt(), [0, 2, 1.5, 1.4142135623731])
    }

    func testPow() throws {
        assertClose(try T([-3, 0.5, 0]).pow(2), [9, 0.25, 0])
        assertClose(try T([-2, 1.5, 0]).pow(3), [-8, 3.375, 0])
        assertClose(try T([4, 0.25, 0]).pow(0.5), [2, 0.5, 0])
        assertClose(try T([4, -2, 0]).pow(0), [1, 1, 1])
        assertClose(try T([4, 0.5]).pow(-1), [0.25, 2])
    }

    func testRelu() throws {
        assertClose(try T([-1, 0, 2, -0.5], [2, 2]).relu(), [0, 0, 2, 0], shape: [2, 2])
    }

    func testSigmoid() throws {
        assertClose(try T([0, Float(Foundation.log(3.0)), -Float(Foundation.log(3.0))]).sigmoid(), [0.5, 0.75, 0.25])
        let extreme = try T([-100, 100, -1e4, 1e4]).sigmoid().scalars
        XCTAssertEqual(extreme[1], 1)
        XCTAssertEqual(extreme[3], 1)
        XCTAssertTrue(extreme.allSatisfy { $0.isFinite && $0 >= 0 }, "\(extreme)")
        XCTAssertLessThan(extreme[0], 1e-40)
    }

    func testTanh() throws {
        assertClose(try T([0, 0.5493061443, -0.5493061443, 20]).tanh(), [0, 0.5, -0.5, 1])
    }

    func testUnaryOpsKeepShapeIncludingScalarsAndEmpty() throws {
        for op in unaryOps {
            XCTAssertEqual(try op(Tensor(0.5)).shape, [])
            XCTAssertEqual(try op(Tensor.zeros([0, 3])).shape, [0, 3])
        }
    }

    func testReluPropagatesNaN() throws {
        // PyTorch: relu(nan) = nan; a ReLU must not hide a diverged activation.
        XCTAssertTrue(try T([.nan]).relu().item().isNaN)
    }

    // MARK: gradients against float64 references (one line per op)

    func testExpGradient() { checkGradients(shapes: [[2, 3]], domain: .symmetric(2), reference: { $0[0].map(Foundation.exp) }) { try $0[0].exp() } }
    func testLogGradient() { checkGradients(shapes: [[2, 3]], domain: .range(0.3, 3), reference: { $0[0].map(Foundation.log) }) { try $0[0].log() } }
    func testSqrtGradient() { checkGradients(shapes: [[2, 3]], domain: .range(0.3, 3), reference: { $0[0].map(Foundation.sqrt) }) { try $0[0].sqrt() } }
    func testPow2Gradient() { checkGradients(shapes: [[2, 3]], domain: .symmetric(2), reference: { $0[0].map { $0 * $0 } }) { try $0[0].pow(2) } }
    func testPow3Gradient() { checkGradients(shapes: [[2, 3]], domain: .symmetric(2), reference: { $0[0].map { $0 * $0 * $0 } }) { try $0[0].pow(3) } }
    func testPowHalfGradient() { checkGradients(shapes: [[2, 3]], domain: .range(0.3, 3), reference: { $0[0].map(Foundation.sqrt) }) { try $0[0].pow(0.5) } }
    func testPowNegativeGradient() { checkGradients(shapes: [[2, 3]], domain: .range(0.5, 2), reference: { $0[0].map { 1 / $0 } }) { try $0[0].pow(-1) } }
    func testReluGradient() { checkGradients(shapes: [[2, 3]], domain: .awayFromZero(0.1, 1), reference: { $0[0].map { Swift.max($0, 0) } }) { try $0[0].relu() } }
    func testSigmoidGradient() { checkGradients(shapes: [[2, 3]], domain: .symmetric(4), reference: { $0[0].map { 1 / (1 + Foundation.exp(-$0)) } }) { try $0[0].sigmoid() } }
    func testTanhGradient() { checkGradients(shapes: [[2, 3]], domain: .symmetric(2), reference: { $0[0].map(Foundation.tanh) }) { try $0[0].tanh() } }

    func testPowZeroGradientIsZeroEvenAtZero() throws {
        // d/dx x⁰ = 0 everywhere (PyTorch special-cases exponent 0), including at x = 0.
        let x = try T([0, 2, -1], requiresGrad: true)
        try x.pow(0).sum().backward()
        assertClose(gradient(of: x), [0, 0, 0])
    }

    func testReluGradientAtZeroIsZero() throws {
        let x = try T([0, 1, -1], requiresGrad: true)
        try x.relu().sum().backward()
        assertClose(gradient(of: x), [0, 1, 0])
    }

    func testSigmoidGradientAtExtremesIsFinite() throws {
        let x = try T([-1e4, 1e4, -100, 100], requiresGrad: true)
        try x.sigmoid().sum().backward()
        XCTAssertTrue(gradient(of: x).allSatisfy { $0.isFinite && $0 >= 0 }, "\(gradient(of: x))")
    }
}

/// Every elementwise unary op.
private let unaryOps: [(Tensor) throws -> Tensor] = [
    { try $0.exp() }, { try $0.log() }, { try $0.sqrt() }, { try $0.pow(2) }, { try $0.pow(3) }, { try $0.pow(0.5) },
    { try $0.relu() }, { try $0.sigmoid() }, { try $0.tanh() }, { try -$0 },
]
