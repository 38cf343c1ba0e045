import XCTest
@testable import Polyhead

/// Sizes that would overflow `Int` inside the layer ops (huge padding, huge dimensions beside an empty one)
/// throw or give empty results; none traps.
final class LayerOpEdgeCasesTests: XCTestCase {
    private let huge = 1 << 40

    func testHugePaddingThrowsOutOfMemory() {
        let x = try! Tensor.zeros([1, 1, 2, 2]), w = try! Tensor.zeros([1, 1, 1, 1])
        let padding = Size2d(Int(Int32.max), Int(Int32.max))
        assertThrows(.outOfMemory, op: "conv2d") { try Tensor.conv2d(x, weight: w, bias: nil, padding: padding) }
    }

    func testHugePlanesBesideAnEmptyBatchThrow() {
        let x = try! Tensor.zeros([0, 1, huge, huge])
        assertThrows(.outOfMemory, op: "conv2d") { try Tensor.conv2d(x, weight: Tensor.zeros([1, 1, 1, 1]), bias: nil) }
        assertThrows(.outOfMemory, op: "max_pool2d") { try x.maxPool2d(kernel: Size2d(1, 1), stride: Size2d(1, 1)) }
        assertThrows(.outOfMemory, op: "avg_pool2d") { try x.avgPool2d(kernel: Size2d(1, 1), stride: Size2d(1, 1)) }
        assertThrows(.outOfMemory, op: "flatten") { try Flatten()(x) }
    }

    func testNormalizationOfEmptyTensorsWithHugeDimensions() throws {
        let x = try Tensor.zeros([0, huge, huge])
        XCTAssertEqual(try x.layerNorm(normalizedShape: [huge]).shape, [0, huge, huge])
        let y = try Tensor.zeros([0, 2, huge, huge])
        let normalized = try Tensor.batchNorm(y, runningMean: Tensor.zeros([2]), runningVariance: Tensor.ones([2]),
                                              weight: nil, bias: nil, training: false)
        XCTAssertEqual(normalized.shape, [0, 2, huge, huge])
        assertThrows(.invalidArgument, op: "batch_norm", mentions: ["more than 1 value"]) {
            try Tensor.batchNorm(y, runningMean: nil, runningVariance: nil, weight: nil, bias: nil, training: true)
        }
    }

    func testEmptyBatchesPassThroughEveryLayerOp() throws {
        let x = try Tensor.zeros([0, 2, 4, 4], requiresGrad: true)
        XCTAssertEqual(try x.maxPool2d(kernel: Size2d(2, 2), stride: Size2d(2, 2)).shape, [0, 2, 2, 2])
        XCTAssertEqual(try x.avgPool2d(kernel: Size2d(2, 2), stride: Size2d(2, 2)).shape, [0, 2, 2, 2])
        XCTAssertEqual(try x.dropout(0.5).shape, [0, 2, 4, 4])
        XCTAssertEqual(try x.gelu().shape, [0, 2, 4, 4])
        let y = try Tensor.conv2d(x, weight: Tensor.ones([3, 2, 3, 3], requiresGrad: true), bias: nil, padding: Size2d(1, 1))
        XCTAssertEqual(y.shape, [0, 3, 4, 4])
        try y.sum().backward()
        XCTAssertEqual(x.grad?.shape, [0, 2, 4, 4])
    }
}
