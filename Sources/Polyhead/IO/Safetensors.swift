/// Saving and loading tensors in the safetensors format (huggingface/safetensors), readable by the
/// `safetensors` package (numpy, torch, …) and by anything that follows its specification:
///
///     [8 bytes: N, the header length, unsigned little-endian]
///     [N bytes: JSON header, UTF-8, padded with spaces to a multiple of 8]
///     [data section: each tensor's elements, row-major, little-endian, back to back]
///
/// The header maps every tensor name to `{"dtype":"F32","shape":[2,3],"data_offsets":[begin,end]}` (byte
/// offsets into the data section) and may hold `"__metadata__"`, a map of strings to strings. No code is
/// ever executed on load (unlike pickle): a file is data only.

/// The operation names in error messages.
private let saveOp = "save_safetensors"
private let loadOp = "load_safetensors"

/// The largest header accepted on load, as in the reference implementation (100 MB).
let safetensorsMaxHeaderSize = 100_000_000

/// Writes `tensors` (float32, in the given order) and `metadata` to a safetensors file at `path`, atomically:
/// a crash or error at any point leaves the previous file at `path` untouched (see `AtomicFile`).
///
/// The header lists `__metadata__` first (keys sorted) when `metadata` is not empty, then the tensors in
/// order; it is padded with spaces to a multiple of 8 bytes, so the data section starts 8-byte aligned.
/// - Parameters:
///   - tensors: unique names (not `"__metadata__"`) with their tensors; any shape, empty tensors included.
///   - path: the file to create or replace.
///   - metadata: free-form string pairs stored in the header.
/// - Throws: `PolyheadError.invalidArgument` for a duplicate or reserved name (before anything is written);
///   `PolyheadError.io` naming `path` if the file cannot be written.
public func saveSafetensors(
    _ tensors: [(name: String, tensor: Tensor)], to path: String, metadata: [String: String] = [:]
) throws {
    let header = try safetensorsHeader(tensors, metadata: metadata, path: path)
    try AtomicFile.write(to: path) { writer in
        var length = UInt64(header.utf8.count).littleEndian
        try withUnsafeBytes(of: &length) { try writer.write($0) }
        try writer.write(header)
        for (_, tensor) in tensors {
            try tensor.withUnsafeBufferPointer { try writeLittleEndian($0, to: writer) }
        }
    }
}

/// Reads every tensor and the metadata of a safetensors file.
///
/// Tensors come back in the order of their data in the file (for files written by `saveSafetensors`: the
/// order they were saved in) as new float32 tensors that do not require grad. Accepted dtypes are listed at
/// `SafetensorsDType`; other types are converted to float32.
/// - Throws: `PolyheadError.io` if the file cannot be opened or read (missing file, a directory, …);
///   `PolyheadError.invalidArgument` (op `load_safetensors`) naming the file and the problem for anything
///   malformed: a truncated file, a header length beyond the file, invalid JSON, an unsupported dtype,
///   offsets out of range, overlapping or leaving gaps, a shape that does not match its offsets, duplicate
///   names, trailing bytes.
public func loadSafetensors(
    from path: String
) throws -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
    let file = try ReadableFile(path: path)
    let header = try readSafetensorsHeader(file)
    var tensors: [(name: String, tensor: Tensor)] = []
    tensors.reserveCapacity(header.entries.count)
    for entry in header.entries {
        let tensor = try Tensor.empty(entry.shape, op: loadOp)
        try tensor.withUnsafeMutableBufferPointer { values in
            try readElements(entry, from: file, at: header.dataStart + entry.begin, into: values)
        }
        tensors.append((entry.name, tensor))
    }
    return (tensors, header.metadata)
}

// MARK: - Writing

/// The padded JSON header for `tensors` and `metadata`.
private func safetensorsHeader(
    _ tensors: [(name: String, tensor: Tensor)], metadata: [String: String], path: String
) throws -> String {
    var members: [(key: String, value: JSON)] = []
    if !metadata.isEmpty {
        members.append(("__metadata__", .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
    }
    var seen = Set<String>()
    var offset = 0
    for (name, tensor) in tensors {
        guard name != "__metadata__" else {
            throw PolyheadError.invalidArgument(
                op: saveOp, message: "'\(path)': the tensor name \"__metadata__\" is reserved for the metadata")
        }
        guard seen.insert(name).inserted else {
            throw PolyheadError.invalidArgument(op: saveOp, message: "'\(path)': duplicate tensor name \"\(name)\"")
        }
        let end = offset + tensor.count * MemoryLayout<Float>.size
        members.append((name, .object([
            ("dtype", .string("F32")),
            ("shape", .array(tensor.shape.map { .integer($0) })),
            ("data_offsets", .array([.integer(offset), .integer(end)])),
        ])))
        offset = end
    }
    let text = JSON.object(members).serialized
    return text + String(repeating: " ", count: (8 - text.utf8.count % 8) % 8)
}

/// Writes float32 values as little-endian bytes.
private func writeLittleEndian(_ values: UnsafeBufferPointer<Float>, to writer: FileWriter) throws {
    #if _endian(little)
    try writer.write(UnsafeRawBufferPointer(values))
    #else
    var chunk = [UInt32](repeating: 0, count: 1 << 16)
    var start = 0
    while start < values.count {
        let n = min(chunk.count, values.count - start)
        for i in 0..<n { chunk[i] = values[start + i].bitPattern.littleEndian }
        try chunk.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[..<(n * 4)])) }
        start += n
    }
    #endif
}

