/// Reading helpers for the Keras-like JSON texts of the training API (model config, compile and fit
/// options): every mismatch throws `PolyheadError.invalidArgument` naming the key path.
extension JSON {
    /// Parses a UTF-8 JSON text for `op`.
    static func parse(text: String, op: String) throws -> JSON {
        var bytes = Array(text.utf8)
        do {
            return try bytes.withUnsafeMutableBytes { try JSON.parse(UnsafeRawBufferPointer($0)) }
        } catch let error as JSONSyntaxError {
            bytes.removeAll()
            throw PolyheadError.invalidArgument(op: op, message: "invalid JSON at byte \(error.offset): \(error.message)")
        }
    }

    /// The member `key` of an object, or `nil` when absent or null.
    subscript(key: String) -> JSON? {
        guard case let .object(members) = self else { return nil }
        guard let value = members.first(where: { $0.key == key })?.value, value != .null else { return nil }
        return value
    }

    /// The members of an object, in order.
    func members(_ path: String, op: String) throws -> [(key: String, value: JSON)] {
        guard case let .object(members) = self else { throw mismatch(path, "an object", op) }
        return members
    }

    func elements(_ path: String, op: String) throws -> [JSON] {
        guard case let .array(elements) = self else { throw mismatch(path, "an array", op) }
        return elements
    }

    func string(_ path: String, op: String) throws -> String {
        guard case let .string(value) = self else { throw mismatch(path, "a string", op) }
        return value
    }

    func double(_ path: String, op: String) throws -> Double {
        switch self {
        case let .integer(value): return Double(value)
        case let .number(literal):
            guard let value = Double(literal) else { throw mismatch(path, "a number", op) }
            return value
        default: throw mismatch(path, "a number", op)
        }
    }

    func int(_ path: String, op: String) throws -> Int {
        guard case let .integer(value) = self else { throw mismatch(path, "an integer", op) }
        return value
    }

    func bool(_ path: String, op: String) throws -> Bool {
        guard case let .bool(value) = self else { throw mismatch(path, "a boolean", op) }
        return value
    }

    private func mismatch(_ path: String, _ expected: String, _ op: String) -> PolyheadError {
        .invalidArgument(op: op, message: "\(path) must be \(expected), got \(kindName)")
    }
}
