#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Boolean setting with one value per thread, starting at `initial` on every thread (grad mode,
/// anomaly detection). Reading it costs one `pthread_getspecific`.
struct ThreadFlag: @unchecked Sendable {
    /// A pthread key whose value is non-NULL while the flag differs from `initial` on that thread.
    private let key: pthread_key_t
    private let initial: Bool

    /// Makes a flag that reads `initial` on every thread until set there.
    init(initial: Bool) {
        var key = pthread_key_t()
        // invariant: pthread_key_create only fails when the process has exhausted its keys (≥ 1024).
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
        self.key = key
        self.initial = initial
    }

    /// The value on the calling thread.
    var value: Bool {
        get { (pthread_getspecific(key) == nil) == initial }
        nonmutating set { pthread_setspecific(key, newValue == initial ? nil : UnsafeRawPointer(bitPattern: 1)) }
    }

    /// Sets the value on the calling thread; returns the previous one.
    @discardableResult
    func exchange(_ newValue: Bool) -> Bool {
        let previous = value
        value = newValue
        return previous
    }

    /// Runs `body` with the flag set to `newValue` on the calling thread, restoring it afterwards.
    func with<R>(_ newValue: Bool, _ body: () throws -> R) rethrows -> R {
        let previous = exchange(newValue)
        defer { value = previous }
        return try body()
    }
}