// MARK: - Reading

/// One tensor described by the header: offsets are relative to the data section.
struct SafetensorsEntry {
    let name: String
    let dtype: SafetensorsDType
    let shape: [Int]
    let begin: Int
    let end: Int
}

/// A validated header: tensors sorted by their data, metadata, and where the data section starts.
struct SafetensorsHeader {
    let entries: [SafetensorsEntry]
    let metadata: [String: String]
    let dataStart: Int
}

/// A malformed-file error: `[load_safetensors] '<path>': <problem>`.
func malformed(_ path: String, _ problem: String) -> PolyheadError {
    .invalidArgument(op: loadOp, message: "'\(path)': \(problem)")
}

/// Reads and validates the header of `file`: length, JSON, every entry, and that the tensors tile the data
/// section exactly (no overlap, no gap, nothing beyond the end of the file, no trailing bytes).
func readSafetensorsHeader(_ file: ReadableFile) throws -> SafetensorsHeader {
    let path = file.path
    guard file.size >= 8 else {
        throw malformed(path, "truncated: the file has \(file.size) bytes, fewer than the 8-byte header length "
                        + "(not a safetensors file?)")
    }
    var lengthField: UInt64 = 0
    try withUnsafeMutableBytes(of: &lengthField) { try file.read(into: $0, at: 0, op: loadOp) }
    let length = UInt64(littleEndian: lengthField)
    guard length <= UInt64(file.size - 8) else {
        throw malformed(path, "header length \(length) goes beyond the end of the file (\(file.size) bytes): "
                        + "truncated, or not a safetensors file")
    }
    guard length <= UInt64(safetensorsMaxHeaderSize) else {
        throw malformed(path, "header length \(length) exceeds the limit of \(safetensorsMaxHeaderSize) bytes")
    }
    let headerBytes = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(length), alignment: 8)
    defer { headerBytes.deallocate() }
    try file.read(into: headerBytes, at: 8, op: loadOp)
    guard length >= 2, headerBytes[0] == UInt8(ascii: "{") else {
        throw malformed(path, "the header does not start with '{' (not a safetensors file?)")
    }
    let json: JSON
    do {
        json = try JSON.parse(UnsafeRawBufferPointer(headerBytes))
    } catch let error as JSONSyntaxError {
        throw malformed(path, "invalid JSON header at byte \(8 + error.offset): \(error.message)")
    }
    let dataStart = 8 + Int(length)
    let (entries, metadata) = try parseHeaderMembers(json, path: path)
    try checkCoverage(entries, dataSize: file.size - dataStart, path: path)
    return SafetensorsHeader(entries: entries, metadata: metadata, dataStart: dataStart)
}

/// The tensors (sorted by data offsets) and metadata of a parsed header.
private func parseHeaderMembers(_ json: JSON, path: String) throws -> ([SafetensorsEntry], [String: String]) {
    guard case let .object(members) = json else { throw malformed(path, "the header is \(json.kindName), not an object") }
    var names = Set<String>()
    var entries: [SafetensorsEntry] = []
    var metadata: [String: String] = [:]
    for (name, value) in members {
        guard names.insert(name).inserted else { throw malformed(path, "duplicate name \"\(name)\" in the header") }
        if name == "__metadata__" {
            metadata = try parseMetadata(value, path: path)
        } else {
            entries.append(try parseEntry(name, value, path: path))
        }
    }
    entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
    return (entries, metadata)
}

private func parseMetadata(_ value: JSON, path: String) throws -> [String: String] {
    if value == .null { return [:] }
    guard case let .object(pairs) = value else {
        throw malformed(path, "\"__metadata__\" is \(value.kindName), not an object of strings")
    }
    var metadata: [String: String] = [:]
    for (key, item) in pairs {
        guard case let .string(text) = item else {
            throw malformed(path, "metadata \"\(key)\" is \(item.kindName), not a string")
        }
        guard metadata.updateValue(text, forKey: key) == nil else {
            throw malformed(path, "duplicate metadata key \"\(key)\"")
        }
    }
    return metadata
}

