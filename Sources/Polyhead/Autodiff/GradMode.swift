#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-thread switch for gradient recording (on by default), like PyTorch's grad mode.
enum GradMode {
    /// A pthread key whose value is non-NULL while recording is disabled on that thread.
    private static let disabledKey: pthread_key_t = {
        var key = pthread_key_t()
        // invariant: pthread_key_create only fails when the process has exhausted its keys (≥ 1024).
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
        return key
    }()

    /// Whether operations on this thread record their history.
    static var isEnabled: Bool {
        get { pthread_getspecific(disabledKey) == nil }
        set { pthread_setspecific(disabledKey, newValue ? nil : UnsafeRawPointer(bitPattern: 1)) }
    }
}

/// Whether operations on this thread record history for `backward()`.
public var isGradEnabled: Bool { GradMode.isEnabled }

/// Turns gradient recording on this thread on or off; returns the previous setting.
@discardableResult
public func setGradEnabled(_ enabled: Bool) -> Bool {
    let previous = GradMode.isEnabled
    GradMode.isEnabled = enabled
    return previous
}

/// Runs `body` with gradient recording disabled on this thread (PyTorch's `no_grad`).
public func withoutGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = setGradEnabled(false)
    defer { setGradEnabled(previous) }
    return try body()
}
