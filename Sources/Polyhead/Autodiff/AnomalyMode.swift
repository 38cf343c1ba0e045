/// Anomaly detection, PyTorch's `detect_anomaly`: while it is on, every recorded op checks its output,
/// and every pullback the input gradients it returns, for NaN and ±∞; the first non-finite value throws
/// `PolyheadError.invalidState` naming the op, the pass (forward or backward) and which output or input.
///
/// The setting is per thread, like grad mode (PyTorch's is process-wide): ops and backward passes check
/// when it is on on the thread that runs them (the training loop runs on its caller's thread). Off by
/// default; then the cost is one thread-local read per recorded op and per backward pass. On, every
/// recorded output and every computed gradient is scanned once.
enum AnomalyMode {
    fileprivate static let flag = ThreadFlag(initial: false)

    /// Whether anomaly detection is on for this thread.
    static var isEnabled: Bool { flag.value }
}

/// Whether anomaly detection is on for this thread (see `setAnomalyDetectionEnabled`).
public var isAnomalyDetectionEnabled: Bool { AnomalyMode.isEnabled }

/// Turns anomaly detection on this thread on or off; returns the previous setting. While on, the first
/// recorded op whose output, or pullback whose gradient, holds NaN or ±∞ throws
/// `PolyheadError.invalidState` naming it (PyTorch's `torch.autograd.set_detect_anomaly`).
@discardableResult
public func setAnomalyDetectionEnabled(_ enabled: Bool) -> Bool { AnomalyMode.flag.exchange(enabled) }

/// Runs `body` with anomaly detection on for this thread (PyTorch's `detect_anomaly`).
public func withAnomalyDetection<R>(_ body: () throws -> R) rethrows -> R { try AnomalyMode.flag.with(true, body) }

extension Tensor {
    /// Throws the anomaly error when an element is NaN or ±∞: `"[op] anomaly detected: the <pass> of op
    /// produced nan in <what> (element i of shape s)"`.
    func checkFinite(op: String, pass: String, what: @autoclosure () -> String) throws {
        let values = UnsafeBufferPointer(start: storage.pointer, count: count)
        // x·0 is NaN exactly for NaN and ±∞, so one vectorisable sum tells whether to look further.
        guard !values.reduce(Float(0), { $0 + $1 * 0 }).isFinite,
              let index = values.firstIndex(where: { !$0.isFinite }) else { return }
        let kind = values[index].isNaN ? "nan" : (values[index] > 0 ? "inf" : "-inf")
        throw PolyheadError.invalidState(
            op: op, message: "anomaly detected: the \(pass) pass of \(op) produced \(kind) in \(what()) "
                + "(element \(index) of shape \(describe(shape)))")
    }
}
