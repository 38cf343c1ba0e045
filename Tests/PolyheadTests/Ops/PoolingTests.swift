import XCTest
@testable import Polyhead

final class PoolingTests: XCTestCase {
    private func maxRef(_ kernel: (Int, Int), _ stride: (Int, Int), _ padding: (Int, Int)) -> ([Ref]) -> Ref {
        { Ref.pool2d($0[0], kernel: kernel, stride: stride, padding: padding) { window, _ in window.max()! } }
    }

    private func avgRef(_ kernel: (Int, Int), _ stride: (Int, Int), _ padding: (Int, Int), includePad: Bool) -> ([Ref]) -> Ref {
        { Ref.pool2d($0[0], kernel: kernel, stride: stride, padding: padding) { window, full in
            window.reduce(0, +) / Double(includePad ? full : window.count)
        } }
    }

    func testMaxPoolByHand() throws {
        let x = try counting([1, 1, 4, 4])
        assertClose(try x.maxPool2d(kernel: Size2d(2, 2), stride: Size2d(2, 2)), [6, 8, 14, 16], shape: [1, 1, 2, 2])
        // Padding 1 with a 3×3 window and stride 2: padded cells never win (−∞).
        assertClose(try x.maxPool2d(kernel: Size2d(3, 3), stride: Size2d(2, 2), padding: Size2d(1, 1)),
                    [6, 8, 14, 16], shape: [1, 1, 2, 2])
        let y = try T([1, 5, 5, 2], [1, 1, 2, 2], requiresGrad: true)
        try y.maxPool2d(kernel: Size2d(2, 2), stride: Size2d(1, 1)).sum().backward()
        assertClose(gradient(of: y), [0, 1, 0, 0], "ties: the first maximum gets the gradient")
    }

    func testMaxPoolPropagatesNaN() throws {
        let x = try T([1, .nan, 3, 2], [1, 1, 2, 2])
        XCTAssertTrue(try x.maxPool2d(kernel: Size2d(2, 2), stride: Size2d(2, 2)).scalars[0].isNaN)
    }

    func testAvgPoolByHand() throws {
        let x = try counting([1, 1, 2, 2])
        assertClose(try x.avgPool2d(kernel: Size2d(2, 2), stride: Size2d(2, 2)), [2.5], shape: [1, 1, 1, 1])
        // 2×2 windows with padding 1 and stride 2 over [[1, 2], [3, 4]]: each window holds one value.
        assertClose(try x.avgPool2d(kernel: Size2d(2, 2), stride: Size2d(2, 2), padding: Size2d(1, 1)),
                    [0.25, 0.5, 0.75, 1], shape: [1, 1, 2, 2])
        assertClose(try x.avgPool2d(kernel: Size2d(2, 2), stride: Size2d(2, 2), padding: Size2d(1, 1), countIncludePad: false),
                    [1, 2, 3, 4], shape: [1, 1, 2, 2])
    }

    func testGradientsAgainstFloat64Reference() {
        let cases: [([Int], (Int, Int), (Int, Int), (Int, Int))] = [
            ([2, 3, 4, 4], (2, 2), (2, 2), (0, 0)),
            ([1, 2, 5, 6], (3, 2), (2, 1), (1, 1)),
            ([2, 1, 7, 5], (3, 3), (1, 2), (1, 0)),
            ([1, 2, 3, 3], (3, 3), (3, 3), (0, 0)),
        ]
        for (shape, kernel, stride, padding) in cases {
            let (k, s, p) = (Size2d(kernel.0, kernel.1), Size2d(stride.0, stride.1), Size2d(padding.0, padding.1))
            checkGradients(shapes: [shape], domain: .distinct(3), reference: maxRef(kernel, stride, padding)) {
                try $0[0].maxPool2d(kernel: k, stride: s, padding: p)
            }
            for includePad in [true, false] {
                checkGradients(shapes: [shape], reference: avgRef(kernel, stride, padding, includePad: includePad)) {
                    try $0[0].avgPool2d(kernel: k, stride: s, padding: p, countIncludePad: includePad)
                }
            }
        }
    }

    func testErrors() {
        let x = try! Tensor.zeros([1, 2, 4, 4])
        assertThrows(.shapeMismatch, op: "max_pool2d", mentions: ["(2, 4, 4)"]) {
            try Tensor.zeros([2, 4, 4]).maxPool2d(kernel: Size2d(2, 2), stride: Size2d(2, 2))
        }
        assertThrows(.invalidArgument, op: "avg_pool2d", mentions: ["padding (2, 2)", "(3, 3)"]) {
            try x.avgPool2d(kernel: Size2d(3, 3), stride: Size2d(1, 1), padding: Size2d(2, 2))
        }
        assertThrows(.invalidArgument, op: "max_pool2d", mentions: ["kernel size", "(0, 2)"]) {
            try x.maxPool2d(kernel: Size2d(0, 2), stride: Size2d(1, 1))
        }
        assertThrows(.invalidArgument, op: "max_pool2d", mentions: ["(5, 5)", "(4, 4)"]) {
            try x.maxPool2d(kernel: Size2d(5, 5), stride: Size2d(1, 1))
        }
        assertThrows(.shapeMismatch, op: "avg_pool2d", mentions: ["(1, 2, 0, 4)"]) {
            try Tensor.zeros([1, 2, 0, 4]).avgPool2d(kernel: Size2d(1, 1), stride: Size2d(1, 1))
        }
    }
}
