import XCTest
@testable import Polyhead

final class NormalizationTests: XCTestCase {
    // MARK: layer norm

    func testLayerNormByHand() throws {
        // [1, 2, 3]: mean 2, biased variance 2/3.
        let y = try T([1, 2, 3]).layerNorm(normalizedShape: [3], epsilon: 0)
        let s = (2.0 / 3).squareRoot()
        assertClose(y, [-1 / s, 0, 1 / s], shape: [3])
        let affine = try T([1, 2, 3, 5, 5, 5], [2, 3]).layerNorm(normalizedShape: [3], weight: T([1, 2, 3]), bias: T([0, 1, 0]))
        assertClose(affine, [-1 / s, 1, 3 / s, 0, 1, 0], tolerance: 1e-4)
    }

    func testLayerNormGradientsAgainstFloat64Reference() {
        let eps = 1e-5
        checkGradients(shapes: [[4, 5], [5], [5]], reference: { r in
            r[0].normalizedRows(width: 5, epsilon: eps) * r[1] + r[2]
        }) { t in try t[0].layerNorm(normalizedShape: [5], weight: t[1], bias: t[2]) }
        checkGradients(shapes: [[2, 3, 2, 3], [2, 3]], reference: { r in
            r[0].normalizedRows(width: 6, epsilon: eps) * r[1]
        }) { t in try t[0].layerNorm(normalizedShape: [2, 3], weight: t[1]) }
        checkGradients(shapes: [[3, 4]], reference: { r in r[0].normalizedRows(width: 4, epsilon: 0.1) }) { t in
            try t[0].layerNorm(normalizedShape: [4], epsilon: 0.1)
        }
    }

    func testLayerNormErrors() {
        let x = try! Tensor.zeros([2, 3])
        assertThrows(.shapeMismatch, op: "layer_norm", mentions: ["(4,)", "(2, 3)"]) { try x.layerNorm(normalizedShape: [4]) }
        assertThrows(.shapeMismatch, op: "layer_norm", mentions: ["weight (2,)"]) {
            try x.layerNorm(normalizedShape: [3], weight: Tensor.ones([2]))
        }
        assertThrows(.invalidArgument, op: "layer_norm") { try x.layerNorm(normalizedShape: []) }
        assertThrows(.invalidArgument, op: "layer_norm", mentions: ["eps -1"]) { try x.layerNorm(normalizedShape: [3], epsilon: -1) }
    }

    // MARK: batch norm

    func testBatchNormTrainingGradientsAgainstFloat64Reference() {
        for shape in [[5, 3], [3, 2, 4], [2, 3, 3, 2]] {
            let c = shape[1]
            checkGradients(shapes: [shape, [c], [c]], reference: { r in Ref.batchNorm(r[0], r[1], r[2]) }) { t in
                try Tensor.batchNorm(t[0], runningMean: nil, runningVariance: nil, weight: t[1], bias: t[2], training: true)
            }
        }
        checkGradients(shapes: [[4, 2, 3]], reference: { r in Ref.batchNorm(r[0], nil, nil) }) { t in
            try Tensor.batchNorm(t[0], runningMean: nil, runningVariance: nil, weight: nil, bias: nil, training: true)
        }
    }

    func testBatchNormEvaluationUsesRunningStatisticsAsConstants() throws {
        let mean = try T([1, -1]), variance = try T([4, 0.25])
        let reference: ([Ref]) -> Ref = { r in
            let x = r[0]
            let normalized = Ref(shape: x.shape, values: x.values.enumerated().map { i, v in
                let ch = (i / 3) % 2
                return (v - [1, -1][ch]) / ([4, 0.25][ch] + 1e-5).squareRoot()
            })
            return normalized.channelAffine(r[1], r[2])
        }
        checkGradients(shapes: [[2, 2, 3], [2], [2]], reference: reference) { t in
            try Tensor.batchNorm(t[0], runningMean: mean, runningVariance: variance, weight: t[1], bias: t[2], training: false)
        }
        XCTAssertEqual(mean.scalars, [1, -1], "evaluation leaves the running statistics alone")
        XCTAssertEqual(variance.scalars, [4, 0.25])
    }

    func testBatchNormUpdatesRunningStatisticsLikePyTorch() throws {
        // Channel 0 holds 1, 3, 5, 7 (mean 4, biased var 5, unbiased 20/3); channel 1 holds 2, 2, 2, 2.
        let x = try T([1, 2, 3, 2, 5, 2, 7, 2], [4, 2])
        let mean = try Tensor.zeros([2]), variance = try Tensor.ones([2])
        let y = try Tensor.batchNorm(x, runningMean: mean, runningVariance: variance, weight: nil, bias: nil, training: true)
        assertClose(mean, [0.4, 0.2])
        assertClose(variance, [0.9 + 0.1 * 20 / 3, 0.9])
        let s = (5 + 1e-5).squareRoot()
        assertClose(y, [-3 / s, 0, -1 / s, 0, 1 / s, 0, 3 / s, 0], tolerance: 1e-4)
        _ = try Tensor.batchNorm(x, runningMean: mean, runningVariance: variance, weight: nil, bias: nil, training: true,
                                 momentum: 1)
        assertClose(mean, [4, 2], "momentum 1 keeps only the last batch")
    }

    func testBatchNormErrors() {
        let x = try! Tensor.zeros([1, 3])
        assertThrows(.invalidArgument, op: "batch_norm", mentions: ["more than 1 value per channel", "(1, 3)"]) {
            try Tensor.batchNorm(x, runningMean: nil, runningVariance: nil, weight: nil, bias: nil, training: true)
        }
        assertThrows(.invalidArgument, op: "batch_norm", mentions: ["running_mean and running_var"]) {
            try Tensor.batchNorm(x, runningMean: nil, runningVariance: nil, weight: nil, bias: nil, training: false)
        }
        assertThrows(.shapeMismatch, op: "batch_norm", mentions: ["running_var (2,)", "(1, 3)"]) {
            try Tensor.batchNorm(x, runningMean: Tensor.zeros([3]), runningVariance: Tensor.ones([2]), weight: nil,
                                 bias: nil, training: false)
        }
        assertThrows(.shapeMismatch, op: "batch_norm", mentions: ["(3,)"]) {
            try Tensor.batchNorm(Tensor.zeros([3]), runningMean: nil, runningVariance: nil, weight: nil, bias: nil,
                                 training: true)
        }
        assertThrows(.invalidArgument, op: "batch_norm", mentions: ["momentum nan"]) {
            try Tensor.batchNorm(Tensor.zeros([2, 3]), runningMean: nil, runningVariance: nil, weight: nil, bias: nil,
                                 training: true, momentum: .nan)
        }
    }
}
