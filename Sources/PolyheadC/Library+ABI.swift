#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Polyhead

@_cdecl("ph_last_error")
public func ph_last_error() -> UnsafePointer<CChar> { lastErrorMessage() }

private let statusNames: [UnsafePointer<CChar>] = ([
    "ok", "value error", "type error", "index error", "memory error", "io error", "runtime error", "unknown status",
] as [String]).map { UnsafePointer(strdup($0)!) }

@_cdecl("ph_status_string")
public func ph_status_string(_ status: Int32) -> UnsafePointer<CChar> {
    statusNames[Int(status >= 0 && status < 7 ? status : 7)]
}

@_cdecl("ph_manual_seed")
public func ph_manual_seed(_ seed: UInt64) -> Int32 { abiCall { manualSeed(seed) } }

@_cdecl("ph_random_permutation")
public func ph_random_permutation(
    _ out: UnsafeMutablePointer<Int64>?, _ count: Int64, _ state: UnsafeMutablePointer<UInt64>?
) -> Int32 {
    abiCall {
        guard count >= 0 else {
            throw ABIError(status: statusValue, message: "ph_random_permutation: count must be >= 0, got \(count)")
        }
        let order = UnsafeMutableBufferPointer(start: count > 0 ? try checkOut(out) : out, count: Int(count))
        if let state {
            randomPermutation(into: order, state: &state.pointee)
        } else {
            randomPermutation(into: order)
        }
    }
}

@_cdecl("ph_set_grad_enabled")
public func ph_set_grad_enabled(_ previous: UnsafeMutablePointer<Int32>?, _ enabled: Int32) -> Int32 {
    setThreadSwitch(previous, enabled, setGradEnabled)
}

@_cdecl("ph_is_grad_enabled")
public func ph_is_grad_enabled(_ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    readThreadSwitch(out, isGradEnabled)
}

@_cdecl("ph_set_num_threads")
public func ph_set_num_threads(_ n: Int32) -> Int32 { abiCall { try setNumThreads(Int(n)) } }

@_cdecl("ph_get_num_threads")
public func ph_get_num_threads(_ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    abiCall { try checkOut(out).pointee = Int32(numThreads) }
}

@_cdecl("ph_debug_live_objects")
public func ph_debug_live_objects(_ out: UnsafeMutablePointer<Int64>?) -> Int32 {
    abiCall { try checkOut(out).pointee = Int64(liveObjectCount) }
}
