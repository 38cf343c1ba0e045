/// The element types a safetensors file can declare, and how Polyhead reads each into float32.
///
/// Polyhead writes `F32` only. It reads `F32` exactly and converts on load: `F64` (rounded to nearest),
/// `F16` and `BF16` (exact), the integers `I8`, `I16`, `I32`, `I64`, `U8`, `U16`, `U32`, `U64` (exact up to
/// 2²⁴, rounded beyond) and `BOOL` (0 or 1). The 8-, 6- and 4-bit float formats and complex types are
/// rejected with an error naming the dtype.
enum SafetensorsDType: String, CaseIterable {
    case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16"
    case i8 = "I8", i16 = "I16", i32 = "I32", i64 = "I64"
    case u8 = "U8", u16 = "U16", u32 = "U32", u64 = "U64"
    case bool = "BOOL"

    /// Bytes per element.
    var size: Int {
        switch self {
        case .i8, .u8, .bool: return 1
        case .f16, .bf16, .i16, .u16: return 2
        case .f32, .i32, .u32: return 4
        case .f64, .i64, .u64: return 8
        }
    }

    /// The dtype names the format defines that Polyhead does not read.
    static let unsupportedNames: Set<String> = [
        "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64", "C128",
    ]

    /// The accepted names, for error messages: "F32, F64, …".
    static var acceptedList: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Converts `count` little-endian elements of this dtype at `source` to float32 at `destination`.
    func convert(_ source: UnsafeRawPointer, into destination: UnsafeMutablePointer<Float>, count: Int) {
        func each<T: FixedWidthInteger>(_: T.Type, _ transform: (T) -> Float) {
            for i in 0..<count {
                destination[i] = transform(T(littleEndian: source.loadUnaligned(fromByteOffset: i * size, as: T.self)))
            }
        }
        switch self {
        case .f32: each(UInt32.self) { Float(bitPattern: $0) }
        case .f64: each(UInt64.self) { Float(Double(bitPattern: $0)) }
        case .f16: each(UInt16.self, halfToFloat)
        case .bf16: each(UInt16.self) { Float(bitPattern: UInt32($0) << 16) }
        case .i8: each(Int8.self) { Float($0) }
        case .i16: each(Int16.self) { Float($0) }
        case .i32: each(Int32.self) { Float($0) }
        case .i64: each(Int64.self) { Float($0) }
        case .u8: each(UInt8.self) { Float($0) }
        case .u16: each(UInt16.self) { Float($0) }
        case .u32: each(UInt32.self) { Float($0) }
        case .u64: each(UInt64.self) { Float($0) }
        case .bool: each(UInt8.self) { $0 != 0 ? 1 : 0 }
        }
    }
}

/// IEEE 754 binary16 bits → float32 (exact: every half value is a float).
func halfToFloat(_ bits: UInt16) -> Float {
    let sign: Float = bits & 0x8000 != 0 ? -1 : 1
    let exponent = Int(bits >> 10) & 0x1F
    let mantissa = UInt32(bits & 0x3FF)
    switch exponent {
    case 0: return sign * Float(mantissa) * 0x1p-24  // zero or subnormal
    case 31:  // infinity or NaN (payload kept)
        return Float(bitPattern: UInt32(bits & 0x8000) << 16 | 0x7F80_0000 | mantissa << 13)
    default:
        return Float(bitPattern: UInt32(bits & 0x8000) << 16 | UInt32(exponent + 112) << 23 | mantissa << 13)
    }
}
