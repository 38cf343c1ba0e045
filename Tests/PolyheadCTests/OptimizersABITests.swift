import PolyheadC
import XCTest

/// Optimizer lifecycle through the C ABI: create, step, zero_grad, learning rate, step count, free.
final class OptimizersABITests: ABITestCase {
    func testSGDLifecycle() {
        let w = makeParameter([1, -2], [2])
        var parameters: [OpaquePointer?] = [w]
        var optimizer: OpaquePointer?
        assertOK(ph_optimizer_sgd_new(&optimizer, &parameters, 1, 0.1, 0.9, 0, 0, 0))
        // loss = Σ w² → gradient 2w.
        for _ in 0..<2 {
            var square: OpaquePointer?, loss: OpaquePointer?
            assertOK(ph_optimizer_zero_grad(optimizer))
            XCTAssertNil(gradValues(w))
            assertOK(ph_mul(&square, w, w))
            assertOK(ph_sum_all(&loss, square))
            assertOK(ph_tensor_backward(loss, nil, 0))
            assertOK(ph_optimizer_step(optimizer))
            free(square, loss)
        }
        // Step 1: b = 2w = [2, −4], w = [0.8, −1.6]; step 2: g = [1.6, −3.2], b = 0.9b + g = [3.4, −6.8],
        // w = [0.46, −0.92].
        assertValues(values(w), [0.46, -0.92])
        var steps: Int64 = -1
        assertOK(ph_optimizer_step_count(&steps, optimizer))
        XCTAssertEqual(steps, 2)
        assertOK(ph_optimizer_free(optimizer))
        free(w)
    }

    func testAdamAndAdamWFirstStep() {
        for decoupled: Int32 in [0, 1] {
            let w = makeParameter([1, -2, 0.5], [3]), g = makeTensor([0.5, -1, 0.25], [3])
            var parameters: [OpaquePointer?] = [w]
            var optimizer: OpaquePointer?
            assertOK(ph_optimizer_adam_new(&optimizer, &parameters, 1, 0.1, 0.9, 0.999, 1e-8, 0, decoupled))
            assertOK(ph_tensor_set_grad(w, g))
            assertOK(ph_optimizer_step(optimizer))
            assertValues(values(w), [0.9, -1.9, 0.4], "first Adam step is ≈ −η·sign(g) (decoupled \(decoupled))")
            assertOK(ph_optimizer_free(optimizer))
            free(w, g)
        }
        // AdamW shrinks first: w(1 − ηλ) then the Adam step.
        let w = makeParameter([1], [1]), g = makeTensor([0.5], [1])
        var parameters: [OpaquePointer?] = [w]
        var optimizer: OpaquePointer?
        assertOK(ph_optimizer_adam_new(&optimizer, &parameters, 1, 0.1, 0.9, 0.999, 1e-8, 0.5, 1))
        assertOK(ph_tensor_set_grad(w, g))
        assertOK(ph_optimizer_step(optimizer))
        assertValues(values(w), [0.95 - 0.1])
        assertOK(ph_optimizer_free(optimizer))
        free(w, g)
    }

    func testLearningRateChange() {
        let w = makeParameter([1], [1]), g = makeTensor([1], [1])
        var parameters: [OpaquePointer?] = [w]
        var optimizer: OpaquePointer?
        assertOK(ph_optimizer_sgd_new(&optimizer, &parameters, 1, 0.1, 0, 0, 0, 0))
        assertOK(ph_tensor_set_grad(w, g))
        assertOK(ph_optimizer_set_learning_rate(optimizer, 0.5))
        assertOK(ph_optimizer_step(optimizer))
        assertValues(values(w), [0.5])
        for bad: Float in [-1, -.infinity, .nan, .infinity] {
            assertStatus(Status.value, mentions: ["learning rate"], "lr \(bad)") { ph_optimizer_set_learning_rate(optimizer, bad) }
        }
        assertOK(ph_optimizer_step(optimizer))
        assertValues(values(w), [0], "the rejected rates did not replace 0.5")
        assertOK(ph_optimizer_free(optimizer))
        free(w, g)
    }

    func testZeroLearningRateIsAcceptedLikePyTorch() {
        // torch.optim only rejects lr < 0; schedules may reach exactly 0.
        let w = makeParameter([1], [1]), g = makeTensor([1], [1])
        var parameters: [OpaquePointer?] = [w]
        var sgd: OpaquePointer?, adam: OpaquePointer?
        assertOK(ph_optimizer_sgd_new(&sgd, &parameters, 1, 0, 0, 0, 0, 0), "SGD lr = 0")
        assertOK(ph_optimizer_adam_new(&adam, &parameters, 1, 0, 0.9, 0.999, 1e-8, 0, 0), "Adam lr = 0")
        assertOK(ph_tensor_set_grad(w, g))
        if sgd != nil { assertOK(ph_optimizer_step(sgd)) }
        if adam != nil {
            assertOK(ph_optimizer_set_learning_rate(adam, 0.1))
            assertOK(ph_optimizer_set_learning_rate(adam, 0), "set_learning_rate(0)")
            assertOK(ph_optimizer_step(adam))
        }
        XCTAssertEqual(values(w), [1])
        _ = ph_optimizer_free(sgd)
        _ = ph_optimizer_free(adam)
        free(w, g)
    }

