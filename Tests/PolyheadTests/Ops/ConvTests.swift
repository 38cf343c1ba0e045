import XCTest
@testable import Polyhead

final class ConvTests: XCTestCase {
    func testForwardByHand() throws {
        // One 3×3 plane, a 2×2 kernel of ones and bias 10: each output is its window's sum + 10.
        let x = try counting([1, 1, 3, 3]), w = try Tensor.ones([1, 1, 2, 2]), b = try T([10])
        assertClose(try Tensor.conv2d(x, weight: w, bias: b), [22, 26, 34, 38], shape: [1, 1, 2, 2])
        // Padding 1, stride 2: windows at (-1,-1), (-1,1), (1,-1), (1,1).
        assertClose(try Tensor.conv2d(x, weight: w, bias: nil, stride: Size2d(2, 2), padding: Size2d(1, 1)),
                    [1, 5, 11, 28], shape: [1, 1, 2, 2])
    }

    func testForwardAndGradientsAgainstFloat64Reference() {
        // (x shape, weight shape, stride, padding)
        let cases: [([Int], [Int], (Int, Int), (Int, Int))] = [
            ([2, 3, 5, 5], [4, 3, 3, 3], (1, 1), (1, 1)),
            ([2, 2, 6, 5], [3, 2, 3, 2], (2, 1), (1, 0)),
            ([1, 2, 7, 7], [2, 2, 3, 3], (3, 2), (2, 1)),
            ([3, 4, 3, 4], [5, 4, 1, 1], (1, 1), (0, 0)),   // 1×1: the direct path without im2col
            ([2, 1, 4, 4], [2, 1, 4, 4], (1, 1), (0, 0)),   // the kernel covers the whole input
            ([1, 2, 5, 4], [3, 2, 1, 1], (2, 2), (1, 0)),   // 1×1 with stride and padding: im2col again
        ]
        for (xShape, wShape, stride, padding) in cases {
            let s = Size2d(stride.0, stride.1), p = Size2d(padding.0, padding.1)
            checkGradients(shapes: [xShape, wShape, [wShape[0]]], reference: { r in
                Ref.conv2d(r[0], r[1], r[2], stride: stride, padding: padding)
            }) { t in try Tensor.conv2d(t[0], weight: t[1], bias: t[2], stride: s, padding: p) }
            checkGradients(shapes: [xShape, wShape], reference: { r in
                Ref.conv2d(r[0], r[1], nil, stride: stride, padding: padding)
            }) { t in try Tensor.conv2d(t[0], weight: t[1], bias: nil, stride: s, padding: p) }
        }
    }

    func testOnlyTheInputsThatRequireGradGetGradients() throws {
        let x = try counting([1, 1, 3, 3]), w = try Tensor.ones([2, 1, 2, 2], requiresGrad: true)
        let b = try Tensor.zeros([2])
        try Tensor.conv2d(x, weight: w, bias: b).sum().backward()
        assertClose(gradient(of: w), [12, 16, 24, 28, 12, 16, 24, 28])
        XCTAssertNil(x.grad)
        XCTAssertNil(b.grad)
    }

    func testEmptyBatch() throws {
        let y = try Tensor.conv2d(Tensor.zeros([0, 2, 4, 4]), weight: Tensor.ones([3, 2, 3, 3]), bias: nil)
        XCTAssertEqual(y.shape, [0, 3, 2, 2])
    }

    func testErrorsNameShapes() {
        let x = try! Tensor.zeros([2, 3, 5, 5])
        assertThrows(.shapeMismatch, op: "conv2d", mentions: ["(2, 3, 5)"]) {
            try Tensor.conv2d(Tensor.zeros([2, 3, 5]), weight: Tensor.zeros([1, 3, 2, 2]), bias: nil)
        }
        assertThrows(.shapeMismatch, op: "conv2d", mentions: ["(4, 2, 3, 3)", "(2, 3, 5, 5)"]) {
            try Tensor.conv2d(x, weight: Tensor.zeros([4, 2, 3, 3]), bias: nil)
        }
        assertThrows(.shapeMismatch, op: "conv2d", mentions: ["bias (3,)"]) {
            try Tensor.conv2d(x, weight: Tensor.zeros([4, 3, 3, 3]), bias: Tensor.zeros([3]))
        }
        assertThrows(.invalidArgument, op: "conv2d", mentions: ["stride", "(0, 1)"]) {
            try Tensor.conv2d(x, weight: Tensor.zeros([4, 3, 3, 3]), bias: nil, stride: Size2d(0, 1))
        }
        assertThrows(.invalidArgument, op: "conv2d", mentions: ["padding", "(-1, 0)"]) {
            try Tensor.conv2d(x, weight: Tensor.zeros([4, 3, 3, 3]), bias: nil, padding: Size2d(-1, 0))
        }
        assertThrows(.invalidArgument, op: "conv2d", mentions: ["(6, 6)", "(5, 5)"]) {
            try Tensor.conv2d(x, weight: Tensor.zeros([4, 3, 6, 6]), bias: nil)
        }
        assertThrows(.invalidArgument, op: "conv2d", mentions: ["padding"]) {
            try Tensor.conv2d(x, weight: Tensor.zeros([4, 3, 3, 3]), bias: nil, padding: Size2d(1 << 40, 0))
        }
    }
}
