import PolyheadC
import XCTest

/// The Keras additions of the C ABI: models sharing weights (`ph_model_new_sharing`), calls with frozen layers
/// (`ph_model_call_frozen`) and per-sample Keras losses (`ph_keras_loss_per_sample`), with their errors, no leaks.
final class KerasABITests: ABITestCase {
    private let config = #"""
    {"inputs": [{"name": "x", "shape": [2]}],
     "layers": [{"class_name": "Dense", "name": "h", "inbound": ["x"], "config": {"units": 3}}],
     "outputs": ["h"]}
    """#

    func testModelNewSharingUsesTheGivenWeight() {
        let kernel = makeParameter([1, 2, 3, 4, 5, 6], [2, 3]), wrong = makeParameter([1, 2], [1, 2])
        var model: OpaquePointer?
        "h/kernel".withCString { key in
            var names: [UnsafePointer<CChar>?] = [key]
            var tensors = [kernel]
            assertOK(ph_model_new_sharing(&model, config, &names, &tensors, 1))
            var other: OpaquePointer?
            tensors = [wrong]
            assertStatus(1, mentions: ["weight 'h/kernel' to share has shape (1, 2), the layer needs (2, 3)"]) {
                ph_model_new_sharing(&other, config, &names, &tensors, 1)
            }
            assertStatus(1, mentions: ["names is NULL"]) { ph_model_new_sharing(&other, config, nil, &tensors, 1) }
        }
        var weight: OpaquePointer?, name: UnsafePointer<CChar>?
        assertOK(ph_model_weight(&weight, &name, model, 0))
        XCTAssertEqual(values(weight), [1, 2, 3, 4, 5, 6])
        free(weight, kernel, wrong)
        _ = ph_model_free(model)
    }

    func testModelCallFrozenNamesLayersAndRefusesUnknownOnes() {
        var model: OpaquePointer?
        assertOK(ph_model_new(&model, config))
        var inputs = [makeTensor([1, 2], [1, 2])]
        var outputs: [OpaquePointer?] = [nil]
        "h".withCString { known in
            "nope".withCString { unknown in
                var names: [UnsafePointer<CChar>?] = [known]
                assertOK(ph_model_call_frozen(&outputs, model, &inputs, 1, 1, &names, 1))
                XCTAssertEqual(shape(outputs[0]), [1, 3])
                names = [unknown]
                var more: [OpaquePointer?] = [nil]
                assertStatus(1, mentions: ["frozen layer 'nope' is not a layer of the model"]) {
                    ph_model_call_frozen(&more, model, &inputs, 1, 1, &names, 1)
                }
            }
        }
        free(inputs[0], outputs[0])
        _ = ph_model_free(model)
    }

    func testKerasLossPerSample() {
        let target = makeTensor([0, 1, 1, 0], [2, 2]), output = makeTensor([0.5, 1, 3, 0], [2, 2])
        var losses: OpaquePointer?
        assertOK(ph_keras_loss_per_sample(&losses, #"{"loss": "mse"}"#, target, output))
        XCTAssertEqual(shape(losses), [2])
        XCTAssertEqual(values(losses), [0.125, 2])
        var bad: OpaquePointer?
        assertStatus(1, mentions: ["unknown loss 'msee'"]) { ph_keras_loss_per_sample(&bad, #"{"loss": "msee"}"#, target, output) }
        assertStatus(1, mentions: ["y_pred is NULL"]) { ph_keras_loss_per_sample(&bad, #"{"loss": "mse"}"#, target, nil) }
        free(target, output, losses)
    }
}
