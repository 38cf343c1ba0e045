import Foundation

/// Runs `body` on a freshly started thread and returns its result (for per-thread settings).
func onNewThread<R>(_ body: @escaping () -> R) -> R {
    let result = ThreadResult<R>()
    let thread = Thread {
        result.value = body()
        result.done.signal()
    }
    thread.start()
    result.done.wait()
    // invariant: the thread stored its result before signalling.
    return result.value!
}

/// The slot a thread started by `onNewThread` fills.
private final class ThreadResult<R>: @unchecked Sendable {
    var value: R?
    let done = DispatchSemaphore(value: 0)
}
