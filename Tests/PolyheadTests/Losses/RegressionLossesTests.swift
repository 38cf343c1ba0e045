import XCTest
@testable import Polyhead

final class RegressionLossesTests: XCTestCase {
    // input [1, 2, 3], target [1, 0, 5]: differences [0, 2, -2].

    func testMSEValues() throws {
        let x = try T([1, 2, 3]), t = try T([1, 0, 5])
        assertClose(try mseLoss(x, t, reduction: .none), [0, 4, 4], shape: [3])
        assertClose(try mseLoss(x, t, reduction: .sum), [8], shape: [])
        assertClose(try mseLoss(x, t), [8.0 / 3], shape: [], "mean is the default")
    }

    func testMSEGradientsByHand() throws {
        let x = try T([1, 2, 3], requiresGrad: true), t = try T([1, 0, 5], requiresGrad: true)
        try mseLoss(x, t).backward()
        assertClose(gradient(of: x), [0, 4.0 / 3, -4.0 / 3])  // 2(x − t)/n
        assertClose(gradient(of: t), [0, -4.0 / 3, 4.0 / 3])
    }

    func testL1Values() throws {
        let x = try T([1, 2, 3], [3, 1]), t = try T([1.5, 0, 5], [3, 1])
        assertClose(try l1Loss(x, t, reduction: .none), [0.5, 2, 2], shape: [3, 1])
        assertClose(try l1Loss(x, t, reduction: .sum), [4.5], shape: [])
        assertClose(try l1Loss(x, t, reduction: .mean), [1.5], shape: [])
    }

    func testL1GradientsByHand() throws {
        let x = try T([1, 2, 3], requiresGrad: true), t = try T([1.5, 0, 3], requiresGrad: true)
        try l1Loss(x, t, reduction: .sum).backward()
        assertClose(gradient(of: x), [-1, 1, 0])  // sign(x − t), 0 at a tie (PyTorch)
        assertClose(gradient(of: t), [1, -1, 0])
    }

    func testGradientsAgainstFloat64References() {
        for reduction in allReductions {
            checkGradients(shapes: [[2, 3], [2, 3]], reference: { mseReference($0[0], $0[1], reduction) }) {
                try mseLoss($0[0], $0[1], reduction: reduction)
            }
            checkGradients(shapes: [[2, 3], [2, 3]], reference: { l1Reference($0[0], $0[1], reduction) }) {
                try l1Loss($0[0], $0[1], reduction: reduction)
            }
        }
    }

    func testGradientWithRespectToInputOnly() throws {
        let x = try T([1, 2], requiresGrad: true), t = try T([0, 0])
        try mseLoss(x, t, reduction: .sum).backward()
        assertClose(gradient(of: x), [2, 4])
        XCTAssertNil(t.grad)
    }

    func testShapeMismatch() {
        assertThrows(.shapeMismatch, op: "mse_loss", mentions: ["(2, 3)", "(3, 2)"]) {
            try mseLoss(counting([2, 3]), counting([3, 2]))
        }
        assertThrows(.shapeMismatch, op: "l1_loss", mentions: ["(3,)", "(3, 1)"], "no broadcasting between input and target") {
            try l1Loss(counting([3]), counting([3, 1]))
        }
    }

    func testEmptyInputs() throws {
        XCTAssertTrue(try mseLoss(Tensor.zeros([0]), Tensor.zeros([0])).item().isNaN, "mean of nothing is NaN (PyTorch)")
        XCTAssertEqual(try mseLoss(Tensor.zeros([0]), Tensor.zeros([0]), reduction: .sum).item(), 0)
    }
}
