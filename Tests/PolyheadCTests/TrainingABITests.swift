import PolyheadC
import XCTest

/// Keras-style models and training through the C ABI: build, weights, call, compile, fit with a callback
/// (and a stop request), evaluate, predict, errors, no leaks.
final class TrainingABITests: ABITestCase {
    private let config = #"""
    {"inputs": [{"name": "x", "shape": [2]}],
     "layers": [{"class_name": "Dense", "name": "h", "inbound": ["x"], "config": {"units": 3, "activation": "tanh"}},
                {"class_name": "Dense", "name": "y", "inbound": ["h"], "config": {"units": 1}},
                {"class_name": "Dense", "name": "z", "inbound": ["h"], "config": {"units": 1, "activation": "sigmoid"}}],
     "outputs": ["y", "z"]}
    """#

    private final class Recorder {
        var events: [Int32] = []
        var names: [String] = []
        var stopAt: Int64 = -1
    }

    func testBuildFitEvaluatePredict() throws {
        var model: OpaquePointer?
        assertOK(ph_model_new(&model, config))
        var count: Int32 = 0
        assertOK(ph_model_weight_count(&count, model))
        XCTAssertEqual(count, 6)
        var weights: [OpaquePointer?] = []
        for index in 0..<count {
            var weight: OpaquePointer?, name: UnsafePointer<CChar>?
            assertOK(ph_model_weight(&weight, &name, model, index))
            if index == 0 { XCTAssertEqual(String(cString: name!), "h/kernel"); XCTAssertEqual(shape(weight), [2, 3]) }
            weights.append(weight)
        }
        var optimizer: OpaquePointer?
        assertOK(ph_optimizer_adam_new(&optimizer, &weights, count, 0.05, 0.9, 0.999, 1e-8, 0, 0))
        var trainer: OpaquePointer?
        let compile = #"{"outputs": [{"loss": "mse", "metrics": ["mae"]}, {"loss": "binary_crossentropy", "loss_weight": 0.5, "metrics": ["accuracy"]}]}"#
        assertOK(ph_trainer_new(&trainer, model, compile, optimizer, nil))
        let n = 16
        let x = makeTensor((0..<(2 * n)).map { Float($0 % 7) / 7 - 0.4 }, [Int64(n), 2])
        let y = makeTensor((0..<n).map { Float($0 % 3) / 3 }, [Int64(n), 1])
        let z = makeTensor((0..<n).map { Float($0 % 2) }, [Int64(n), 1])
        var inputs: [OpaquePointer?] = [x], targets: [OpaquePointer?] = [y, z]
        let recorder = Recorder()
        recorder.stopAt = 2
        let context = Unmanaged.passRetained(recorder).toOpaque()
        var history: UnsafePointer<CChar>?
        assertOK(ph_trainer_fit(&history, trainer, &inputs, 1, &targets, 2, nil, nil, 0, nil, 0, nil,
                                #"{"epochs": 4, "batch_size": 4, "validation_split": 0.25}"#,
                                { context, event, epoch, _, count, names, _ in
                                    let recorder = Unmanaged<Recorder>.fromOpaque(context!).takeUnretainedValue()
                                    recorder.events.append(event)
                                    if event == 3 { recorder.names = (0..<Int(count)).map { String(cString: names![$0]!) } }
                                    return event == 3 && epoch == recorder.stopAt ? 1 : 0
                                }, context))
        Unmanaged<Recorder>.fromOpaque(context).release()
        let text = String(cString: history!)
        XCTAssertTrue(text.hasPrefix(#"{"epochs":3,"stopped":true,"history":{"loss":["#), text)
        XCTAssertEqual(recorder.names, ["loss", "y_loss", "z_loss", "y_mae", "z_accuracy", "y_weight", "z_weight",
                                        "val_loss", "val_y_loss", "val_z_loss", "val_y_mae", "val_z_accuracy"])
        XCTAssertEqual(recorder.events.first, 0)
        XCTAssertEqual(recorder.events.last, 4)
        var logs: UnsafePointer<CChar>?
        assertOK(ph_trainer_evaluate(&logs, trainer, &inputs, 1, &targets, 2, nil, 5))
        XCTAssertTrue(String(cString: logs!).hasPrefix(#"{"loss":"#))
        var outputs: [OpaquePointer?] = [nil, nil]
        assertOK(ph_model_predict(&outputs, model, &inputs, 1, 5))
        XCTAssertEqual(shape(outputs[0]), [Int64(n), 1])
        var direct: [OpaquePointer?] = [nil, nil]
        assertOK(ph_model_call(&direct, model, &inputs, 1, 0))
        XCTAssertEqual(values(outputs[1]), values(direct[1]))
        // errors
        var short: [OpaquePointer?] = [y, makeTensor([1, 0], [2, 1])]
        assertStatus(1, mentions: ["(2, 1)"]) {
            ph_trainer_fit(&history, trainer, &inputs, 1, &short, 2, nil, nil, 0, nil, 0, nil, "{}", nil, nil)
        }
        var broken: OpaquePointer?
        assertStatus(1, mentions: ["JSON"]) { ph_model_new(&broken, "{") }
        free(short[1])
        free(outputs[0], outputs[1], direct[0], direct[1], x, y, z)
        weights.forEach { free($0) }
        assertOK(ph_trainer_free(trainer))
        assertOK(ph_optimizer_free(optimizer))
        assertOK(ph_model_free(model))
    }

    func testTrainableWeightsComeFirstAndTheMovingStatisticsAfter() throws {
        var model: OpaquePointer?
        assertOK(ph_model_new(&model, #"""
        {"inputs": [{"name": "x", "shape": [3]}],
         "layers": [{"class_name": "BatchNormalization", "name": "bn", "inbound": ["x"]}],
         "outputs": ["bn"]}
        """#))
        var count: Int32 = 0, trainable: Int32 = 0
        assertOK(ph_model_weight_count(&count, model))
        assertOK(ph_model_trainable_weight_count(&trainable, model))
        XCTAssertEqual([count, trainable], [4, 2])
        var names: [String] = []
        for index in 0..<count {
            var weight: OpaquePointer?, name: UnsafePointer<CChar>?
            assertOK(ph_model_weight(&weight, &name, model, index))
            names.append(String(cString: name!))
            free(weight)
        }
        XCTAssertEqual(names, ["bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"])
        assertStatus(1, mentions: ["model is NULL"]) { ph_model_trainable_weight_count(&trainable, nil) }
        assertOK(ph_model_free(model))
    }
}