    func testParametersWithoutGradientAreSkipped() {
        let a = makeParameter([1], [1]), b = makeParameter([2], [1]), g = makeTensor([1], [1])
        var parameters: [OpaquePointer?] = [a, b]
        var optimizer: OpaquePointer?
        assertOK(ph_optimizer_adam_new(&optimizer, &parameters, 2, 0.1, 0.9, 0.999, 1e-8, 0, 0))
        assertOK(ph_tensor_set_grad(a, g))
        assertOK(ph_optimizer_step(optimizer))
        XCTAssertEqual(values(b), [2])
        assertValues(values(a), [0.9])
        assertOK(ph_optimizer_free(optimizer))
        free(a, b, g)
    }

    func testOptimizerRetainsItsParameters() {
        let w = makeParameter([1, 1], [2]), g = makeTensor([1, 1], [2])
        var parameters: [OpaquePointer?] = [w]
        var optimizer: OpaquePointer?
        assertOK(ph_optimizer_sgd_new(&optimizer, &parameters, 1, 0.25, 0, 0, 0, 0))
        assertOK(ph_tensor_set_grad(w, g))
        var data: UnsafeMutablePointer<Float>?
        assertOK(ph_tensor_data(&data, w))
        assertOK(ph_tensor_retain(w))
        free(w)
        assertOK(ph_optimizer_step(optimizer), "stepping after the caller dropped one reference")
        XCTAssertEqual(values(w), [0.75, 0.75])
        free(w)
        assertOK(ph_optimizer_step(optimizer), "the optimizer keeps its parameter alive")
        assertOK(ph_optimizer_free(optimizer))
        free(g)
    }

    func testInvalidHyperParameters() {
        let w = makeParameter([1], [1])
        var parameters: [OpaquePointer?] = [w]
        var out: OpaquePointer?
        assertStatus(Status.value, mentions: ["learning rate"]) { ph_optimizer_sgd_new(&out, &parameters, 1, -0.5, 0, 0, 0, 0) }
        assertStatus(Status.value, mentions: ["[SGD]"]) { ph_optimizer_sgd_new(&out, &parameters, 1, 0.1, -1, 0, 0, 0) }
        assertStatus(Status.value, mentions: ["[SGD]"]) { ph_optimizer_sgd_new(&out, &parameters, 1, 0.1, 0.9, 0, -0.1, 0) }
        assertStatus(Status.value, mentions: ["Nesterov"]) { ph_optimizer_sgd_new(&out, &parameters, 1, 0.1, 0, 0, 0, 1) }
        assertStatus(Status.value, mentions: ["[Adam]", "betas"]) { ph_optimizer_adam_new(&out, &parameters, 1, 0.1, 1, 0.999, 1e-8, 0, 0) }
        assertStatus(Status.value, mentions: ["[Adam]", "betas"]) { ph_optimizer_adam_new(&out, &parameters, 1, 0.1, 0.9, -0.5, 1e-8, 0, 1) }
        assertStatus(Status.value, mentions: ["[Adam]", "eps"]) { ph_optimizer_adam_new(&out, &parameters, 1, 0.1, 0.9, 0.999, -1, 0, 0) }
        assertStatus(Status.value, mentions: ["[Adam]"]) { ph_optimizer_adam_new(&out, &parameters, 1, 0.1, 0.9, 0.999, 1e-8, .nan, 0) }
        assertStatus(Status.value, mentions: ["learning rate"]) { ph_optimizer_adam_new(&out, &parameters, 1, .nan, 0.9, 0.999, 1e-8, 0, 0) }
        assertStatus(Status.value, mentions: ["negative count"]) { ph_optimizer_sgd_new(&out, &parameters, -1, 0.1, 0, 0, 0, 0) }
        XCTAssertNil(out)
        free(w)
    }

    func testEmptyParameterListIsAnError() {
        var optimizer: OpaquePointer?
        assertStatus(Status.value, mentions: ["empty parameter list"]) { ph_optimizer_sgd_new(&optimizer, nil, 0, 0.1, 0, 0, 0, 0) }
        assertStatus(Status.value, mentions: ["empty parameter list"]) {
            ph_optimizer_adam_new(&optimizer, nil, 0, 0.1, 0.9, 0.999, 1e-8, 0, 0)
        }
        XCTAssertNil(optimizer)
    }

    func testOptimizerIsOneLiveObject() {
        let w = makeParameter([1], [1])
        var parameters: [OpaquePointer?] = [w]
        let baseline = liveObjects()
        var optimizer: OpaquePointer?
        assertOK(ph_optimizer_sgd_new(&optimizer, &parameters, 1, 0.1, 0.9, 0, 0, 0))
        XCTAssertEqual(liveObjects(), baseline + 1 + 1, "the optimizer and its momentum buffer")
        assertOK(ph_optimizer_step(optimizer), "a step with no gradient does nothing")
        XCTAssertEqual(values(w), [1])
        assertOK(ph_optimizer_zero_grad(optimizer))
        assertOK(ph_optimizer_free(optimizer))
        XCTAssertEqual(liveObjects(), baseline)
        free(w)
    }
}
