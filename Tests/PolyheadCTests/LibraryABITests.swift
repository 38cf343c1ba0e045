import Foundation
import PolyheadC
import XCTest

/// Errors, status strings and library-wide state through the C ABI.
final class LibraryABITests: ABITestCase {
    func testStatusStrings() {
        let expected = ["ok", "value error", "type error", "index error", "memory error", "io error", "runtime error"]
        for (code, name) in expected.enumerated() {
            XCTAssertEqual(String(cString: ph_status_string(Int32(code))), name)
        }
        for unknown: Int32 in [-1, 7, 100, .min, .max] {
            XCTAssertEqual(String(cString: ph_status_string(unknown)), "unknown status", "code \(unknown)")
        }
    }

    func testStatusCodesMapAsTheHeaderSays() {
        let a = makeTensor([1, 2, 3, 4, 5, 6], [2, 3]), b = makeTensor([1, 2], [2])
        var out: OpaquePointer?
        // value: shapes and bad values
        assertStatus(Status.value, mentions: ["[add]", "(2, 3)", "(2,)"]) { ph_add(&out, a, b) }
        assertStatus(Status.value, mentions: ["[matmul]", "inner dimensions differ", "(2, 3)"]) { ph_matmul(&out, a, a, 0, 0) }
        assertStatus(Status.value, mentions: ["[softmax]", "axis 0"]) { ph_softmax(&out, a, 0) }
        assertStatus(Status.value, mentions: ["invalid reduction 7"]) { ph_mse_loss(&out, a, a, nil, 7) }
        // index: axes, indices, labels
        assertStatus(Status.index, mentions: ["[sum]", "axis 2"]) { ph_sum(&out, a, 2, 0) }
        assertStatus(Status.index, mentions: ["[index_select]", "9"]) { ph_index_select(&out, a, [9], 1) }
        assertStatus(Status.index, mentions: ["[cross_entropy]", "target 3", "3 classes"]) { ph_cross_entropy(&out, a, [3, 0], 2, nil, 1) }
        // runtime: invalid state
        assertStatus(Status.runtime, mentions: ["[backward]"]) { ph_tensor_backward(a, nil, 0) }
        let p = makeParameter([1, 2], [2])
        var doubled: OpaquePointer?
        assertOK(ph_mul(&doubled, p, p))
        assertStatus(Status.runtime, mentions: ["[backward]", "(2,)"]) { ph_tensor_backward(doubled, nil, 0) }
        assertStatus(Status.runtime, mentions: ["[requires_grad]"]) { ph_tensor_set_requires_grad(doubled, 0) }
        assertStatus(Status.runtime, mentions: ["[copy_]"]) { ph_tensor_copy_(p, b) }
        // memory: too large
        assertStatus(Status.memory, mentions: ["[full]", "(1099511627776, 1099511627776)"]) {
            ph_tensor_full(&out, [1 << 40, 1 << 40], 2, 0)
        }
        assertStatus(Status.memory, mentions: ["[randn]"]) { ph_tensor_randn(&out, [Int64.max, 2], 2) }
        assertStatus(Status.memory) { ph_linear_init(&out, &doubled, 1 << 40, 1 << 40, 1) }
        assertStatus(Status.memory, mentions: ["[arange]"]) { ph_tensor_arange(&out, 0, 1e300, 1) }
        XCTAssertNil(out)
        free(a, b, p, doubled)
    }

    func testLastErrorIsThreadLocal() {
        let a = makeTensor([1], [1])
        var out: OpaquePointer?
        XCTAssertEqual(ph_sum(&out, a, 5, 0), Status.index)
        let mainMessage = lastError()
        final class Box: @unchecked Sendable { var before = "", after = "" }
        let box = Box()
        let done = expectation(description: "thread")
        let thread = Thread {
            box.before = String(cString: ph_last_error())
            var other: OpaquePointer?
            _ = ph_add(&other, nil, nil)
            box.after = String(cString: ph_last_error())
            done.fulfill()
        }
        thread.start()
        wait(for: [done], timeout: 10)
        XCTAssertEqual(box.before, "", "a new thread has no last error")
        XCTAssertTrue(box.after.contains("NULL"), box.after)
        XCTAssertEqual(lastError(), mainMessage, "another thread's failure replaced this thread's message")
        free(a)
    }

    func testLastErrorIsReplacedByTheNextFailure() {
        var out: OpaquePointer?
        let a = makeTensor([1, 2], [2])
        _ = ph_sum(&out, a, 3, 0)
        XCTAssertTrue(lastError().contains("axis 3"))
        _ = ph_reshape(&out, a, [5], 1)
        XCTAssertTrue(lastError().contains("(5,)"), lastError())
        XCTAssertFalse(lastError().contains("axis 3"))
        free(a)
    }

