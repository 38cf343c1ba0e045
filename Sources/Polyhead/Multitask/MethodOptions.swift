/// Named numeric options of a multi-task method, as they come through the C ABI and Python
/// (`{"c": 0.5}` for CAGrad). Every option must be read exactly once; leftovers are an error.
public struct MethodOptions {
    private var values: [String: Double]
    /// The method the options belong to, for messages.
    public let method: String

    /// Wraps `values` for `method`.
    public init(_ values: [String: Double] = [:], method: String) {
        self.values = values
        self.method = method
    }

    /// Takes option `name` (or `defaultValue`), checking it lies in `range`.
    /// - Throws: `PolyheadError.invalidArgument` naming the option and the allowed range.
    public mutating func take(
        _ name: String, default defaultValue: Double, in range: ClosedRange<Double> = -Double.infinity...Double.infinity
    ) throws -> Double {
        let value = values.removeValue(forKey: name) ?? defaultValue
        guard range.contains(value) else {
            throw PolyheadError.invalidArgument(
                op: method, message: "option \(name)=\(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// Takes a flag option (0 = false, anything else = true).
    public mutating func takeFlag(_ name: String, default defaultValue: Bool) throws -> Bool {
        try take(name, default: defaultValue ? 1 : 0) != 0
    }

    /// Takes options `"\(prefix)0"`, `"\(prefix)1"`, … for each of `count` tasks.
    public mutating func takeVector(_ prefix: String, count: Int, default defaultValue: Double,
                                    in range: ClosedRange<Double> = -Double.infinity...Double.infinity) throws -> [Double] {
        try (0..<count).map { try take("\(prefix)\($0)", default: defaultValue, in: range) }
    }

    /// Throws if any option was not taken (a misspelt or unsupported option).
    public func finish() throws {
        guard values.isEmpty else {
            throw PolyheadError.invalidArgument(
                op: method, message: "unknown option(s) \(values.keys.sorted().joined(separator: ", "))")
        }
    }
}
