@testable import Polyhead
import XCTest

/// A `GraphModel` built over weights of another (`sharing:`), a layer's `activity_regularizer`, and a `Trainer`
/// with frozen layers.
final class GraphModelSharingTests: XCTestCase {
    /// x (2) → Dense "h" (3, optional extra config) → Dense "out" (1).
    private func config(_ hidden: String = "") -> String {
        #"""
        {"inputs": [{"name": "x", "shape": [2]}],
         "layers": [{"class_name": "Dense", "name": "h", "inbound": ["x"], "config": {"units": 3\#(hidden)}},
                    {"class_name": "Dense", "name": "out", "inbound": ["h"], "config": {"units": 1}}],
         "outputs": ["out"]}
        """#
    }

    func testSharedWeightsAreTheGivenTensorsAndBadOnesThrow() throws {
        let first = try GraphModel(json: config())
        let kernel = first.namedWeights[0].tensor
        let second = try GraphModel(json: config(), sharing: ["h/kernel": kernel])
        XCTAssertTrue(second.namedWeights[0].tensor === kernel)
        XCTAssertFalse(second.namedWeights[1].tensor === first.namedWeights[1].tensor, "weights not given are new")
        XCTAssertThrowsError(try GraphModel(json: config(), sharing: ["g/kernel": kernel])) { error in
            XCTAssertTrue("\(error)".contains("weight 'g/kernel' to share is not a weight of the model"), "\(error)")
        }
        XCTAssertThrowsError(try GraphModel(json: config(), sharing: ["out/kernel": kernel])) { error in
            XCTAssertTrue("\(error)".contains("weight 'out/kernel' to share has shape (2, 3), the layer needs (3, 1)"), "\(error)")
        }
    }

    func testActivityPenaltyAndItsGradientMatchFloat64() throws {
        manualSeed(5)
        let model = try GraphModel(json: config(#", "activity_regularizer": {"l1": 0.2, "l2": 0.3}"#))
        let x = try Tensor([0.5, -1, 2, 0.25], shape: [2, 2])
        let pass = try model.forward([x], training: true)
        let kernel = model.namedWeights[0].tensor
        let k = kernel.scalars.map(Double.init), xs = x.scalars.map(Double.init)
        var expected = 0.0, gradient = [Double](repeating: 0, count: 6)
        for row in 0..<2 {
            for unit in 0..<3 {
                let h = xs[row * 2] * k[unit] + xs[row * 2 + 1] * k[3 + unit]
                expected += 0.2 * abs(h) + 0.3 * h * h
                for feature in 0..<2 { gradient[feature * 3 + unit] += (0.2 * (h > 0 ? 1 : -1) + 0.6 * h) * xs[row * 2 + feature] }
            }
        }
        let penalty = try XCTUnwrap(pass.activityPenalty)
        XCTAssertEqual(Double(try penalty.item()), expected, accuracy: 1e-5)
        try penalty.backward()
        for (got, want) in zip(kernel.grad!.scalars, gradient) { XCTAssertEqual(Double(got), want, accuracy: 1e-5) }
        XCTAssertNil(try GraphModel(json: config()).forward([x], training: true).activityPenalty)
    }

    func testFrozenLayersNeedNoOptimizerAndKeepTheirWeights() throws {
        let model = try GraphModel(json: config())
        let trained = Array(model.weights[2...])
        let trainer = try Trainer(model: model, optimizer: try SGD(parameters: trained, learningRate: 0.1),
                                  outputs: [OutputTraining(loss: .meanSquaredError)], frozen: ["h"])
        let frozenBefore = model.weights[0].scalars, headBefore = model.weights[2].scalars
        let data = try TrainingData(inputs: [Tensor([1, 2, 3, 4], shape: [2, 2])], targets: [Tensor([1, -1], shape: [2, 1])])
        _ = try trainer.fit(data)
        XCTAssertEqual(model.weights[0].scalars, frozenBefore)
        XCTAssertNotEqual(model.weights[2].scalars, headBefore)
        XCTAssertThrowsError(try Trainer(model: model, optimizer: try SGD(parameters: trained, learningRate: 0.1),
                                         outputs: [OutputTraining(loss: .meanSquaredError)], frozen: ["nope"])) { error in
            XCTAssertTrue("\(error)".contains("frozen layer 'nope' is not a layer of the model"), "\(error)")
        }
        XCTAssertThrowsError(try Trainer(model: model, optimizer: try SGD(parameters: trained, learningRate: 0.1),
                                         outputs: [OutputTraining(loss: .meanSquaredError)])) { error in
            XCTAssertTrue("\(error)".contains("the optimizer does not update weight 'h/kernel'"), "\(error)")
        }
    }
}
