#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Polyhead

/// The object behind a `ph_mtl_method` handle: the method and a lock that serialises its use (methods keep
/// per-step state; one method driven from two threads must not corrupt it).
final class MethodHandle {
    let method: any MultiTaskMethod
    let lock = HandleLock()
    init(_ method: any MultiTaskMethod) { self.method = method }

    /// Runs `body` with the method while holding its lock (throws while another thread's fit uses it).
    func locked<T>(_ body: (any MultiTaskMethod) throws -> T) throws -> T {
        try lock.run("multi-task method") { try body(method) }
    }
}

/// Borrows the method behind a handle.
func borrowMethod(_ handle: OpaquePointer?) throws -> MethodHandle {
    guard let handle else { throw ABIError(status: statusValue, message: "method is NULL") }
    return Unmanaged<MethodHandle>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
}

/// The registered names as C strings, made once.
private let methodNames: [UnsafePointer<CChar>] = MultiTaskMethods.names.map { UnsafePointer(strdup($0)!) }

/// Reads a C string argument.
private func readString(_ pointer: UnsafePointer<CChar>?, _ argument: String) throws -> String {
    guard let pointer else { throw ABIError(status: statusValue, message: "\(argument) is NULL") }
    return String(cString: pointer)
}

@_cdecl("ph_mtl_method_new")
public func ph_mtl_method_new(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ name: UnsafePointer<CChar>?, _ taskCount: Int32,
    _ optionNames: UnsafePointer<UnsafePointer<CChar>?>?, _ optionValues: UnsafePointer<Double>?, _ optionCount: Int32
) -> Int32 {
    abiCall {
        let target = try checkOut(out)
        let methodName = try readString(name, "name")
        guard optionCount >= 0, optionCount == 0 || (optionNames != nil && optionValues != nil) else {
            throw ABIError(status: statusValue, message: "options: NULL arrays or negative count \(optionCount)")
        }
        var options: [String: Double] = [:]
        for i in 0..<Int(optionCount) {
            let key = try readString(optionNames![i], "option_names[\(i)]")
            guard options.updateValue(optionValues![i], forKey: key) == nil else {
                throw ABIError(status: statusValue, message: "option \(key) given twice")
            }
        }
        let method = try MultiTaskMethods.make(methodName, taskCount: Int(taskCount), options: options)
        target.pointee = OpaquePointer(Unmanaged.passRetained(MethodHandle(method)).toOpaque())
    }
}

@_cdecl("ph_mtl_method_free")
public func ph_mtl_method_free(_ method: OpaquePointer?) -> Int32 {
    if let method { Unmanaged<MethodHandle>.fromOpaque(UnsafeRawPointer(method)).release() }
    return statusOK
}

@_cdecl("ph_mtl_method_name_count")
public func ph_mtl_method_name_count(_ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    abiCall { try checkOut(out).pointee = Int32(methodNames.count) }
}

@_cdecl("ph_mtl_method_name")
public func ph_mtl_method_name(_ out: UnsafeMutablePointer<UnsafePointer<CChar>?>?, _ index: Int32) -> Int32 {
    abiCall {
        let target = try checkOut(out)
        guard index >= 0, Int(index) < methodNames.count else {
            throw ABIError(status: statusIndex, message: "method index \(index) is outside 0..<\(methodNames.count)")
        }
        target.pointee = methodNames[Int(index)]
    }
}

@_cdecl("ph_mtl_method_parameter_count")
public func ph_mtl_method_parameter_count(_ out: UnsafeMutablePointer<Int32>?, _ method: OpaquePointer?) -> Int32 {
    abiCall { try checkOut(out).pointee = Int32(try borrowMethod(method).locked { $0.parameters.count }) }
}

@_cdecl("ph_mtl_method_parameters")
public func ph_mtl_method_parameters(
    _ outs: UnsafeMutablePointer<OpaquePointer?>?, _ capacity: Int32, _ method: OpaquePointer?
) -> Int32 {
    abiCall {
        let parameters = try borrowMethod(method).locked { $0.parameters }
        guard capacity >= parameters.count else {
            throw ABIError(status: statusValue, message: "capacity \(capacity) < \(parameters.count) parameters")
        }
        guard parameters.isEmpty || outs != nil else { throw ABIError(status: statusValue, message: "outs is NULL") }
        for (i, parameter) in parameters.enumerated() { outs![i] = passRetained(parameter) }
    }
}

@_cdecl("ph_mtl_backward")
public func ph_mtl_backward(
    _ weightsOut: UnsafeMutablePointer<Double>?, _ weightsCapacity: Int32, _ method: OpaquePointer?,
    _ losses: UnsafePointer<OpaquePointer?>?, _ lossCount: Int32,
    _ sharedParameters: UnsafePointer<OpaquePointer?>?, _ sharedCount: Int32, _ representation: OpaquePointer?,
    _ present: UnsafePointer<Int32>?
) -> Int32 {
    abiCall {
        let weightsTarget = try checkOut(weightsOut, "weights_out")
        guard weightsCapacity >= lossCount else {
            throw ABIError(status: statusValue, message: "weights capacity \(weightsCapacity) < \(lossCount) losses")
        }
        let shared = SharedPart(parameters: try borrowTensors(sharedParameters, count: sharedCount, "shared_parameters"),
                                representation: borrowOptionalTensor(representation))
        let taskLosses = try borrowTensors(losses, count: lossCount, "losses")
        let flags = present.map { flags in (0..<taskLosses.count).map { flags[$0] != 0 } }
        let step = try borrowMethod(method).locked { try $0.backward(losses: taskLosses, shared: shared, present: flags) }
        for (i, weight) in step.weights.enumerated() { weightsTarget[i] = weight }
    }
}

@_cdecl("ph_mtl_method_end_epoch")
public func ph_mtl_method_end_epoch(_ method: OpaquePointer?) -> Int32 {
    abiCall { try borrowMethod(method).locked { $0.endEpoch() } }
}
