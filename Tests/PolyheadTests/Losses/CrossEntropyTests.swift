import XCTest
@testable import Polyhead

final class CrossEntropyTests: XCTestCase {
    // logits [[1, 2, 3], [1, 1, 1]], labels [2, 0] → [−log softmax(…)[2], ln 3] = [0.4076059644, 1.0986122887].

    func testCrossEntropyValues() throws {
        let logits = try T([1, 2, 3, 1, 1, 1], [2, 3])
        assertClose(try crossEntropy(logits: logits, labels: [2, 0], reduction: .none), [0.4076059644, 1.0986122887], shape: [2])
        assertClose(try crossEntropy(logits: logits, labels: [2, 0], reduction: .sum), [1.5062182531], shape: [])
        assertClose(try crossEntropy(logits: logits, labels: [2, 0]), [0.7531091266], shape: [])
    }

    func testCrossEntropyGradientIsSoftmaxMinusOneHot() throws {
        let logits = try T([1, 2, 3, 1, 1, 1], [2, 3], requiresGrad: true)
        try crossEntropy(logits: logits, labels: [2, 0], reduction: .sum).backward()
        let third = 1.0 / 3
        assertClose(gradient(of: logits), [0.0900305732, 0.2447284711, 0.6652409558 - 1, third - 1, third, third])
    }

    func testCrossEntropyIsStableForLargeLogits() throws {
        let logits = try T([1000, 0, -1000, 1000], [2, 2])
        assertClose(try crossEntropy(logits: logits, labels: [1, 1], reduction: .none), [1000, 0])
    }

    func testCrossEntropyIsAccurateForLargeEqualLogits() throws {
        // Two equal logits give ln 2 whatever their common value (PyTorch: 0.6931 for 1e7 too).
        assertClose(try crossEntropy(logits: T([1e7, 1e7], [1, 2]), labels: [0]), [0.6931471806])
    }

    func testCrossEntropyGradients() {
        let labels = [2, 0, 3, 3]
        for reduction in allReductions {
            checkGradients(shapes: [[4, 4]], domain: .symmetric(3), reference: { crossEntropyReference($0[0], labels, reduction) }) {
                try crossEntropy(logits: $0[0], labels: labels, reduction: reduction)
            }
        }
    }

    func testNLLValuesAndGradient() throws {
        let logProbabilities = try T([-1, -2, -0.5, -3], [2, 2], requiresGrad: true)
        assertClose(try nllLoss(logProbabilities: logProbabilities, labels: [1, 0], reduction: .none), [2, 0.5], shape: [2])
        assertClose(try nllLoss(logProbabilities: logProbabilities, labels: [1, 0], reduction: .sum), [2.5], shape: [])
        let mean = try nllLoss(logProbabilities: logProbabilities, labels: [1, 0])
        assertClose(mean, [1.25], shape: [])
        try mean.backward()
        assertClose(gradient(of: logProbabilities), [0, -0.5, -0.5, 0])
    }

    func testNLLGradients() {
        let labels = [1, 0, 2]
        for reduction in allReductions {
            checkGradients(shapes: [[3, 3]], reference: { nllReference($0[0], labels, reduction) }) {
                try nllLoss(logProbabilities: $0[0], labels: labels, reduction: reduction)
            }
        }
    }

    func testNLLAfterLogSoftmaxEqualsCrossEntropy() throws {
        let logits = try T([0.5, -1, 2, 0, 3, 1], [2, 3])
        let viaNLL = try nllLoss(logProbabilities: logits.logSoftmax(), labels: [0, 1])
        assertClose(viaNLL, doubles(try crossEntropy(logits: logits, labels: [0, 1])))
    }

    func testBadLabelsThrowIndexOutOfRange() {
        let logits = try! Tensor.zeros([2, 3])
        assertThrows(.indexOutOfRange, op: "cross_entropy", mentions: ["3", "3 classes"]) { try crossEntropy(logits: logits, labels: [3, 0]) }
        assertThrows(.indexOutOfRange, op: "cross_entropy", mentions: ["-1"]) { try crossEntropy(logits: logits, labels: [0, -1]) }
        assertThrows(.indexOutOfRange, op: "nll_loss", mentions: ["7", "3 classes"]) { try nllLoss(logProbabilities: logits, labels: [7, 0]) }
    }

    func testShapeErrors() {
        assertThrows(.shapeMismatch, op: "cross_entropy", mentions: ["3 targets", "(2, 3)"]) {
            try crossEntropy(logits: Tensor.zeros([2, 3]), labels: [0, 1, 2])
        }
        assertThrows(.shapeMismatch, op: "cross_entropy", mentions: ["(6,)"]) { try crossEntropy(logits: Tensor.zeros([6]), labels: [0]) }
        assertThrows(.shapeMismatch, op: "nll_loss", mentions: ["(2, 3, 1)"]) {
            try nllLoss(logProbabilities: Tensor.zeros([2, 3, 1]), labels: [0, 0])
        }
        assertThrows(.shapeMismatch, op: "nll_loss", mentions: ["1 targets", "(2, 3)"]) {
            try nllLoss(logProbabilities: Tensor.zeros([2, 3]), labels: [0])
        }
    }

    func testEmptyBatch() throws {
        XCTAssertEqual(try crossEntropy(logits: Tensor.zeros([0, 3]), labels: [], reduction: .sum).item(), 0)
        XCTAssertTrue(try crossEntropy(logits: Tensor.zeros([0, 3]), labels: []).item().isNaN, "mean of nothing is NaN (PyTorch)")
        assertThrows(.indexOutOfRange, op: "cross_entropy") { try crossEntropy(logits: Tensor.zeros([1, 0]), labels: [0]) }
    }
}
