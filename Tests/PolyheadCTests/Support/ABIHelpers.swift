// Helpers for calling the C ABI (`ph_*`) from XCTest: status assertions, tensor construction and reading
// through handles only, and a leak baseline.

import PolyheadC
import XCTest

/// Status codes from `polyhead.h`.
enum Status {
    static let ok: Int32 = 0, value: Int32 = 1, type: Int32 = 2, index: Int32 = 3, memory: Int32 = 4
    static let io: Int32 = 5, runtime: Int32 = 6
}

/// The message behind `ph_last_error()`.
func lastError() -> String { String(cString: ph_last_error()) }

/// Asserts that a call succeeded, printing `ph_last_error()` otherwise.
func assertOK(_ status: Int32, _ label: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(status, Status.ok, "\(label): \(lastError())", file: file, line: line)
}

/// Asserts that a call failed with `expected` and that `ph_last_error()` was set by this call (it is reset
/// to a marker message first) and mentions every string in `mentions`.
func assertStatus(
    _ expected: Int32, mentions: [String] = [], _ label: String = "",
    file: StaticString = #filePath, line: UInt = #line, _ call: () -> Int32
) {
    resetLastError()
    let status = call()
    XCTAssertEqual(status, expected, "\(label): status \(status) (\(String(cString: ph_status_string(status)))),"
                   + " message: \(lastError())", file: file, line: line)
    let message = lastError()
    XCTAssertFalse(message.isEmpty || message == lastErrorMarker,
                   "\(label): ph_last_error() was not set by the failing call", file: file, line: line)
    for fragment in mentions {
        XCTAssertTrue(message.contains(fragment), "\(label): message \"\(message)\" does not mention \"\(fragment)\"",
                      file: file, line: line)
    }
}

/// The message a deliberately failing call leaves, so tests can see that the next failure replaces it.
let lastErrorMarker = "[split] sizes [7] do not add up to 1 (axis 0 of (1,))"

/// Sets ph_last_error() to a known message by making a call fail on purpose.
func resetLastError() {
    var shape: [Int64] = [1]
    var handle: OpaquePointer?
    var value: Float = 0
    _ = ph_tensor_new(&handle, &value, 1, &shape, 1)
    var sizes: [Int64] = [7]
    var piece: OpaquePointer?
    _ = ph_split(&piece, handle, &sizes, 1, 0)
    _ = ph_tensor_free(handle)
}

/// Creates a tensor through `ph_tensor_new`, failing the test on error.
func makeTensor(_ values: [Float], _ shape: [Int64], file: StaticString = #filePath, line: UInt = #line) -> OpaquePointer? {
    var handle: OpaquePointer?
    var dims = shape
    let status = values.withUnsafeBufferPointer { data in
        dims.withUnsafeMutableBufferPointer { ph_tensor_new(&handle, data.baseAddress, Int64(values.count), $0.baseAddress, Int32(shape.count)) }
    }
    XCTAssertEqual(status, Status.ok, "ph_tensor_new: \(lastError())", file: file, line: line)
    return handle
}

/// A tensor that requires grad.
func makeParameter(_ values: [Float], _ shape: [Int64], file: StaticString = #filePath, line: UInt = #line) -> OpaquePointer? {
    let handle = makeTensor(values, shape, file: file, line: line)
    assertOK(ph_tensor_set_requires_grad(handle, 1), "set_requires_grad", file: file, line: line)
    return handle
}

/// The elements of a tensor, read through `ph_tensor_numel` and `ph_tensor_data`.
func values(_ handle: OpaquePointer?, file: StaticString = #filePath, line: UInt = #line) -> [Float] {
    var count: Int64 = 0
    var data: UnsafeMutablePointer<Float>?
    assertOK(ph_tensor_numel(&count, handle), "numel", file: file, line: line)
    assertOK(ph_tensor_data(&data, handle), "data", file: file, line: line)
    guard let data else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: Int(count)))
}

/// The shape of a tensor, read through `ph_tensor_ndim` and `ph_tensor_shape`.
func shape(_ handle: OpaquePointer?, file: StaticString = #filePath, line: UInt = #line) -> [Int64] {
    var rank: Int32 = 0
    assertOK(ph_tensor_ndim(&rank, handle), "ndim", file: file, line: line)
    var dims = [Int64](repeating: -1, count: Int(rank))
    assertOK(dims.withUnsafeMutableBufferPointer { ph_tensor_shape($0.baseAddress, rank, handle) }, "shape",
             file: file, line: line)
    return dims
}

/// The gradient of a tensor (freed after reading), or nil.
func gradValues(_ handle: OpaquePointer?, file: StaticString = #filePath, line: UInt = #line) -> [Float]? {
    var grad: OpaquePointer?
    assertOK(ph_tensor_grad(&grad, handle), "grad", file: file, line: line)
    guard let grad else { return nil }
    defer { _ = ph_tensor_free(grad) }
    return values(grad, file: file, line: line)
}

/// Asserts elementwise closeness of two float arrays.
func assertValues(
    _ actual: [Float], _ expected: [Double], tolerance: Double = 1e-5, _ label: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "\(label): \(actual) vs \(expected)", file: file, line: line)
    for (a, e) in zip(actual, expected) where !(abs(Double(a) - e) <= tolerance * max(1, abs(e))) || (a.isNaN != e.isNaN) {
        return XCTFail("\(label): \(actual) vs expected \(expected)", file: file, line: line)
    }
}

/// The number of live library objects.
func liveObjects() -> Int64 {
    var count: Int64 = -1
    _ = ph_debug_live_objects(&count)
    return count
}

/// Frees every handle (NULLs are fine).
func free(_ handles: OpaquePointer?...) { for handle in handles { _ = ph_tensor_free(handle) } }

/// Base class that checks every test leaves the live-object count where it found it.
class ABITestCase: XCTestCase {
    private var baseline: Int64 = 0

    override func setUp() {
        super.setUp()
        var previous: Int32 = 0
        _ = ph_set_grad_enabled(&previous, 1)
        baseline = liveObjects()
    }

    override func tearDown() {
        XCTAssertEqual(liveObjects(), baseline, "live objects leaked by \(name)")
        super.tearDown()
    }
}
