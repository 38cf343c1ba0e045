import PolyheadC
import XCTest

/// `ph_set_anomaly_enabled` / `ph_is_anomaly_enabled`: the switch and the runtime error naming the op.
final class AnomalyABITests: ABITestCase {
    override func tearDown() {
        _ = ph_set_anomaly_enabled(nil, 0)
        super.tearDown()
    }

    func testSwitchReportsThePreviousSettingAndDefaultsToOff() {
        var state: Int32 = -1, previous: Int32 = -1
        assertOK(ph_is_anomaly_enabled(&state))
        XCTAssertEqual(state, 0)
        assertOK(ph_set_anomaly_enabled(&previous, 3))
        XCTAssertEqual(previous, 0)
        assertOK(ph_is_anomaly_enabled(&state))
        XCTAssertEqual(state, 1, "any non-zero value enables")
        assertOK(ph_set_anomaly_enabled(&previous, 0))
        XCTAssertEqual(previous, 1)
        assertStatus(Status.value, mentions: ["out"]) { ph_is_anomaly_enabled(nil) }
    }

    func testForwardAndBackwardAnomaliesAreRuntimeErrorsNamingTheOp() {
        let x = makeParameter([-1, 4], [2]), zero = makeParameter([0, 4], [2])
        var y: OpaquePointer?, root: OpaquePointer?, total: OpaquePointer?
        assertOK(ph_log(&y, x), "off: log of a negative number is NaN, silently")
        free(y)
        assertOK(ph_set_anomaly_enabled(nil, 1))
        y = nil
        assertStatus(Status.runtime, mentions: ["[log]", "forward", "nan"]) { ph_log(&y, x) }
        XCTAssertNil(y)
        assertOK(ph_sqrt(&root, zero))
        assertOK(ph_sum_all(&total, root))
        assertStatus(Status.runtime, mentions: ["[sqrt]", "backward", "inf", "input 0"]) {
            ph_tensor_backward(total, nil, 0)
        }
        free(x, zero, root, total)
    }
}