/// One tensor entry: exactly the fields dtype, shape and data_offsets, consistent with each other.
private func parseEntry(_ name: String, _ value: JSON, path: String) throws -> SafetensorsEntry {
    func fail(_ problem: String) -> PolyheadError { malformed(path, "tensor \"\(name)\": \(problem)") }
    guard case let .object(fields) = value else { throw fail("is \(value.kindName), not an object") }
    var found: [String: JSON] = [:]
    for (key, field) in fields {
        guard ["dtype", "shape", "data_offsets"].contains(key) else {
            throw fail("unknown field \"\(key)\" (expected dtype, shape, data_offsets)")
        }
        guard found.updateValue(field, forKey: key) == nil else { throw fail("field \"\(key)\" given twice") }
    }
    let (dtypeField, shapeField, offsetsField) = (found["dtype"], found["shape"], found["data_offsets"])
    guard case let .string(dtypeName)? = dtypeField else { throw fail("missing or non-string \"dtype\"") }
    guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
        let kind = SafetensorsDType.unsupportedNames.contains(dtypeName) ? "unsupported" : "unknown"
        throw fail("\(kind) dtype \"\(dtypeName)\" (Polyhead reads \(SafetensorsDType.acceptedList))")
    }
    guard case let .array(shapeItems)? = shapeField else { throw fail("missing or non-array \"shape\"") }
    let shape = try shapeItems.map { item -> Int in
        guard case let .integer(dimension) = item, dimension >= 0 else {
            throw fail("shape entries must be non-negative integers, got \(item.serialized)")
        }
        return dimension
    }
    guard case let .array(offsetItems)? = offsetsField, offsetItems.count == 2,
          case let .integer(begin) = offsetItems[0], case let .integer(end) = offsetItems[1], begin >= 0, end >= 0
    else {
        throw fail("\"data_offsets\" must be two non-negative integers [begin, end], got "
                   + (offsetsField?.serialized ?? "nothing"))
    }
    guard begin <= end else { throw fail("data_offsets [\(begin), \(end)] end before they begin") }
    var bytes = dtype.size
    for dimension in shape {
        let (product, overflow) = bytes.multipliedReportingOverflow(by: dimension)
        guard !overflow else { throw fail("shape \(describe(shape)) is too large") }
        bytes = product
    }
    guard bytes == end - begin else {
        throw fail("shape \(describe(shape)) of \(dtypeName) needs \(bytes) bytes but data_offsets "
                   + "[\(begin), \(end)] span \(end - begin)")
    }
    return SafetensorsEntry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
}

/// Checks that the sorted entries tile `0..<dataSize` exactly.
private func checkCoverage(_ entries: [SafetensorsEntry], dataSize: Int, path: String) throws {
    var covered = 0
    var previous: String?
    for entry in entries {
        if entry.begin < covered, let previous {
            throw malformed(path, "tensors \"\(previous)\" and \"\(entry.name)\" overlap (\"\(entry.name)\" "
                            + "starts at byte \(entry.begin) of the data section, before \(covered))")
        }
        if entry.begin > covered {
            throw malformed(path, "bytes \(covered)..<\(entry.begin) of the data section belong to no tensor "
                            + "(gap before \"\(entry.name)\")")
        }
        if entry.end > dataSize {
            throw malformed(path, "truncated: tensor \"\(entry.name)\" needs bytes \(entry.begin)..<\(entry.end) "
                            + "of the data section, but the file holds only \(dataSize)")
        }
        covered = entry.end
        previous = entry.name
    }
    guard covered == dataSize else {
        throw malformed(path, "the data section has \(dataSize) bytes but the tensors cover only \(covered) "
                        + "(trailing bytes)")
    }
}

/// Reads one tensor's elements, converting to float32 through a bounded staging buffer.
private func readElements(
    _ entry: SafetensorsEntry, from file: ReadableFile, at offset: Int, into values: UnsafeMutableBufferPointer<Float>
) throws {
    #if _endian(little)
    if entry.dtype == .f32 {
        return try file.read(into: UnsafeMutableRawBufferPointer(values), at: offset, op: loadOp)
    }
    #endif
    let chunkElements = max(1, (1 << 20) / entry.dtype.size)
    let staging = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkElements * entry.dtype.size, alignment: 8)
    defer { staging.deallocate() }
    var start = 0
    while start < values.count {
        let n = min(chunkElements, values.count - start)
        let bytes = UnsafeMutableRawBufferPointer(rebasing: staging[..<(n * entry.dtype.size)])
        try file.read(into: bytes, at: offset + start * entry.dtype.size, op: loadOp)
        // invariant: a staging buffer is never empty (chunkElements ≥ 1, n ≥ 1).
        entry.dtype.convert(UnsafeRawPointer(bytes.baseAddress!), into: values.baseAddress! + start, count: n)
        start += n
    }
}
