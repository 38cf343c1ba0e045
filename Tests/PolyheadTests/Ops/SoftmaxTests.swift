import XCTest
@testable import Polyhead

final class SoftmaxTests: XCTestCase {
    // softmax([1, 2, 3]) = e^(x - 3) / Σ = [0.0900305732, 0.2447284711, 0.6652409558]

    func testSoftmax() throws {
        let x = try T([1, 2, 3, 1, 1, 1], [2, 3])
        let third = 1.0 / 3
        assertClose(try x.softmax(), [0.0900305732, 0.2447284711, 0.6652409558, third, third, third], shape: [2, 3])
        assertClose(try x.softmax(axis: 1), doubles(try x.softmax()))
        assertClose(try T([0, 0]).softmax(), [0.5, 0.5], shape: [2])
        assertClose(try T([5], [1, 1]).softmax(), [1], shape: [1, 1])
    }

    func testLogSoftmax() throws {
        let x = try T([1, 2, 3, 1, 1, 1], [2, 3])
        let logThird = -1.0986122887
        assertClose(try x.logSoftmax(), [-2.4076059645, -1.4076059645, -0.4076059645, logThird, logThird, logThird],
                    shape: [2, 3])
    }

    func testStableForLargeLogits() throws {
        assertClose(try T([1000, 1001, -1000]).softmax(), [0.2689414214, 0.7310585786, 0], tolerance: 1e-4)
        assertClose(try T([1000, 1001]).logSoftmax(), [-1.3132616875, -0.3132616875], tolerance: 1e-4)
        assertClose(try T([-1000, -1001]).logSoftmax(), [-0.3132616875, -1.3132616875], tolerance: 1e-4)
    }

    func testAccurateForLargeLogits() throws {
        // Shifting by the maximum is exact ((x - max) has no rounding error for nearby logits), so the result
        // should be as accurate as for small logits: log(1/2) and 1/2, whatever the common offset.
        for offset: Float in [1e5, 1e7] {
            assertClose(try T([offset, offset]).logSoftmax(), [-0.6931471806, -0.6931471806], "logSoftmax at \(offset)")
            assertClose(try T([offset, offset]).softmax(), [0.5, 0.5], "softmax at \(offset)")
        }
    }

    func testSoftmaxGradients() {
        checkGradients(shapes: [[2, 3]], domain: .symmetric(3), reference: { $0[0].softmax() }) { try $0[0].softmax() }
        checkGradients(shapes: [[2, 2, 4]], domain: .symmetric(3), reference: { $0[0].softmax() }) { try $0[0].softmax(axis: 2) }
        checkGradients(shapes: [[5]], domain: .symmetric(3), reference: { $0[0].softmax() }) { try $0[0].softmax(axis: 0) }
    }

    func testLogSoftmaxGradients() {
        checkGradients(shapes: [[2, 3]], domain: .symmetric(3), reference: { $0[0].logSoftmax() }) { try $0[0].logSoftmax() }
        checkGradients(shapes: [[2, 2, 4]], domain: .symmetric(3), reference: { $0[0].logSoftmax() }) { try $0[0].logSoftmax(axis: -1) }
    }

    func testOnlyTheLastAxisIsSupported() {
        let x = try! counting([2, 3])
        assertThrows(.invalidArgument, op: "softmax", mentions: ["axis 0", "(2, 3)"]) { try x.softmax(axis: 0) }
        assertThrows(.invalidArgument, op: "log_softmax", mentions: ["axis -2", "(2, 3)"]) { try x.logSoftmax(axis: -2) }
        assertThrows(.indexOutOfRange, op: "softmax", mentions: ["axis 2"]) { try x.softmax(axis: 2) }
        assertThrows(.indexOutOfRange, op: "log_softmax", mentions: ["rank 0"]) { try Tensor(1).logSoftmax() }
    }

    func testEmptyRowsAndWidths() throws {
        XCTAssertEqual(try Tensor.zeros([0, 3]).softmax().shape, [0, 3])
        XCTAssertEqual(try Tensor.zeros([2, 0]).logSoftmax().shape, [2, 0])
    }
}