    func testManualSeedReproducesStreams() {
        XCTAssertEqual(ph_manual_seed(11), Status.ok)
        var first: OpaquePointer?, second: OpaquePointer?
        assertOK(ph_tensor_randn(&first, [5], 1))
        XCTAssertEqual(ph_manual_seed(11), Status.ok)
        assertOK(ph_tensor_randn(&second, [5], 1))
        XCTAssertEqual(values(first), values(second))
        var zero: OpaquePointer?
        XCTAssertEqual(ph_manual_seed(0), Status.ok)
        assertOK(ph_tensor_uniform(&zero, [1], 1, 0, 1))
        XCTAssertEqual(values(zero), [0.8833107948303223], "SplitMix64 from state 0")
        free(first, second, zero)
    }

    func testRandomPermutation() {
        var first = [Int64](repeating: -1, count: 50), second = first
        XCTAssertEqual(ph_manual_seed(4), Status.ok)
        assertOK(ph_random_permutation(&first, 50, nil))
        XCTAssertEqual(ph_manual_seed(4), Status.ok)
        assertOK(ph_random_permutation(&second, 50, nil))
        XCTAssertEqual(first, second)
        XCTAssertEqual(first.sorted(), (0..<50).map(Int64.init))
        assertOK(ph_random_permutation(nil, 0, nil))
        XCTAssertEqual(ph_random_permutation(&first, -1, nil), Status.value)
        XCTAssertTrue(lastError().contains("-1"), lastError())
        XCTAssertEqual(ph_random_permutation(nil, 3, nil), Status.value)
    }

    func testRandomPermutationFromACallerHeldState() {
        var global = [Int64](repeating: -1, count: 40), own = global, next = global
        XCTAssertEqual(ph_manual_seed(9), Status.ok)
        assertOK(ph_random_permutation(&global, 40, nil))
        var state: UInt64 = 9
        assertOK(ph_random_permutation(&own, 40, &state))
        XCTAssertEqual(own, global, "a state seeded like ph_manual_seed draws the same stream")
        XCTAssertNotEqual(state, 9, "the state advances")
        assertOK(ph_random_permutation(&next, 40, &state))
        XCTAssertNotEqual(next, own)
        assertOK(ph_random_permutation(&global, 40, nil))
        XCTAssertEqual(next, global, "the global generator was not touched by the state's draws")
    }

    func testGradEnabledSwitch() {
        var state: Int32 = -1, previous: Int32 = -1
        assertOK(ph_is_grad_enabled(&state))
        XCTAssertEqual(state, 1)
        assertOK(ph_set_grad_enabled(&previous, 0))
        XCTAssertEqual(previous, 1)
        assertOK(ph_is_grad_enabled(&state))
        XCTAssertEqual(state, 0)
        let p = makeParameter([1, 2], [2])
        var y: OpaquePointer?
        assertOK(ph_exp(&y, p))
        var requires: Int32 = -1
        assertOK(ph_tensor_requires_grad(&requires, y))
        XCTAssertEqual(requires, 0, "nothing is recorded with grad disabled")
        assertOK(ph_set_grad_enabled(&previous, 2))
        XCTAssertEqual(previous, 0)
        assertOK(ph_is_grad_enabled(&state))
        XCTAssertEqual(state, 1, "any non-zero value enables")
        var z: OpaquePointer?
        assertOK(ph_exp(&z, p))
        assertOK(ph_tensor_requires_grad(&requires, z))
        XCTAssertEqual(requires, 1)
        free(p, y, z)
    }

    func testNumThreads() {
        var before: Int32 = 0, now: Int32 = 0
        assertOK(ph_get_num_threads(&before))
        XCTAssertGreaterThanOrEqual(before, 1)
        assertOK(ph_set_num_threads(1))
        assertOK(ph_get_num_threads(&now))
        XCTAssertEqual(now, 1)
        assertStatus(Status.value, mentions: ["0"]) { ph_set_num_threads(0) }
        assertStatus(Status.value, mentions: ["-2"]) { ph_set_num_threads(-2) }
        assertOK(ph_set_num_threads(before))
    }

    func testDebugLiveObjectsReturnsToBaseline() {
        let baseline = liveObjects()
        XCTAssertGreaterThanOrEqual(baseline, 0)
        let x = makeParameter([1, 2, 3], [3])
        var y: OpaquePointer?, loss: OpaquePointer?, grad: OpaquePointer?
        assertOK(ph_mul(&y, x, x))
        assertOK(ph_sum_all(&loss, y))
        XCTAssertGreaterThan(liveObjects(), baseline)
        assertOK(ph_tensor_backward(loss, nil, 1))
        assertOK(ph_tensor_grad(&grad, x))
        XCTAssertEqual(values(grad), [2, 4, 6])
        free(loss, y, grad)
        XCTAssertGreaterThan(liveObjects(), baseline, "x (and its gradient) are still alive")
        free(x)
        XCTAssertEqual(liveObjects(), baseline)
    }
}
