import XCTest
@testable import Polyhead

final class BatchNormTests: XCTestCase {
    func testStartsLikePyTorch() throws {
        let layer = try BatchNorm2d(3)
        XCTAssertEqual(layer.weight?.scalars, [1, 1, 1])
        XCTAssertEqual(layer.bias?.scalars, [0, 0, 0])
        XCTAssertEqual(layer.runningMean?.scalars, [0, 0, 0])
        XCTAssertEqual(layer.runningVariance?.scalars, [1, 1, 1])
        XCTAssertEqual(layer.namedParameters.map(\.name), ["weight", "bias"])
        XCTAssertEqual(layer.namedBuffers.map(\.name), ["running_mean", "running_var", "num_batches_tracked"])
        XCTAssertEqual(layer.numBatchesTracked, 0)
        XCTAssertEqual(layer.batchesTracked?.shape, [], "a scalar buffer, as in PyTorch")
        XCTAssertEqual(layer.momentum, 0.1)
    }

    func testTrainingUpdatesRunningStatisticsAndEvaluationUsesThem() throws {
        let layer = try BatchNorm1d(2)
        let x = try T([1, 2, 3, 2, 5, 2, 7, 2], [4, 2])
        _ = try layer(x)
        _ = try layer(x)
        XCTAssertEqual(layer.numBatchesTracked, 2)
        XCTAssertEqual(layer.batchesTracked?.scalars, [2])
        // After two identical batches: mean 0.1·4 + 0.9·0.4 = 0.76; var 0.9·(0.9 + 0.1·20/3) + 0.1·20/3.
        assertClose(layer.runningMean!, [0.76, 0.38])
        let v0 = 0.9 * (0.9 + 0.1 * 20 / 3) + 0.1 * 20 / 3
        assertClose(layer.runningVariance!, [v0, 0.81])
        layer.eval()
        let y = try layer(T([4, 2], [1, 2]))
        assertClose(y, [(4 - 0.76) / (v0 + 1e-5).squareRoot(), (2 - 0.38) / (0.81 + 1e-5).squareRoot()], tolerance: 1e-4)
        XCTAssertEqual(layer.numBatchesTracked, 2, "evaluation does not count batches")
    }

    func testMomentumNilIsACumulativeAverage() throws {
        let layer = try BatchNorm1d(1, momentum: nil)
        _ = try layer(T([0, 2], [2, 1]))     // mean 1
        _ = try layer(T([4, 6], [2, 1]))     // mean 5
        assertClose(layer.runningMean!, [3], "average of the batch means")
    }

    func testWithoutRunningStatisticsBatchStatisticsAreUsedInEvaluation() throws {
        let layer = try BatchNorm1d(1, affine: false, trackRunningStats: false)
        layer.eval()
        XCTAssertTrue(layer.namedParameters.isEmpty && layer.namedBuffers.isEmpty && layer.batchesTracked == nil)
        assertClose(try layer(T([1, 3], [2, 1])), [-1, 1], tolerance: 1e-4)
    }

    func testRanksAndFeatureCountsAreChecked() {
        let one = try! BatchNorm1d(3), two = try! BatchNorm2d(3)
        assertThrows(.shapeMismatch, op: "BatchNorm", mentions: ["2-D or 3-D", "(2, 3, 4, 4)"]) { try one(Tensor.zeros([2, 3, 4, 4])) }
        assertThrows(.shapeMismatch, op: "BatchNorm", mentions: ["4-D", "(2, 3)"]) { try two(Tensor.zeros([2, 3])) }
        assertThrows(.shapeMismatch, op: "batch_norm", mentions: ["(3,)", "(2, 4)"]) { try one(Tensor.zeros([2, 4])) }
        assertThrows(.invalidArgument, op: "BatchNorm") { try BatchNorm2d(0) }
    }

    func testGradientsFlowToInputWeightAndBias() throws {
        let layer = try BatchNorm2d(2)
        let x = try Tensor.randn([3, 2, 2, 2])
        try x.setRequiresGrad(true)
        try (layer(x) * Tensor.randn([3, 2, 2, 2])).sum().backward()
        XCTAssertNotNil(x.grad)
        XCTAssertNotNil(layer.weight?.grad)
        XCTAssertNotNil(layer.bias?.grad)
        XCTAssertFalse(layer.runningMean!.requiresGrad)
    }
}
