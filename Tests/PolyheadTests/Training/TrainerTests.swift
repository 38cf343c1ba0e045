import Foundation
@testable import Polyhead
import XCTest

/// The Keras-style `GraphModel` + `Trainer` against float64 references on tiny data.
final class TrainerTests: XCTestCase {
    /// One input (2 features) → Dense "out" (1 unit, linear).
    private let linearConfig = #"""
    {"inputs": [{"name": "x", "shape": [2]}],
     "layers": [{"class_name": "Dense", "name": "out", "inbound": ["x"], "config": {"units": 1}}],
     "outputs": ["out"]}
    """#

    /// x (3) → Dense h (4, relu) → Dropout → two heads: "a" (3, softmax) and "b" (1, sigmoid).
    private let twoHeadConfig = #"""
    {"inputs": [{"name": "x", "shape": [3]}],
     "layers": [{"class_name": "Dense", "name": "h", "inbound": ["x"], "config": {"units": 4, "activation": "relu"}},
                {"class_name": "Dropout", "name": "drop", "inbound": ["h"], "config": {"rate": 0.0}},
                {"class_name": "Dense", "name": "a", "inbound": ["drop"], "config": {"units": 3, "activation": "softmax"}},
                {"class_name": "Dense", "name": "b", "inbound": ["drop"], "config": {"units": 1, "activation": "sigmoid"}}],
     "outputs": ["a", "b"]}
    """#

    private func twoHeadData(n: Int = 12) throws -> TrainingData {
        var x: [Float] = [], a: [Float] = [], b: [Float] = []
        for i in 0..<n {
            x += [Float(i % 3) - 1, Float(i % 5) * 0.3, Float(i) * 0.1 - 0.5]
            var oneHot: [Float] = [0, 0, 0]; oneHot[i % 3] = 1
            a += oneHot
            b.append(Float(i % 2))
        }
        return try TrainingData(inputs: [Tensor(x, shape: [n, 3])],
                                targets: [Tensor(a, shape: [n, 3]), Tensor(b, shape: [n, 1])])
    }

    func testConfigNamesWeightsKerasStyleAndInitialisesGlorot() throws {
        manualSeed(1)
        let model = try GraphModel(json: twoHeadConfig)
        XCTAssertEqual(model.namedWeights.map(\.name), ["h/kernel", "h/bias", "a/kernel", "a/bias", "b/kernel", "b/bias"])
        XCTAssertEqual(model.namedWeights[0].tensor.shape, [3, 4])
        let limit = Float((6.0 / 7.0).squareRoot())
        XCTAssertTrue(model.weights[0].scalars.allSatisfy { abs($0) <= limit })
        XCTAssertEqual(model.weights[1].scalars, [0, 0, 0, 0])
        XCTAssertEqual(model.outputShapes, [[3], [1]])
        XCTAssertEqual(model.sharedWeights.count, 2)
        XCTAssertTrue(model.sharedWeights[0] === model.weights[0])
        manualSeed(1)
        XCTAssertEqual(try GraphModel(json: twoHeadConfig).weights[0].scalars, model.weights[0].scalars)
    }

    func testConfigErrorsNameTheProblem() {
        XCTAssertThrowsError(try GraphModel(json: #"{"inputs": [{"name": "x", "shape": [2]}], "layers": [{"class_name": "Conv9", "name": "c", "inbound": ["x"]}], "outputs": ["c"]}"#)) {
            XCTAssertTrue("\($0)".contains("Conv9"), "\($0)")
        }
        XCTAssertThrowsError(try GraphModel(json: #"{"inputs": [{"name": "x", "shape": [2]}], "layers": [{"class_name": "Dense", "name": "d", "inbound": ["y"], "config": {"units": 1}}], "outputs": ["d"]}"#)) {
            XCTAssertTrue("\($0)".contains("'y'"), "\($0)")
        }
        XCTAssertThrowsError(try GraphModel(json: "{not json"))
    }

    /// Two batches of SGD on a linear model with mse: the epoch loss is the batch-size-weighted mean of
    /// each batch's loss before its step (float64 reference).
    func testOneEpochLossMatchesFloat64Reference() throws {
        let model = try GraphModel(json: linearConfig)
        try withoutGrad { try model.weights[0].copy(from: try Tensor([0.5, -0.25], shape: [2, 1])) }
        let xs: [[Double]] = [[1, 2], [0, 1], [-1, 0.5], [2, -1], [0.5, 0.5]]
        let ys: [Double] = [1, 0, -1, 2, 0.5]
        let data = try TrainingData(inputs: [Tensor(xs.flatMap { $0.map(Float.init) }, shape: [5, 2])],
                                    targets: [Tensor(ys.map(Float.init), shape: [5, 1])])
        let lr = 0.1
        let trainer = try Trainer(model: model, optimizer: try SGD(parameters: model.weights, learningRate: Float(lr)),
                                  outputs: [OutputTraining(loss: .meanSquaredError, metrics: ["mae"])])
        var k = [0.5, -0.25], b = 0.0, weighted = 0.0, mae = 0.0
        for batch in [0..<3, 3..<5] {
            var loss = 0.0, gk = [0.0, 0.0], gb = 0.0
            for i in batch {
                let r = xs[i][0] * k[0] + xs[i][1] * k[1] + b - ys[i]
                loss += r * r; mae += abs(r)
                gk[0] += 2 * r * xs[i][0]; gk[1] += 2 * r * xs[i][1]; gb += 2 * r
            }
            let m = Double(batch.count)
            weighted += loss
            k = [k[0] - lr * gk[0] / m, k[1] - lr * gk[1] / m]; b -= lr * gb / m
        }
        let history = try trainer.fit(data, options: FitOptions(epochs: 1, batchSize: 3, shuffle: false))
        XCTAssertEqual(history.keys, ["loss", "out_loss", "out_mae", "out_weight"])
        XCTAssertEqual(history.values["loss"]![0], weighted / 5, accuracy: 1e-5)
        XCTAssertEqual(history.values["out_loss"]![0], weighted / 5, accuracy: 1e-5)
        XCTAssertEqual(history.values["out_mae"]![0], mae / 5, accuracy: 1e-5)
        XCTAssertEqual(Double(model.weights[0].scalars[0]), k[0], accuracy: 1e-5)
        XCTAssertEqual(Double(model.weights[1].scalars[0]), b, accuracy: 1e-5)
    }

    func testKerasLossesMatchFloat64() throws {
        let p: [Double] = [0.7, 0.2, 0.1, 1.0, 0.0, 0.0]
        let t: [Double] = [0, 1, 0, 1, 0, 0]
        let output = try Tensor(p.map(Float.init), shape: [2, 3]), target = try Tensor(t.map(Float.init), shape: [2, 3])
        let eps = 1e-7
        let expected = (-log(0.2) - log(1 - 2 * eps < 1.0 ? 1 - eps : 1.0)) / 2
        XCTAssertEqual(Double(try KerasLoss.categoricalCrossentropy(fromLogits: false)(output, target).item()), expected, accuracy: 1e-5)
        let labels = try Tensor([1, 0], shape: [2])
        XCTAssertEqual(Double(try KerasLoss.sparseCategoricalCrossentropy(fromLogits: false)(output, labels).item()), expected, accuracy: 1e-5)
        let bp = try Tensor([0.9, 0.0], shape: [2, 1]), bt = try Tensor([1, 1], shape: [2, 1])
        XCTAssertEqual(Double(try KerasLoss.binaryCrossentropy(fromLogits: false)(bp, bt).item()),
                       (-log(0.9) - log(eps)) / 2, accuracy: 1e-3)
        let h = try KerasLoss(name: "huber")(try Tensor([0, 3], shape: [2, 1]), try Tensor([0.5, 0], shape: [2, 1]))
        XCTAssertEqual(Double(try h.item()), (0.125 + 2.5) / 2, accuracy: 1e-6)
        // logits: gradient softmax − target
        let logits = try Tensor([1, 2, 3], shape: [1, 3], requiresGrad: true)
        try KerasLoss.categoricalCrossentropy(fromLogits: true)(logits, try Tensor([0, 0, 1], shape: [1, 3])).backward()
        let z = exp(1.0) + exp(2.0) + exp(3.0)
        let reference = [exp(1.0) / z, exp(2.0) / z, exp(3.0) / z - 1]
        for (g, r) in zip(logits.grad!.scalars, reference) { XCTAssertEqual(Double(g), r, accuracy: 1e-6) }
        // probabilities: gradient through the renormalisation, checked by finite differences in float64 terms
        let probs = try Tensor([0.5, 0.3, 0.2], shape: [1, 3], requiresGrad: true)
        try KerasLoss.categoricalCrossentropy(fromLogits: false)(probs, try Tensor([0, 1, 0], shape: [1, 3])).backward()
        // L = −log(p1 / S): ∂/∂p_k = 1/S − [k = 1]/p1, S = 1
        for (g, r) in zip(probs.grad!.scalars, [1.0, 1 - 1 / 0.3, 1.0]) { XCTAssertEqual(Double(g), r, accuracy: 1e-5) }
    }

    func testMasksLossWeightsAndAccuracy() throws {
        manualSeed(3)
        let model = try GraphModel(json: twoHeadConfig)
        let data = try twoHeadData()
        let mask = try Tensor((0..<12).map { $0 < 6 ? 1 : 0 }, shape: [12])
        let masked = try TrainingData(inputs: data.inputs, targets: data.targets, masks: [nil, mask])
        let trainer = try Trainer(model: model, optimizer: try SGD(parameters: model.weights, learningRate: 0),
                                  outputs: [OutputTraining(loss: .categoricalCrossentropy(fromLogits: false), lossWeight: 1, metrics: ["accuracy"]),
                                            OutputTraining(loss: .binaryCrossentropy(fromLogits: false), lossWeight: 0.5, metrics: ["accuracy"])])
        let logs = Dictionary(uniqueKeysWithValues: try trainer.evaluate(masked, batchSize: 5).map { ($0.name, $0.value) })
        // reference: the first six samples only for b
        let outputs = try model(data.inputs)
        let firstSix = try TrainingData(inputs: [try data.inputs[0].indexSelect(Array(0..<6))],
                                        targets: [try data.targets[0].indexSelect(Array(0..<6)), try data.targets[1].indexSelect(Array(0..<6))])
        let bLoss = Double(try KerasLoss.binaryCrossentropy(fromLogits: false)(try outputs[1].indexSelect(Array(0..<6)), firstSix.targets[1]).item())
        let aLoss = Double(try KerasLoss.categoricalCrossentropy(fromLogits: false)(outputs[0], data.targets[0]).item())
        XCTAssertEqual(logs["a_loss"]!, aLoss, accuracy: 1e-5)
        XCTAssertEqual(logs["loss"]!, aLoss + 0.5 * logs["b_loss"]!, accuracy: 1e-5)
        var hits = 0.0
        for i in 0..<6 where (outputs[1].scalars[i] > 0.5) == (i % 2 == 1) { hits += 1 }
        XCTAssertEqual(logs["b_accuracy"]!, hits / 6, accuracy: 1e-9)
        // batches of 5 weight b's per-batch masked mean by batch size: recompute that way
        var expectedB = 0.0
        for batch in [0..<5, 5..<10, 10..<12] {
            let rows = Array(batch)
            let w = try mask.indexSelect(rows)
            let l = Double(try KerasLoss.binaryCrossentropy(fromLogits: false)(try outputs[1].indexSelect(rows), try data.targets[1].indexSelect(rows), mask: w).item())
            expectedB += l * Double(rows.count)
        }
        XCTAssertEqual(logs["b_loss"]!, expectedB / 12, accuracy: 1e-5)
        XCTAssertNotEqual(bLoss, 0)
    }

    func testStopRequestAndEventsAndValidationKeys() throws {
        manualSeed(4)
        let model = try GraphModel(json: twoHeadConfig)
        let trainer = try Trainer(model: model, optimizer: try Adam(parameters: model.weights, learningRate: 0.01),
                                  outputs: [OutputTraining(loss: .categoricalCrossentropy(fromLogits: false), metrics: ["accuracy"]),
                                            OutputTraining(loss: .binaryCrossentropy(fromLogits: false), metrics: ["accuracy"])])
        var events: [TrainingEventKind] = []
        let history = try trainer.fit(try twoHeadData(), options: FitOptions(epochs: 5, batchSize: 4, validationSplit: 0.25)) { event in
            events.append(event.kind)
            return event.kind == .batchEnd && event.epoch == 1 && event.batch == 0
        }
        XCTAssertTrue(history.stopped)
        XCTAssertEqual(history.epochs, 2)
        XCTAssertEqual(events.first, .trainBegin)
        XCTAssertEqual(events.last, .trainEnd)
        XCTAssertEqual(events.filter { $0 == .batchEnd }.count, 3 + 1)
        XCTAssertEqual(history.keys, ["loss", "a_loss", "b_loss", "a_accuracy", "b_accuracy", "a_weight", "b_weight",
                                      "val_loss", "val_a_loss", "val_b_loss", "val_a_accuracy", "val_b_accuracy"])
    }

    func testMultiTaskMethodAndL2Penalty() throws {
        manualSeed(5)
        let config = twoHeadConfig.replacingOccurrences(of: #""units": 4, "activation": "relu""#,
                                                        with: #""units": 4, "activation": "relu", "kernel_regularizer": {"l2": 0.01}"#)
        let model = try GraphModel(json: config)
        let penalty = Double(try model.regularizationLoss()!.item())
        let reference = model.weights[0].scalars.reduce(0.0) { $0 + 0.01 * Double($1) * Double($1) }
        XCTAssertEqual(penalty, reference, accuracy: 1e-6)
        for name in ["uncertainty", "pcgrad"] {
            let method = try MultiTaskMethods.make(name, taskCount: 2)
            let optimizer = try Adam(parameters: model.weights + method.parameters, learningRate: 0.01)
            let trainer = try Trainer(model: model, optimizer: optimizer,
                                      outputs: [OutputTraining(loss: .categoricalCrossentropy(fromLogits: false)),
                                                OutputTraining(loss: .binaryCrossentropy(fromLogits: false))], method: method)
            let history = try trainer.fit(try twoHeadData(), options: FitOptions(epochs: 3, batchSize: 4))
            XCTAssertEqual(history.epochs, 3)
            XCTAssertTrue(history.values["loss"]!.allSatisfy(\.isFinite))
            XCTAssertNotNil(history.values["a_weight"])
        }
        let method = try MultiTaskMethods.make("uncertainty", taskCount: 2)
        XCTAssertThrowsError(try Trainer(model: model, optimizer: try Adam(parameters: model.weights),
                                         outputs: [OutputTraining(loss: .meanSquaredError), OutputTraining(loss: .meanSquaredError)],
                                         method: method))
    }

    func testMismatchedLengthsAndPredict() throws {
        let model = try GraphModel(json: linearConfig)
        XCTAssertThrowsError(try TrainingData(inputs: [try Tensor.zeros([5, 2])], targets: [try Tensor.zeros([4, 1])])) {
            XCTAssertTrue("\($0)".contains("(5, 2)") && "\($0)".contains("(4, 1)"), "\($0)")
        }
        let x = try Tensor.uniform([7, 2])
        let predicted = try model.predict([x], batchSize: 3)[0]
        XCTAssertEqual(predicted.shape, [7, 1])
        let direct = try model([x])[0]
        for (a, b) in zip(predicted.scalars, direct.scalars) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }
}

extension TrainerTests {
    /// Extreme sizes throw or work; nothing traps.
    func testExtremeArgumentsDoNotTrap() throws {
        XCTAssertThrowsError(try GraphModel(json: #"{"inputs": [{"name": "x", "shape": [2]}], "layers": [{"class_name": "Dense", "name": "d", "inbound": ["x"], "config": {"units": 9223372036854775807}}], "outputs": ["d"]}"#))
        XCTAssertThrowsError(try GraphModel(json: #"{"inputs": [{"name": "x", "shape": [9223372036854775807]}, {"name": "y", "shape": [9223372036854775807]}], "layers": [{"class_name": "Concatenate", "name": "c", "inbound": ["x", "y"]}], "outputs": ["c"]}"#))
        let model = try GraphModel(json: linearConfig)
        let trainer = try Trainer(model: model, optimizer: try SGD(parameters: model.weights, learningRate: 0.1),
                                  outputs: [OutputTraining(loss: .meanSquaredError, metrics: ["mse", "accuracy"])])
        let data = try TrainingData(inputs: [try Tensor.uniform([5, 2])], targets: [try Tensor.zeros([5, 1])])
        let history = try trainer.fit(data, options: FitOptions(epochs: 1, batchSize: Int.max))
        XCTAssertEqual(history.epochs, 1)
        XCTAssertEqual(try trainer.evaluate(data, batchSize: Int.max).count, 4)
        XCTAssertEqual(try model.predict(data.inputs, batchSize: Int.max)[0].shape, [5, 1])
        let empty = try TrainingData(inputs: [try Tensor.zeros([0, 2])], targets: [try Tensor.zeros([0, 1])])
        XCTAssertEqual(try trainer.fit(empty, options: FitOptions(epochs: 2)).epochs, 2)
        XCTAssertThrowsError(try trainer.fit(data, options: FitOptions(batchSize: 0)))
        XCTAssertThrowsError(try trainer.fit(data, options: FitOptions(validationSplit: 1)))
        XCTAssertThrowsError(try FitOptions(json: #"{"epochs": "many"}"#))
        let nanTarget = try TrainingData(inputs: data.inputs, targets: [try Tensor([Float.nan, 0, 0, 0, 0], shape: [5, 1])])
        XCTAssertTrue(try trainer.evaluate(nanTarget)[0].value.isNaN)
    }
}

extension TrainerTests {
    /// RMSprop against a float64 reference of two steps (torch form, momentum, centered, Keras epsilon).
    func testRMSpropMatchesFloat64() throws {
        for (momentum, centered, inside) in [(0.0, false, false), (0.9, true, false), (0.0, false, true)] {
            let p = try Tensor([1, -2], shape: [2], requiresGrad: true)
            let optimizer = try RMSprop(parameters: [p], learningRate: 0.1, alpha: 0.9, epsilon: 1e-3,
                                        momentum: Float(momentum), centered: centered, epsilonInsideSquareRoot: inside)
            var x = [1.0, -2.0], v = [0.0, 0.0], m = [0.0, 0.0], b = [0.0, 0.0]
            for _ in 0..<2 {
                try p.setGrad(try Tensor(x.map { Float(2 * $0) }, shape: [2]))  // loss Σ x²
                optimizer.step()
                for i in 0..<2 {
                    let g = 2 * x[i]
                    v[i] = 0.9 * v[i] + 0.1 * g * g
                    m[i] = 0.9 * m[i] + 0.1 * g
                    let variance = centered ? v[i] - m[i] * m[i] : v[i]
                    let scaled = g / (inside ? (variance + 1e-3).squareRoot() : variance.squareRoot() + 1e-3)
                    b[i] = momentum * b[i] + scaled
                    x[i] -= 0.1 * (momentum > 0 ? b[i] : scaled)
                }
            }
            XCTAssertEqual(Double(p.scalars[0]), x[0], accuracy: 1e-5)
            XCTAssertEqual(Double(p.scalars[1]), x[1], accuracy: 1e-5)
        }
        XCTAssertThrowsError(try RMSprop(parameters: [try Tensor.zeros([1])], alpha: 2))
    }
}

extension TrainerTests {
    func testF1AndAUC() throws {
        let bce = KerasLoss.binaryCrossentropy(fromLogits: false)
        let auc = try Metric(name: "auc", loss: bce, outputWidth: 1)
        var state = auc.makeState()
        auc.accumulate(try Tensor([0.1, 0.4, 0.35, 0.8, 0.9], shape: [5, 1]), try Tensor([0, 0, 1, 1, 0], shape: [5, 1]),
                       weights: [1, 1, 1, 1, 0], into: &state)
        XCTAssertEqual(auc.value(state), 0.75, accuracy: 1e-9)   // the masked fifth sample does not count
        let f1 = try Metric(name: "f1", loss: bce, outputWidth: 1)
        state = f1.makeState()
        f1.accumulate(try Tensor([0.9, 0.8, 0.2, 0.7], shape: [4, 1]), try Tensor([1, 0, 1, 1], shape: [4, 1]),
                      weights: nil, into: &state)
        let expectedF1: Double = 4.0 / 6.0  // tp 2, fp 1, fn 1: 2·tp / (2·tp + fp + fn)
        XCTAssertEqual(f1.value(state), expectedF1, accuracy: 1e-9)
        let macro = try Metric(name: "f1", loss: .sparseCategoricalCrossentropy(fromLogits: false), outputWidth: 3)
        state = macro.makeState()
        macro.accumulate(try Tensor([0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.1, 0.8, 0.1], shape: [3, 3]),
                         try Tensor([0, 1, 2], shape: [3]), weights: nil, into: &state)
        // class 0: tp 1 → 1; class 1: tp 1, fp 1 → 2/3; class 2: fn 1 → 0
        let expectedMacro: Double = (1.0 + 2.0 / 3.0) / 3.0
        XCTAssertEqual(macro.value(state), expectedMacro, accuracy: 1e-9)
    }
}

extension TrainerTests {
    func testFlattenAndLayerNormalization() throws {
        let config = #"""
        {"inputs": [{"name": "img", "shape": [2, 3]}],
         "layers": [{"class_name": "Flatten", "name": "flat", "inbound": ["img"]},
                    {"class_name": "LayerNormalization", "name": "norm", "inbound": ["flat"], "config": {"epsilon": 0.001}},
                    {"class_name": "Dense", "name": "out", "inbound": ["norm"], "config": {"units": 2, "kernel_initializer": "ones"}}],
         "outputs": ["out"]}
        """#
        let model = try GraphModel(json: config)
        XCTAssertEqual(model.namedWeights.map(\.name), ["norm/gamma", "norm/beta", "out/kernel", "out/bias"])
        XCTAssertEqual(model.layerSummary.map(\.parameters), [0, 12, 14])
        let values: [Double] = [1, 2, 3, 4, 5, 7]
        let x = try Tensor(values.map(Float.init), shape: [1, 2, 3])
        let mean = values.reduce(0, +) / 6
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 6
        let normalized = values.map { ($0 - mean) / (variance + 1e-3).squareRoot() }
        let y = try model([x])[0]
        XCTAssertEqual(y.shape, [1, 2])
        XCTAssertEqual(Double(y.scalars[0]), normalized.reduce(0, +), accuracy: 1e-5)
        let trainer = try Trainer(model: model, optimizer: try SGD(parameters: model.weights, learningRate: 0.01),
                                  outputs: [OutputTraining(loss: .meanSquaredError)])
        let data = try TrainingData(inputs: [try Tensor.uniform([8, 2, 3])], targets: [try Tensor.ones([8, 2])])
        let history = try trainer.fit(data, options: FitOptions(epochs: 20, batchSize: 8, shuffle: false))
        XCTAssertLessThan(history.values["loss"]![19], history.values["loss"]![0])
        XCTAssertThrowsError(try GraphModel(json: config.replacingOccurrences(of: #""epsilon": 0.001"#, with: #""axis": 0"#)))
    }
}

extension TrainerTests {
    /// Channels-last Conv2D ('same' and 'valid') and MaxPooling2D against a float64 reference; the
    /// permutation's gradient is the permutation back.
    func testConv2DAndMaxPoolingChannelsLast() throws {
        manualSeed(9)
        let config = #"""
        {"inputs": [{"name": "img", "shape": [4, 5, 2]}],
         "layers": [{"class_name": "Conv2D", "name": "conv", "inbound": ["img"], "config": {"filters": 3, "kernel_size": 3, "padding": "same"}},
                    {"class_name": "MaxPooling2D", "name": "pool", "inbound": ["conv"], "config": {"pool_size": 2}},
                    {"class_name": "Flatten", "name": "flat", "inbound": ["pool"]}],
         "outputs": ["flat", "conv"]}
        """#
        let model = try GraphModel(json: config)
        XCTAssertEqual(model.outputShapes, [[12], [4, 5, 3]])
        XCTAssertEqual(model.namedWeights.map(\.name), ["conv/kernel", "conv/bias"])
        let (h, w, c, o) = (4, 5, 2, 3)
        let x = try Tensor.uniform([1, h, w, c], low: -1, high: 1)
        let k = model.weights[0].scalars.map(Double.init), xs = x.scalars.map(Double.init)
        var reference = Array(repeating: 0.0, count: h * w * o)
        for i in 0..<h { for j in 0..<w { for f in 0..<o {
            var sum = 0.0
            for di in 0..<3 { for dj in 0..<3 { for ch in 0..<c {
                let (y0, x0) = (i + di - 1, j + dj - 1)
                guard y0 >= 0, y0 < h, x0 >= 0, x0 < w else { continue }
                sum += xs[(y0 * w + x0) * c + ch] * k[((di * 3 + dj) * c + ch) * o + f]
            } } }
            reference[(i * w + j) * o + f] = sum
        } } }
        let outputs = try model([x])
        for (a, b) in zip(outputs[1].scalars, reference) { XCTAssertEqual(Double(a), b, accuracy: 1e-5) }
        // pooled: 2x2 windows over (4, 5) → (2, 2), max per channel
        for pi in 0..<2 { for pj in 0..<2 { for f in 0..<o {
            var best = -Double.infinity
            for di in 0..<2 { for dj in 0..<2 { best = max(best, reference[((2 * pi + di) * w + 2 * pj + dj) * o + f]) } }
            XCTAssertEqual(Double(outputs[0].scalars[(pi * 2 + pj) * o + f]), best, accuracy: 1e-5)
        } } }
        let p = try Tensor.uniform([2, 3, 4], low: -1, high: 1)
        try p.setRequiresGrad(true)
        let seed = try Tensor.uniform([4, 2, 3])
        try (try p.permuted([2, 0, 1]) * seed).sum().backward()
        XCTAssertEqual(p.grad!.scalars, try seed.permuted([1, 2, 0]).scalars)
        XCTAssertThrowsError(try GraphModel(json: config.replacingOccurrences(of: #""padding": "same""#, with: #""padding": "full""#)))
        XCTAssertThrowsError(try GraphModel(json: config.replacingOccurrences(of: #""kernel_size": 3, "padding": "same""#, with: #""kernel_size": 9"#)))
    }
}

extension TrainerTests {
    func testEmbeddingLooksUpRowsAndTrains() throws {
        manualSeed(11)
        let config = #"""
        {"inputs": [{"name": "tokens", "shape": [3]}],
         "layers": [{"class_name": "Embedding", "name": "emb", "inbound": ["tokens"], "config": {"input_dim": 5, "output_dim": 2}},
                    {"class_name": "Flatten", "name": "flat", "inbound": ["emb"]},
                    {"class_name": "Dense", "name": "out", "inbound": ["flat"], "config": {"units": 1}}],
         "outputs": ["out", "emb"]}
        """#
        let model = try GraphModel(json: config)
        XCTAssertEqual(model.namedWeights[0].name, "emb/embeddings")
        let table = model.weights[0].scalars
        XCTAssertTrue(table.allSatisfy { abs($0) <= 0.05 })
        let looked = try model([try Tensor([4, 0, 2], shape: [1, 3])])[1]
        XCTAssertEqual(looked.shape, [1, 3, 2])
        XCTAssertEqual(looked.scalars, [table[8], table[9], table[0], table[1], table[4], table[5]])
        XCTAssertThrowsError(try model([try Tensor([5, 0, 2], shape: [1, 3])]))
        XCTAssertThrowsError(try model([try Tensor([0.5, 0, 2], shape: [1, 3])]))
        let trainer = try Trainer(model: model, optimizer: try SGD(parameters: model.weights, learningRate: 0.1),
                                  outputs: [OutputTraining(loss: .meanSquaredError), OutputTraining(loss: .meanSquaredError, lossWeight: 0)])
        let data = try TrainingData(inputs: [try Tensor([0, 1, 2, 3, 4, 0], shape: [2, 3])],
                                    targets: [try Tensor([1, -1], shape: [2, 1]), try Tensor.zeros([2, 3, 2])])
        let history = try trainer.fit(data, options: FitOptions(epochs: 30, batchSize: 2))
        XCTAssertLessThan(history.values["out_loss"]![29], history.values["out_loss"]![0])
    }
}
