import Foundation
import PolyheadC
import XCTest

/// Inputs that could make the library trap (integer overflow, out-of-range access) or spin: each runs in a
/// child process (this test binary, running only `testProbe`), and the child must exit normally within a few
/// seconds. A trap kills Python with SIGILL, so none of these may crash — they must return a status.
final class NoTrapTests: XCTestCase {
    private static let probeVariable = "POLYHEAD_TRAP_PROBE"

    /// A zero-element tensor whose other dimensions are huge (allowed: it holds no data).
    private static func hollow(_ shape: [Int64]) -> OpaquePointer? {
        var handle: OpaquePointer?
        _ = ph_tensor_full(&handle, shape, Int32(shape.count), 0)
        return handle
    }

    /// name → the call to make in the child. Every call's result is ignored: only a trap or a hang fails.
    private static let probes: [String: () -> Void] = [
        "split sizes overflow Int": {
            let a = hollow([3])
            var outs = [OpaquePointer?](repeating: nil, count: 2)
            _ = ph_split(&outs, a, [Int64.max, 4], 2, 0)
        },
        "concat lengths overflow Int": {
            var parts: [OpaquePointer?] = [hollow([1 << 62, 0]), hollow([1 << 62, 0])]
            var out: OpaquePointer?
            _ = ph_concat(&out, &parts, 2, 0)
        },
        "sum over a hollow tensor with huge inner dims": {
            var out: OpaquePointer?
            _ = ph_sum(&out, hollow([0, 1 << 40, 1 << 40]), 0, 0)
        },
        "max over a hollow tensor with huge outer dims": {
            var out: OpaquePointer?
            _ = ph_max(&out, hollow([1 << 40, 1 << 40, 0]), 2, 0)
        },
        "broadcast against a hollow tensor with huge dims": {
            var out: OpaquePointer?
            _ = ph_add(&out, hollow([0, 1 << 40, 1 << 40]), hollow([1 << 40]))
        },
        "transpose of (2^62, 0)": {
            var out: OpaquePointer?
            _ = ph_transpose(&out, hollow([1 << 62, 0]))
        },
        "sum over the long axis of (2^62, 0)": {
            var out: OpaquePointer?
            _ = ph_sum(&out, hollow([1 << 62, 0]), 0, 0)
        },
        "index_select with Int64 extremes": {
            var out: OpaquePointer?
            _ = ph_index_select(&out, hollow([3, 2]), [Int64.min, Int64.max], 2)
        },
        "reshape with huge dimensions": {
            var out: OpaquePointer?
            _ = ph_reshape(&out, hollow([4]), [-1, Int64.max, Int64.max], 3)
            _ = ph_reshape(&out, hollow([0]), [Int64.max, Int64.max, 0], 3)
        },
        "arange with an extreme range": {
            var out: OpaquePointer?
            _ = ph_tensor_arange(&out, -1e308, 1e308, 1e-300)
            _ = ph_tensor_arange(&out, 0, 1, 1e-300)
        },
        "shapes at Int64 extremes": {
            var out: OpaquePointer?
            var bias: OpaquePointer?
            _ = ph_tensor_full(&out, [Int64.min], 1, 0)
            _ = ph_tensor_randn(&out, [Int64.max, Int64.max], 2)
            _ = ph_tensor_uniform(&out, [1 << 32, 1 << 32, 1 << 32], 3, 0, 1)
            _ = ph_linear_init(&out, &bias, Int64.max, Int64.max, 1)
            _ = ph_linear_init(&out, &bias, Int64.min, 2, 1)
        },
        "axes at Int32 extremes": {
            var out: OpaquePointer?
            let a = hollow([2, 3])
            _ = ph_sum(&out, a, .min, 0)
            _ = ph_max(&out, a, .max, 1)
            _ = ph_softmax(&out, a, .min)
            var outs = [OpaquePointer?](repeating: nil, count: 1)
            _ = ph_split(&outs, a, [2], 1, .min)
        },
        "cross_entropy labels at Int64 extremes": {
            var out: OpaquePointer?
            _ = ph_cross_entropy(&out, hollow([2, 3]), [Int64.min, Int64.max], 2, nil, 1)
            _ = ph_nll_loss(&out, hollow([2, 3]), [Int64.min, 0], 2, nil, 0)
        },
    ]

    /// Runs one probe when this process was started as a probe child; otherwise does nothing.
    func testProbe() {
        guard let name = ProcessInfo.processInfo.environment[Self.probeVariable] else { return }
        Self.probes[name]?()
    }

    func testNoInputTrapsOrHangs() throws {
        guard ProcessInfo.processInfo.environment[Self.probeVariable] == nil else { return }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        for name in Self.probes.keys.sorted() {
            let process = Process()
            process.executableURL = executable
            process.arguments = ["PolyheadCTests.NoTrapTests/testProbe"]
            process.environment = ProcessInfo.processInfo.environment.merging([Self.probeVariable: name]) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(5_000) }
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
                XCTFail("\(name): still running after 5 s (hangs)")
                continue
            }
            XCTAssertEqual(process.terminationReason, .exit,
                           "\(name): the process died from signal \(process.terminationStatus) (a trap)")
            if process.terminationReason == .exit {
                XCTAssertEqual(process.terminationStatus, 0, "\(name): the probe child failed")
            }
        }
    }
}
