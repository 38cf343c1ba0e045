import PolyheadC
import XCTest

/// The loss entry points: values for each reduction code, gradients, and their errors.
final class LossesABITests: ABITestCase {
    private func loss(
        _ label: String, file: StaticString = #filePath, line: UInt = #line,
        _ call: (UnsafeMutablePointer<OpaquePointer?>) -> Int32
    ) -> [Float] {
        var out: OpaquePointer?
        assertOK(call(&out), label, file: file, line: line)
        defer { free(out) }
        return values(out, file: file, line: line)
    }

    func testPairLossesForEveryReduction() {
        let x = makeTensor([1, 2, 3], [3]), t = makeTensor([1, 0, 5], [3])
        let p = makeTensor([0.2, 0.9, 0.5], [3]), y = makeTensor([0, 1, 1], [3])
        defer { free(x, t, p, y) }
        assertValues(loss("mse none") { ph_mse_loss($0, x, t, nil, 0) }, [0, 4, 4])
        assertValues(loss("mse mean") { ph_mse_loss($0, x, t, nil, 1) }, [8.0 / 3])
        assertValues(loss("mse sum") { ph_mse_loss($0, x, t, nil, 2) }, [8])
        assertValues(loss("l1 none") { ph_l1_loss($0, x, t, nil, 0) }, [0, 2, 2])
        assertValues(loss("l1 mean") { ph_l1_loss($0, x, t, nil, 1) }, [4.0 / 3])
        assertValues(loss("bce mean") { ph_binary_cross_entropy($0, p, y, nil, 1) }, [0.3405504158])
        assertValues(loss("bce sum") { ph_binary_cross_entropy($0, p, y, nil, 2) }, [1.0216512475])
        assertValues(loss("bce with logits none") { ph_binary_cross_entropy_with_logits($0, x, y, nil, 0) },
                     [1.3132616875, 0.1269280110, 0.0485873516])
    }

    func testClassLosses() {
        let logits = makeTensor([1, 2, 3, 1, 1, 1], [2, 3])
        defer { free(logits) }
        assertValues(loss("ce none") { ph_cross_entropy($0, logits, [2, 0], 2, nil, 0) }, [0.4076059644, 1.0986122887])
        assertValues(loss("ce mean") { ph_cross_entropy($0, logits, [2, 0], 2, nil, 1) }, [0.7531091266])
        assertValues(loss("nll sum") { ph_nll_loss($0, logits, [2, 0], 2, nil, 2) }, [-4])
    }

    func testCrossEntropyGradientThroughTheABI() {
        let logits = makeParameter([0, 0, 0, 0], [2, 2])
        var out: OpaquePointer?
        assertOK(ph_cross_entropy(&out, logits, [1, 0], 2, nil, 2))
        assertOK(ph_tensor_backward(out, nil, 0))
        XCTAssertEqual(gradValues(logits), [0.5, -0.5, -0.5, 0.5])
        free(logits, out)
    }

    func testLossErrors() {
        let a = makeTensor([0.5, 0.5], [2]), b = makeTensor([1, 1, 1], [3]), logits = makeTensor([0, 0, 0, 0, 0, 0], [2, 3])
        let bad = makeTensor([1.5, 0.5], [2])
        defer { free(a, b, logits, bad) }
        var out: OpaquePointer?
        assertStatus(Status.value, mentions: ["[mse_loss]", "(2,)", "(3,)"]) { ph_mse_loss(&out, a, b, nil, 1) }
        assertStatus(Status.value, mentions: ["[l1_loss]", "(2,)", "(3,)"]) { ph_l1_loss(&out, a, b, nil, 1) }
        assertStatus(Status.value, mentions: ["[binary_cross_entropy]", "1.5"]) { ph_binary_cross_entropy(&out, bad, a, nil, 1) }
        assertStatus(Status.value, mentions: ["[binary_cross_entropy_with_logits]"]) { ph_binary_cross_entropy_with_logits(&out, a, b, nil, 1) }
        for code: Int32 in [-1, 3, 100] {
            assertStatus(Status.value, mentions: ["invalid reduction \(code)"]) { ph_mse_loss(&out, a, a, nil, code) }
            assertStatus(Status.value, mentions: ["invalid reduction \(code)"]) { ph_cross_entropy(&out, logits, [0, 1], 2, nil, code) }
        }
        assertStatus(Status.index, mentions: ["[cross_entropy]", "target 3"]) { ph_cross_entropy(&out, logits, [3, 0], 2, nil, 1) }
        assertStatus(Status.index, mentions: ["[nll_loss]", "target -1"]) { ph_nll_loss(&out, logits, [0, -1], 2, nil, 1) }
        assertStatus(Status.index, mentions: ["[cross_entropy]"]) { ph_cross_entropy(&out, logits, [Int64.max, 0], 2, nil, 1) }
        assertStatus(Status.value, mentions: ["[cross_entropy]", "1 targets", "(2, 3)"]) { ph_cross_entropy(&out, logits, [0], 1, nil, 1) }
        assertStatus(Status.value, mentions: ["negative count"]) { ph_nll_loss(&out, logits, [0, 0], -2, nil, 1) }
        XCTAssertNil(out)
    }
}
