#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Polyhead

// Status codes, mirroring `polyhead.h`.
let statusOK: Int32 = 0
let statusValue: Int32 = 1
let statusType: Int32 = 2
let statusIndex: Int32 = 3
let statusMemory: Int32 = 4
let statusIO: Int32 = 5
let statusRuntime: Int32 = 6

/// A problem detected at the ABI boundary itself (NULL pointers, bad counts).
struct ABIError: Error {
    let status: Int32
    let message: String
}

/// The per-thread last error message, a malloc'd C string owned by the key's slot.
private let lastErrorKey: pthread_key_t = {
    var key = pthread_key_t()
    // invariant: pthread_key_create only fails when the process has exhausted its keys (≥ 1024).
    precondition(pthread_key_create(&key) { free($0) } == 0, "pthread_key_create failed")
    return key
}()

/// Stores `message` as this thread's last error (and clears its errno; an I/O failure sets it after).
func setLastError(_ message: String) {
    free(pthread_getspecific(lastErrorKey))
    pthread_setspecific(lastErrorKey, strdup(message))
    setLastErrno(0)
}

/// The last error message of this thread, or "".
func lastErrorMessage() -> UnsafePointer<CChar> {
    if let message = pthread_getspecific(lastErrorKey) {
        return UnsafePointer(message.assumingMemoryBound(to: CChar.self))
    }
    return emptyMessage
}

private let emptyMessage: UnsafePointer<CChar> = UnsafePointer(strdup("")!)

/// Runs the body of one C entry point: catches every thrown error, records its message for
/// `ph_last_error()` and returns the matching status; returns `PH_OK` on success.
func abiCall(_ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return statusOK
    } catch let error as PolyheadError {
        setLastError(error.description)
        switch error {
        case .shapeMismatch, .invalidArgument: return statusValue
        case .indexOutOfRange: return statusIndex
        case .invalidState: return statusRuntime
        case .outOfMemory: return statusMemory
        case let .io(_, _, code):
            setLastErrno(code)
            return statusIO
        }
    } catch let error as ABIError {
        setLastError(error.message)
        return error.status
    } catch {
        setLastError("\(error)")
        return statusRuntime
    }
}
