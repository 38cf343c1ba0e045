@testable import Polyhead
import XCTest

/// `GraphModel.regularizationLoss`: Keras's `<weight>_regularizer` penalties `l1·Σ|w| + l2·Σw²` on Dense and
/// Conv2D kernels and biases, their gradients, and bad factors.
final class WeightPenaltyTests: XCTestCase {
    private func config(_ dense: String, _ conv: String) -> String {
        #"""
        {"inputs": [{"name": "x", "shape": [3, 3, 2]}],
         "layers": [{"class_name": "Conv2D", "name": "c", "inbound": ["x"], "config": {"filters": 2, "kernel_size": 2\#(conv)}},
                    {"class_name": "Flatten", "name": "f", "inbound": ["c"]},
                    {"class_name": "Dense", "name": "d", "inbound": ["f"], "config": {"units": 2\#(dense)}}],
         "outputs": ["d"]}
        """#
    }

    func testPenaltyValueAndGradientMatchFloat64() throws {
        manualSeed(11)
        let model = try GraphModel(json: config(
            #", "kernel_regularizer": {"l1": 0.03, "l2": 0.02}, "bias_regularizer": {"l1": 0.5}"#,
            #", "kernel_regularizer": {"l2": 0.1}, "bias_regularizer": {"l2": 0}"#))
        let bias = model.namedWeights.first { $0.name == "d/bias" }!.tensor
        let values: [Float] = [0.25, -0.75]
        for (index, value) in values.enumerated() { bias.storage.pointer[index] = value }
        let kernels = ["c/kernel", "d/kernel"].map { name in model.namedWeights.first { $0.name == name }!.tensor }
        func doubles(_ t: Tensor) -> [Double] { t.scalars.map(Double.init) }
        let conv = doubles(kernels[0]), dense = doubles(kernels[1]), b = values.map(Double.init)
        let expected = 0.1 * conv.map { $0 * $0 }.reduce(0, +)
            + dense.map { 0.03 * abs($0) + 0.02 * $0 * $0 }.reduce(0, +) + b.map { 0.5 * abs($0) }.reduce(0, +)
        let penalty = try XCTUnwrap(try model.regularizationLoss())
        XCTAssertEqual(Double(try penalty.item()), expected, accuracy: 1e-5)
        try penalty.backward()
        for (got, w) in zip(kernels[0].grad!.scalars, conv) { XCTAssertEqual(Double(got), 0.2 * w, accuracy: 1e-6) }
        for (got, w) in zip(kernels[1].grad!.scalars, dense) {
            XCTAssertEqual(Double(got), 0.03 * (w > 0 ? 1 : -1) + 0.04 * w, accuracy: 1e-6)
        }
        XCTAssertEqual(bias.grad!.scalars, [0.5, -0.5])
        let convBias = model.namedWeights.first { $0.name == "c/bias" }!.tensor
        XCTAssertNil(convBias.grad, "a zero factor adds no penalty")
    }

    func testNoRegularizerMeansNoPenaltyAndBadFactorsThrow() throws {
        XCTAssertNil(try GraphModel(json: config(#", "use_bias": false, "bias_regularizer": {"l2": 1}"#, "")).regularizationLoss())
        for bad in [#"{"l1": -1}"#, #"{"l2": "x"}"#, #"{"l2": 1e999}"#] {
            XCTAssertThrowsError(try GraphModel(json: config(#", "kernel_regularizer": \#(bad)"#, ""))) { error in
                XCTAssertTrue("\(error)".contains("d.kernel_regularizer"), "\(error)")
            }
        }
    }
}
