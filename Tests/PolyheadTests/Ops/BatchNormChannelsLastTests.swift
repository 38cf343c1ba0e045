@testable import Polyhead
import XCTest

/// `Tensor.batchNorm(channelsLast:…)` and `channelMoments()` against float64 references, with batch
/// statistics (gradient through the moments) and with constant moving statistics.
final class BatchNormChannelsLastTests: XCTestCase {
    /// Float64 batch norm over the last axis of `x` with γ, β; `moments` nil means x's own (biased) moments.
    private func reference(_ x: Ref, _ gamma: Ref, _ beta: Ref, moments: ([Double], [Double])?, epsilon: Double) -> Ref {
        let channels = x.shape.last!, rows = x.values.count / channels
        var mean = [Double](repeating: 0, count: channels), variance = mean
        if let moments { (mean, variance) = moments } else {
            for (i, v) in x.values.enumerated() { mean[i % channels] += v / Double(rows) }
            for (i, v) in x.values.enumerated() { variance[i % channels] += (v - mean[i % channels]) * (v - mean[i % channels]) / Double(rows) }
        }
        return Ref(shape: x.shape, values: x.values.enumerated().map { i, v in
            let c = i % channels
            return (v - mean[c]) / (variance[c] + epsilon).squareRoot() * gamma.values[c] + beta.values[c]
        })
    }

    func testBatchStatisticsForwardAndGradients() {
        checkGradients(shapes: [[2, 3, 4], [4], [4]], reference: { self.reference($0[0], $0[1], $0[2], moments: nil, epsilon: 1e-3) }) {
            try Tensor.batchNorm(channelsLast: $0[0], moments: try $0[0].channelMoments(), weight: $0[1], bias: $0[2],
                                 epsilon: 1e-3, batchStatistics: true)
        }
    }

    func testConstantStatisticsForwardAndGradients() {
        let moments = ChannelMoments(mean: [0.5, -0.25, 0], variance: [2, 0.5, 1])
        let asDouble = (moments.mean.map(Double.init), moments.variance.map(Double.init))
        checkGradients(shapes: [[5, 3], [3], [3]], reference: { self.reference($0[0], $0[1], $0[2], moments: asDouble, epsilon: 0.1) }) {
            try Tensor.batchNorm(channelsLast: $0[0], moments: moments, weight: $0[1], bias: $0[2], epsilon: 0.1,
                                 batchStatistics: false)
        }
    }

    func testMomentsAndErrors() throws {
        let x = try Tensor([1, 10, 3, 20, 5, 30], shape: [3, 2])
        let moments = try x.channelMoments()
        XCTAssertEqual(moments.mean, [3, 20])
        XCTAssertEqual(moments.variance[0], 8 / 3, accuracy: 1e-6)
        XCTAssertEqual(moments.variance[1], 200 / 3, accuracy: 1e-4)
        XCTAssertThrowsError(try Tensor.zeros([0, 2]).channelMoments())
        XCTAssertThrowsError(try Tensor.batchNorm(channelsLast: x, moments: moments, weight: try Tensor.ones([3]), bias: nil,
                                                  epsilon: 1e-3, batchStatistics: true)) { XCTAssertTrue("\($0)".contains("weight has 3"), "\($0)") }
        XCTAssertThrowsError(try Tensor.batchNorm(channelsLast: x, moments: moments, weight: nil, bias: nil, epsilon: -1,
                                                  batchStatistics: true))
        let plain = try Tensor.batchNorm(channelsLast: x, moments: moments, weight: nil, bias: nil, epsilon: 0, batchStatistics: true)
        XCTAssertEqual(Double(plain.scalars[0]), -2 / (8.0 / 3).squareRoot(), accuracy: 1e-5)
    }
}
