/// Per-thread switch for gradient recording (on by default), like PyTorch's grad mode.
enum GradMode {
    fileprivate static let flag = ThreadFlag(initial: true)

    /// Whether operations on this thread record their history.
    static var isEnabled: Bool { flag.value }
}

/// Whether operations on this thread record history for `backward()`.
public var isGradEnabled: Bool { GradMode.isEnabled }

/// Turns gradient recording on this thread on or off; returns the previous setting.
@discardableResult
public func setGradEnabled(_ enabled: Bool) -> Bool { GradMode.flag.exchange(enabled) }

/// Runs `body` with gradient recording disabled on this thread (PyTorch's `no_grad`).
public func withoutGrad<R>(_ body: () throws -> R) rethrows -> R { try GradMode.flag.with(false, body) }
