/// An error thrown by Polyhead for input it cannot act on. Nothing in the library traps on user input;
/// every problem surfaces as one of these cases, and the C ABI turns it into a status code.
public enum PolyheadError: Error, CustomStringConvertible, Equatable {
    /// Shapes that do not fit together, e.g. `"[matmul] inner dimensions differ: (2, 3) vs (4, 5)"`.
    case shapeMismatch(op: String, message: String)
    /// A value outside what the operation accepts (negative size, bad hyper-parameter, NaN where forbidden).
    case invalidArgument(op: String, message: String)
    /// An axis or index outside its range.
    case indexOutOfRange(op: String, message: String)
    /// An operation that is not allowed in the current state (backward twice, in-place on a graph node).
    case invalidState(op: String, message: String)
    /// An allocation that failed or cannot be represented.
    case outOfMemory(op: String, message: String)
    /// A file-system call that failed: the file, what was being done and the OS reason; `errno` is the OS
    /// error number (0 when the problem was not reported by the OS).
    case io(path: String, message: String, errno: Int32)

    /// The operation that failed and why, as `"[op] message"`.
    public var description: String {
        switch self {
        case let .shapeMismatch(op, message), let .invalidArgument(op, message),
             let .indexOutOfRange(op, message), let .invalidState(op, message),
             let .outOfMemory(op, message):
            return "[\(op)] \(message)"
        case let .io(path, message, _):
            return "[io] '\(path)': \(message)"
        }
    }
}

/// Formats a shape the way error messages print it: `(2, 3)`, `()` for a scalar, `(5,)` for one dimension.
func describe(_ shape: [Int]) -> String {
    shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
}
