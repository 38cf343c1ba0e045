import Polyhead

/// Borrows the tensor behind a handle (no retain). Only NULL can be detected; any other pointer must
/// come from this library.
func borrowTensor(_ handle: OpaquePointer?, _ argument: String) throws -> Tensor {
    guard let handle else { throw ABIError(status: statusValue, message: "\(argument) is NULL") }
    return Unmanaged<Tensor>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
}

/// Borrows an optional tensor: NULL means none.
func borrowOptionalTensor(_ handle: OpaquePointer?) -> Tensor? {
    handle.map { Unmanaged<Tensor>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
}

/// Borrows `count` tensors from an array of handles.
func borrowTensors(_ handles: UnsafePointer<OpaquePointer?>?, count: Int32, _ argument: String) throws -> [Tensor] {
    guard count >= 0 else { throw ABIError(status: statusValue, message: "\(argument): negative count \(count)") }
    guard count == 0 || handles != nil else { throw ABIError(status: statusValue, message: "\(argument) is NULL") }
    return try (0..<Int(count)).map { try borrowTensor(handles![$0], "\(argument)[\($0)]") }
}

/// Checks that an out-parameter is non-NULL before any work is done.
func checkOut<T>(_ out: UnsafeMutablePointer<T>?, _ argument: String = "out") throws -> UnsafeMutablePointer<T> {
    guard let out else { throw ABIError(status: statusValue, message: "\(argument) is NULL") }
    return out
}

/// Hands a tensor to the caller at +1.
func passRetained(_ tensor: Tensor) -> OpaquePointer {
    OpaquePointer(Unmanaged.passRetained(tensor).toOpaque())
}

/// Reads a shape from `ndim` int64 values.
func readShape(_ shape: UnsafePointer<Int64>?, _ ndim: Int32) throws -> [Int] {
    guard ndim >= 0, ndim <= 64 else { throw ABIError(status: statusValue, message: "invalid rank \(ndim)") }
    guard ndim == 0 || shape != nil else { throw ABIError(status: statusValue, message: "shape is NULL") }
    return (0..<Int(ndim)).map { Int(shape![$0]) }
}

/// Reads `count` int64 indices or labels.
func readIndices(_ values: UnsafePointer<Int64>?, _ count: Int64, _ argument: String) throws -> [Int] {
    guard count >= 0 else { throw ABIError(status: statusValue, message: "\(argument): negative count \(count)") }
    guard count == 0 || values != nil else { throw ABIError(status: statusValue, message: "\(argument) is NULL") }
    return Array(UnsafeBufferPointer(start: values, count: Int(count))).map { Int($0) }
}

/// Reads a loss reduction code.
func readReduction(_ code: Int32) throws -> Reduction {
    guard let reduction = Reduction(rawValue: code) else {
        throw ABIError(status: statusValue, message: "invalid reduction \(code); expected 0 (none), 1 (mean) or 2 (sum)")
    }
    return reduction
}
