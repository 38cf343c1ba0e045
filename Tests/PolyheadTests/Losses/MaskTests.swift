import XCTest
@testable import Polyhead

/// Per-sample masks (missing labels) on every loss: masked samples contribute exactly nothing, the mean
/// divides by the total weight, and a batch without labels gives 0 — never NaN.
final class MaskTests: XCTestCase {
    func testMaskedMSEEqualsTheLossOverLabelledSamples() throws {
        let x = try T([1, 2, 3, 4], [4, 1], requiresGrad: true)
        let t = try T([0, .nan, 1, 10], [4, 1])
        let loss = try mseLoss(x, t, mask: try T([1, 0, 1, 0]))
        assertScalar(loss, (1.0 + 4.0) / 2)               // ((1-0)² + (3-1)²) / 2
        try loss.backward()
        assertClose(x.grad!, [1.0, 0, 2.0, 0])            // 2(x-t)/2 on labelled rows only
    }

    func testWeightsActAsSampleWeights() throws {
        let x = try T([1, 2, 3], requiresGrad: true), t = try T([0, 0, 0])
        let loss = try l1Loss(x, t, mask: try T([0.5, 1, 2]))
        assertScalar(loss, (0.5 * 1 + 2 + 2 * 3) / 3.5)
        try loss.backward()
        assertClose(x.grad!, [0.5 / 3.5, 1 / 3.5, 2 / 3.5])
    }

    func testNoLabelledSampleGivesZeroNotNaN() throws {
        let x = try T([1, 2], [2, 1], requiresGrad: true)
        for reduction in [Reduction.mean, .sum] {
            let loss = try binaryCrossEntropyWithLogits(x, try T([.nan, .nan], [2, 1]), reduction: reduction,
                                                        mask: try T([0, 0]))
            assertScalar(loss, 0)
            try loss.backward()
        }
        assertClose(x.grad!, [0, 0])
    }

    func testMaskedLossWithReductionNoneZeroesMissingSamples() throws {
        let p = try T([0.5, 0.9, 0.2, 0.7], [2, 2])
        let loss = try binaryCrossEntropy(p, try T([1, 0, 0, 1], [2, 2]), reduction: .none, mask: try T([0, 1]))
        assertClose(loss, [0, 0, -log(0.8), -log(0.7)], shape: [2, 2])
    }

    func testCrossEntropyIgnoresLabelsOfMissingSamples() throws {
        let logits = try T([1, 2, 3, 0, 0, 0, 3, 2, 1], [3, 3], requiresGrad: true)
        let loss = try crossEntropy(logits: logits, labels: [2, -1, 0], mask: try T([1, 0, 1]))
        let lse = log(exp(1.0) + exp(2.0) + exp(3.0))
        assertScalar(loss, ((lse - 3) + (lse - 3)) / 2)
        try loss.backward()
        let g = gradient(of: logits)
        XCTAssertEqual(Array(g[3..<6]), [0, 0, 0])
        XCTAssertEqual(g[0..<3].reduce(0, +), 0, accuracy: 1e-6)
        let nll = try nllLoss(logProbabilities: try T([-1, -2, -3, -4], [2, 2]), labels: [1, 99], mask: try T([1, 0]))
        assertScalar(nll, 2)
    }

    func testBadMasksThrow() throws {
        let x = try T([1, 2, 3]), t = try T([0, 0, 0])
        assertThrows(.shapeMismatch, op: "mse_loss", mentions: ["2 values for 3 samples"]) {
            try mseLoss(x, t, mask: try T([1, 0]))
        }
        assertThrows(.invalidArgument, op: "l1_loss", mentions: ["-1"]) { try l1Loss(x, t, mask: try T([1, -1, 1])) }
        assertThrows(.invalidArgument, op: "cross_entropy") {
            try crossEntropy(logits: try T([0, 0], [1, 2]), labels: [0], mask: try T([.nan]))
        }
        assertThrows(.indexOutOfRange, op: "cross_entropy", mentions: ["target 5"]) {
            try crossEntropy(logits: try T([0, 0, 0, 0], [2, 2]), labels: [0, 5], mask: try T([1, 1]))
        }
    }
}
