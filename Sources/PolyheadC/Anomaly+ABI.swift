import Polyhead

/// The body of a per-thread switch's setter (grad mode, anomaly detection): `set` turns it on for any
/// non-zero `enabled` and returns the previous setting, written to `previous` unless it is NULL.
func setThreadSwitch(_ previous: UnsafeMutablePointer<Int32>?, _ enabled: Int32, _ set: (Bool) -> Bool) -> Int32 {
    abiCall {
        let old = set(enabled != 0)
        previous?.pointee = old ? 1 : 0
    }
}

/// The body of a per-thread switch's getter: writes 1 or 0 to `out`.
func readThreadSwitch(_ out: UnsafeMutablePointer<Int32>?, _ value: Bool) -> Int32 {
    abiCall { try checkOut(out).pointee = value ? 1 : 0 }
}

@_cdecl("ph_set_anomaly_enabled")
public func ph_set_anomaly_enabled(_ previous: UnsafeMutablePointer<Int32>?, _ enabled: Int32) -> Int32 {
    setThreadSwitch(previous, enabled, setAnomalyDetectionEnabled)
}

@_cdecl("ph_is_anomaly_enabled")
public func ph_is_anomaly_enabled(_ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    readThreadSwitch(out, isAnomalyDetectionEnabled)
}
