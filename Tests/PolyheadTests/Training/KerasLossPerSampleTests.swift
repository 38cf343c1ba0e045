@testable import Polyhead
import XCTest

/// `KerasLoss.perSample`: Keras's per-sample losses (`keras.losses.<name>(y_true, y_pred)`) against float64
/// references, and a loss read from its JSON spec.
final class KerasLossPerSampleTests: XCTestCase {
    func testElementwiseLossesAverageTheLastAxisOnly() throws {
        let output = try Tensor([0.5, 1, 3, 0, -1, 2, 0.25, 4], shape: [2, 2, 2]), target = try Tensor.zeros([2, 2, 2])
        let losses = try KerasLoss(json: #"{"loss": "huber", "delta": 1.0}"#).perSample(output, target)
        XCTAssertEqual(losses.shape, [2, 2])
        func huber(_ r: Double) -> Double { abs(r) <= 1 ? 0.5 * r * r : abs(r) - 0.5 }
        let rows = stride(from: 0, to: 8, by: 2).map { i in (huber(Double(output.scalars[i])) + huber(Double(output.scalars[i + 1]))) / 2 }
        for (got, want) in zip(losses.scalars, rows) { XCTAssertEqual(Double(got), want, accuracy: 1e-6) }
    }

    func testSparseCrossEntropyPerRowFromLogits() throws {
        let logits: [Float] = [1, 2, 0.5, -1, 0, 3]
        let losses = try KerasLoss(json: #"{"loss": "sparse_categorical_crossentropy", "from_logits": true}"#)
            .perSample(try Tensor(logits, shape: [2, 3]), try Tensor([1, 2], shape: [2]))
        for (row, label) in [(0, 1), (1, 2)] {
            let z = logits[(row * 3)..<(row * 3 + 3)].map(Double.init)
            let expected = log(z.map(exp).reduce(0, +)) - z[label]
            XCTAssertEqual(Double(losses.scalars[row]), expected, accuracy: 1e-5)
        }
        XCTAssertThrowsError(try KerasLoss(json: #"{"loss": 3}"#)) { XCTAssertTrue("\($0)".contains("loss_json.loss"), "\($0)") }
    }
}
