#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Polyhead

// MARK: - The OS error number behind the last PH_ERROR_IO

/// The per-thread errno of the last failed call (0 unless it was an I/O failure reported by the OS),
/// stored as the pointer value of a key's slot.
private let lastErrnoKey: pthread_key_t = {
    var key = pthread_key_t()
    // invariant: pthread_key_create only fails when the process has exhausted its keys (≥ 1024).
    precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
    return key
}()

/// Records `code` as this thread's last errno (0 clears it).
func setLastErrno(_ code: Int32) {
    pthread_setspecific(lastErrnoKey, UnsafeRawPointer(bitPattern: Int(code)))
}

@_cdecl("ph_last_errno")
public func ph_last_errno(_ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    guard let out else { return abiCall { throw ABIError(status: statusValue, message: "out is NULL") } }
    out.pointee = Int32(truncatingIfNeeded: Int(bitPattern: pthread_getspecific(lastErrnoKey)))
    return statusOK
}

// MARK: - Arguments

/// Reads a NUL-terminated UTF-8 string argument.
private func readUTF8(_ pointer: UnsafePointer<CChar>?, _ argument: String) throws -> String {
    guard let pointer else { throw ABIError(status: statusValue, message: "\(argument) is NULL") }
    guard let text = String(validatingCString: pointer) else {
        throw ABIError(status: statusValue, message: "\(argument) is not valid UTF-8")
    }
    return text
}

/// Reads `count` strings from an array of C strings.
func readStrings(
    _ pointers: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int32, _ argument: String
) throws -> [String] {
    guard count >= 0 else { throw ABIError(status: statusValue, message: "\(argument): negative count \(count)") }
    guard count == 0 || pointers != nil else { throw ABIError(status: statusValue, message: "\(argument) is NULL") }
    return try (0..<Int(count)).map { try readUTF8(pointers![$0], "\(argument)[\($0)]") }
}

// MARK: - Saving

@_cdecl("ph_safetensors_save")
public func ph_safetensors_save(
    _ path: UnsafePointer<CChar>?, _ names: UnsafePointer<UnsafePointer<CChar>?>?,
    _ tensors: UnsafePointer<OpaquePointer?>?, _ count: Int32,
    _ metadataKeys: UnsafePointer<UnsafePointer<CChar>?>?, _ metadataValues: UnsafePointer<UnsafePointer<CChar>?>?,
    _ metadataCount: Int32
) -> Int32 {
    abiCall {
        let file = try readUTF8(path, "path")
        let tensorNames = try readStrings(names, count, "names")
        let values = try borrowTensors(tensors, count: count, "tensors")
        let keys = try readStrings(metadataKeys, metadataCount, "metadata_keys")
        let texts = try readStrings(metadataValues, metadataCount, "metadata_values")
        var metadata: [String: String] = [:]
        for (key, text) in zip(keys, texts) {
            guard metadata.updateValue(text, forKey: key) == nil else {
                throw ABIError(status: statusValue, message: "[save_safetensors] metadata key \"\(key)\" given twice")
            }
        }
        try saveSafetensors(Array(zip(tensorNames, values)).map { (name: $0, tensor: $1) }, to: file, metadata: metadata)
    }
}

@_cdecl("ph_file_write_atomic")
public func ph_file_write_atomic(_ path: UnsafePointer<CChar>?, _ data: UnsafeRawPointer?, _ size: Int64) -> Int32 {
    abiCall {
        let file = try readUTF8(path, "path")
        guard size >= 0, size == 0 || data != nil else {
            throw ABIError(status: statusValue, message: "ph_file_write_atomic: NULL data or negative size \(size)")
        }
        try writeFileAtomically(UnsafeRawBufferPointer(start: data, count: Int(size)), to: file)
    }
}

// MARK: - Loading

/// The object behind a `ph_safetensors` handle: the loaded tensors and C copies of the strings, which live
/// as long as the handle.
final class SafetensorsHandle {
    let tensors: [Tensor]
    let names: [UnsafeMutablePointer<CChar>]
    let metadata: [(key: UnsafeMutablePointer<CChar>, value: UnsafeMutablePointer<CChar>)]

