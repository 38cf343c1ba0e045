#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The lock of a stateful handle (optimizer, multi-task method): serialises single calls, and lets a
/// `fit` claim the handle for its whole run. While claimed, calls from the claiming thread (the fit's own
/// callbacks, e.g. a learning-rate schedule) go through; calls from any other thread throw instead of
/// waiting, because they may hold the GIL that the fit's callbacks need.
final class HandleLock {
    /// The thread that claimed the handle, if any.
    private let owner = Mutex<pthread_t?>(nil)

    /// Runs `body` under the lock.
    /// - Throws: a runtime `ABIError` naming `what` when another thread's `fit` has claimed the handle.
    func run<T>(_ what: String, _ body: () throws -> T) throws -> T {
        try owner.withLock { owner in
            if let owner, pthread_equal(owner, pthread_self()) == 0 {
                throw ABIError(status: statusRuntime,
                               message: "the \(what) is in use by a fit() running on another thread; wait for it to finish")
            }
            return try body()
        }
    }

    /// Claims the handle for the calling thread until `release()`.
    /// - Throws: a runtime `ABIError` naming `what` when a `fit` already holds it.
    func claim(_ what: String) throws {
        try owner.withLock { owner in
            guard owner == nil else {
                throw ABIError(status: statusRuntime, message: "the \(what) is already in use by a running fit()")
            }
            owner = pthread_self()
        }
    }

    /// Ends the claim made by `claim(_:)`.
    func release() { owner.withLock { $0 = nil } }
}
