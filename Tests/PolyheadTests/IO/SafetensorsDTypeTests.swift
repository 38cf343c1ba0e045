import Foundation
import XCTest
@testable import Polyhead

/// Files written with other dtypes (as the `safetensors` package writes numpy arrays) load as float32.
final class SafetensorsDTypeTests: TemporaryDirectoryTestCase {
    /// A one-tensor file holding `raw` bytes as `dtype` with `shape`.
    private func file(_ dtype: String, _ shape: [Int], _ raw: [UInt8]) throws -> String {
        let header = "{\"t\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[0,\(raw.count)]}}"
        let target = path("\(dtype).safetensors")
        let n = UInt64(header.utf8.count)
        try write((0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) } + Array(header.utf8) + raw, to: target)
        return target
    }

    /// Little-endian bytes of fixed-width values.
    private func le<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { value in (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    }

    private func load(_ dtype: String, _ shape: [Int], _ raw: [UInt8]) throws -> Tensor {
        let loaded = try loadSafetensors(from: try file(dtype, shape, raw))
        XCTAssertEqual(loaded.tensors.count, 1)
        XCTAssertEqual(loaded.tensors[0].tensor.shape, shape, dtype)
        return loaded.tensors[0].tensor
    }

    func testFloatTypesConvertExactlyOrRoundedToNearest() throws {
        let doubles: [Double] = [1.5, -0.1, 1e300, -1e-320, .infinity]
        let f64 = try load("F64", [5], le(doubles.map(\.bitPattern)))
        XCTAssertEqual(f64.scalars, doubles.map { Float($0) })
        // binary16: 1, -2, 65504 (max), 2^-24 (smallest subnormal), -0, inf, NaN
        let f16 = try load("F16", [7], le([UInt16(0x3C00), 0xC000, 0x7BFF, 0x0001, 0x8000, 0x7C00, 0x7E00]))
        XCTAssertEqual(Array(f16.scalars[0..<6]), [1, -2, 65504, 0x1p-24, -0.0, .infinity])
        XCTAssertEqual(f16.scalars[4].sign, .minus)
        XCTAssertTrue(f16.scalars[6].isNaN)
        let bf16 = try load("BF16", [3], le([UInt16(0x3F80), 0xC0A0, 0x7F80]))
        XCTAssertEqual(bf16.scalars, [1, -5, .infinity])
        let f32 = try load("F32", [2, 1], le([Float(3.25).bitPattern, Float(-7).bitPattern]))
        XCTAssertEqual(f32.scalars, [3.25, -7])
    }

    func testIntegerAndBoolTypes() throws {
        XCTAssertEqual(try load("I64", [3], le([Int64(-3), 0, 1 << 40])).scalars, [-3, 0, Float(1 << 40)])
        XCTAssertEqual(try load("I32", [2], le([Int32.min, 9])).scalars, [Float(Int32.min), 9])
        XCTAssertEqual(try load("I16", [2], le([Int16(-300), 300])).scalars, [-300, 300])
        XCTAssertEqual(try load("I8", [2], le([Int8(-128), 127])).scalars, [-128, 127])
        XCTAssertEqual(try load("U8", [2], [0, 255]).scalars, [0, 255])
        XCTAssertEqual(try load("U16", [1], le([UInt16.max])).scalars, [65535])
        XCTAssertEqual(try load("U32", [1], le([UInt32(4_000_000_000)])).scalars, [4e9])
        XCTAssertEqual(try load("U64", [1], le([UInt64(5)])).scalars, [5])
        XCTAssertEqual(try load("BOOL", [3], [1, 0, 7]).scalars, [1, 0, 1])
    }

    func testLargeConvertedTensorsCrossTheStagingChunks() throws {
        let count = 700_000  // > one 1 MiB staging chunk of F64
        let values = (0..<count).map { Double($0) * 0.5 }
        let tensor = try load("F64", [count], le(values.map(\.bitPattern)))
        XCTAssertEqual(tensor.scalars.last, Float(values.last!))
        XCTAssertEqual(tensor.scalars[count / 2], Float(values[count / 2]))
    }
}