    init(tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        self.tensors = tensors.map(\.tensor)
        // invariant: strdup only fails when the process is out of memory.
        names = tensors.map { strdup($0.name)! }
        self.metadata = metadata.sorted { $0.key < $1.key }.map { (strdup($0.key)!, strdup($0.value)!) }
    }

    deinit {
        names.forEach { free($0) }
        metadata.forEach { free($0.key); free($0.value) }
    }
}

/// Borrows the loaded file behind a handle.
private func borrowFile(_ handle: OpaquePointer?) throws -> SafetensorsHandle {
    guard let handle else { throw ABIError(status: statusValue, message: "file is NULL") }
    return Unmanaged<SafetensorsHandle>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
}

/// Checks `0 <= index < count`.
private func checkIndex(_ index: Int32, _ count: Int, _ what: String) throws -> Int {
    guard index >= 0, Int(index) < count else {
        throw ABIError(status: statusIndex, message: "\(what) index \(index) is outside 0..<\(count)")
    }
    return Int(index)
}

@_cdecl("ph_safetensors_load")
public func ph_safetensors_load(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ path: UnsafePointer<CChar>?) -> Int32 {
    abiCall {
        let target = try checkOut(out)
        let file = try readUTF8(path, "path")
        let contents = try loadSafetensors(from: file)
        let strings = contents.tensors.map(\.name) + contents.metadata.keys + contents.metadata.values
        if let bad = strings.first(where: { $0.utf8.contains(0) }) {
            throw ABIError(status: statusValue, message: "[load_safetensors] '\(file)': the name or metadata "
                           + "\"\(bad)\" contains a NUL character, which the C API cannot return")
        }
        let handle = SafetensorsHandle(tensors: contents.tensors, metadata: contents.metadata)
        target.pointee = OpaquePointer(Unmanaged.passRetained(handle).toOpaque())
    }
}

@_cdecl("ph_safetensors_free")
public func ph_safetensors_free(_ file: OpaquePointer?) -> Int32 {
    if let file { Unmanaged<SafetensorsHandle>.fromOpaque(UnsafeRawPointer(file)).release() }
    return statusOK
}

@_cdecl("ph_safetensors_tensor_count")
public func ph_safetensors_tensor_count(_ out: UnsafeMutablePointer<Int32>?, _ file: OpaquePointer?) -> Int32 {
    abiCall { try checkOut(out).pointee = Int32(try borrowFile(file).tensors.count) }
}

@_cdecl("ph_safetensors_tensor_name")
public func ph_safetensors_tensor_name(
    _ out: UnsafeMutablePointer<UnsafePointer<CChar>?>?, _ file: OpaquePointer?, _ index: Int32
) -> Int32 {
    abiCall {
        let target = try checkOut(out)
        let loaded = try borrowFile(file)
        target.pointee = UnsafePointer(loaded.names[try checkIndex(index, loaded.names.count, "tensor")])
    }
}

@_cdecl("ph_safetensors_tensor")
public func ph_safetensors_tensor(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ file: OpaquePointer?, _ index: Int32
) -> Int32 {
    produceTensor(out) {
        let loaded = try borrowFile(file)
        return loaded.tensors[try checkIndex(index, loaded.tensors.count, "tensor")]
    }
}

@_cdecl("ph_safetensors_metadata_count")
public func ph_safetensors_metadata_count(_ out: UnsafeMutablePointer<Int32>?, _ file: OpaquePointer?) -> Int32 {
    abiCall { try checkOut(out).pointee = Int32(try borrowFile(file).metadata.count) }
}

@_cdecl("ph_safetensors_metadata")
public func ph_safetensors_metadata(
    _ keyOut: UnsafeMutablePointer<UnsafePointer<CChar>?>?, _ valueOut: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
    _ file: OpaquePointer?, _ index: Int32
) -> Int32 {
    abiCall {
        let keyTarget = try checkOut(keyOut, "key_out")
        let valueTarget = try checkOut(valueOut, "value_out")
        let loaded = try borrowFile(file)
        let pair = loaded.metadata[try checkIndex(index, loaded.metadata.count, "metadata")]
        keyTarget.pointee = UnsafePointer(pair.key)
        valueTarget.pointee = UnsafePointer(pair.value)
    }
}
