import Foundation
import XCTest
@testable import Polyhead

/// Every way a file can be malformed gives `invalidArgument` from `load_safetensors` naming the file and the
/// problem; file-system problems give `io` with the OS errno.
final class SafetensorsMalformedTests: TemporaryDirectoryTestCase {
    /// A file made of a header length (by default the header's), the header text and data bytes.
    private func craft(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
        let headerBytes = Array(header.utf8)
        let n = length ?? UInt64(headerBytes.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) } + headerBytes + data
    }

    /// One tensor entry.
    private func tensorEntry(_ name: String, _ shape: [Int], _ begin: Int, _ end: Int, dtype: String = "F32") -> String {
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(begin),\(end)]}"
    }

    /// Asserts that loading `bytes` fails with a message naming the file and every fragment.
    private func assertMalformed(
        _ bytes: [UInt8], _ mentions: [String], _ label: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let target = path("\(label.filter { $0.isLetter }).safetensors")
        try write(bytes, to: target)
        assertThrows(.invalidArgument, op: "load_safetensors", mentions: ["'\(target)'"] + mentions, label,
                     file: file, line: line) { try loadSafetensors(from: target) }
    }

    func testEveryMalformedFileIsRejectedWithItsProblem() throws {
        let w = tensorEntry("w", [2], 0, 8)
        let cases: [(String, [UInt8], [String])] = [
            ("empty file", [], ["truncated", "0 bytes"]),
            ("shorter than the length field", [1, 2, 3, 4, 5], ["truncated", "5 bytes"]),
            ("header length beyond the file", craft("{}", length: 1000), ["header length 1000", "beyond the end"]),
            ("not JSON", craft("hello!!!"), ["does not start with '{'"]),
            ("invalid JSON", craft("{\"w\":}   "), ["invalid JSON", "byte 13"]),
            ("unterminated JSON", craft("{\"w\":{\"dtype\""), ["invalid JSON"]),
            ("text after the JSON", craft("{} {}"), ["invalid JSON", "after the value"]),
            ("invalid UTF-8", craft("{\"\u{FF}\"}").enumerated().map { $0.offset == 11 ? 0xFF : $0.element },
             ["invalid JSON", "UTF-8"]),
            ("lone surrogate", craft(#"{"\ud800":{}}"#), ["invalid JSON", "surrogate"]),
            ("nesting too deep", craft("{\"a\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"),
             ["nesting deeper"]),
            ("unsupported dtype", craft("{\(tensorEntry("w", [2], 0, 2, dtype: "F8_E4M3"))}", data: [0, 0]),
             ["\"w\"", "unsupported dtype \"F8_E4M3\"", "F32"]),
            ("unknown dtype", craft("{\(tensorEntry("w", [2], 0, 2, dtype: "Q7"))}", data: [0, 0]), ["unknown dtype \"Q7\""]),
            ("offsets beyond the file", craft("{\(tensorEntry("w", [4], 0, 16))}", data: [UInt8](repeating: 0, count: 8)),
             ["truncated", "\"w\"", "0..<16", "only 8"]),
            ("overlapping tensors", craft("{\(w),\(tensorEntry("b", [2], 4, 12))}", data: [UInt8](repeating: 0, count: 12)),
             ["\"w\"", "\"b\"", "overlap"]),
            ("gap between tensors", craft("{\(w),\(tensorEntry("b", [1], 12, 16))}", data: [UInt8](repeating: 0, count: 16)),
             ["8..<12", "no tensor", "\"b\""]),
            ("trailing bytes", craft("{\(w)}", data: [UInt8](repeating: 0, count: 12)), ["12 bytes", "cover only 8", "trailing"]),
            ("shape/offset mismatch", craft("{\(tensorEntry("w", [2, 3], 0, 20))}", data: [UInt8](repeating: 0, count: 20)),
             ["\"w\"", "(2, 3)", "needs 24 bytes", "[0, 20]", "span 20"]),
            ("duplicate names", craft("{\(w),\(w)}", data: [UInt8](repeating: 0, count: 8)), ["duplicate name \"w\""]),
            ("negative dimension", craft("{\(tensorEntry("w", [-2], 0, 8))}", data: [UInt8](repeating: 0, count: 8)),
             ["non-negative", "-2"]),
            ("fractional dimension", craft(#"{"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)),
             ["non-negative integers", "2.0"]),
            ("huge shape", craft("{\(tensorEntry("w", [Int.max, 4], 0, 8))}", data: [UInt8](repeating: 0, count: 8)),
             ["too large"]),
            ("offsets reversed", craft("{\(tensorEntry("w", [0], 8, 0))}"), ["[8, 0]", "end before they begin"]),
            ("three offsets", craft(#"{"w":{"dtype":"F32","shape":[0],"data_offsets":[0,0,0]}}"#), ["two non-negative integers", "[0,0,0]"]),
            ("missing dtype", craft(#"{"w":{"shape":[0],"data_offsets":[0,0]}}"#), ["\"w\"", "missing", "\"dtype\""]),
            ("missing shape", craft(#"{"w":{"dtype":"F32","data_offsets":[0,0]}}"#), ["missing", "\"shape\""]),
            ("unknown field", craft(#"{"w":{"dtype":"F32","shape":[0],"data_offsets":[0,0],"x":1}}"#), ["unknown field \"x\""]),
            ("field twice", craft(#"{"w":{"dtype":"F32","dtype":"F32","shape":[0],"data_offsets":[0,0]}}"#), ["\"dtype\" given twice"]),
            ("entry not an object", craft(#"{"w":[1,2]}"#), ["\"w\"", "an array, not an object"]),
            ("metadata not strings", craft(#"{"__metadata__":{"epoch":3}}"#), ["metadata \"epoch\"", "not a string"]),
            ("metadata not an object", craft(#"{"__metadata__":"x"}"#), ["\"__metadata__\"", "not an object"]),
        ]
        for (label, bytes, mentions) in cases { try assertMalformed(bytes, mentions, label) }
    }

    func testHeaderLongerThanTheLimitIsRejectedBeforeReadingIt() throws {
        let target = path("huge-header.safetensors")
        try write(craft("{}", length: 150_000_000), to: target)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: target))
        try handle.truncate(atOffset: 200_000_000)  // sparse: cheap
        try handle.close()
        assertThrows(.invalidArgument, op: "load_safetensors", mentions: [target, "150000000", "limit"]) {
            try loadSafetensors(from: target)
        }
    }

    func testTruncatedSavedFilesAreRejectedAtEveryLength() throws {
        let target = path("model.safetensors")
        try saveSafetensors([("a", try counting([3, 5])), ("b", try counting([7]))], to: target, metadata: ["m": "x"])
        let full = try bytes(target)
        for cut in stride(from: 0, to: full.count, by: 3) {
            let truncated = path("cut\(cut).safetensors")
            try write(Array(full[..<cut]), to: truncated)
            assertThrows(.invalidArgument, op: "load_safetensors", mentions: [truncated, "truncated"], "cut at \(cut)") {
                try loadSafetensors(from: truncated)
            }
        }
    }

    func testEveryFlippedHeaderByteIsRejectedOrLoadsConsistently() throws {
        let target = path("model.safetensors")
        try saveSafetensors([("a", try counting([2, 2])), ("b", try counting([3]))], to: target)
        let original = try bytes(target)
        let headerEnd = 8 + Int(original[0])
        for position in 0..<headerEnd {
            var corrupted = original
            corrupted[position] ^= 0x5A
            let damaged = path("flip\(position).safetensors")
            try write(corrupted, to: damaged)
            do {
                let loaded = try loadSafetensors(from: damaged)
                // A flip inside a name or padding can leave a valid file: then it must describe the data exactly.
                XCTAssertEqual(loaded.tensors.map(\.tensor.count).reduce(0, +), 7, "byte \(position)")
            } catch let error as PolyheadError {
                XCTAssertTrue(error.description.contains(damaged), "byte \(position): \(error)")
            }
        }
    }

    func testFileSystemErrorsAreIOErrorsWithErrno() throws {
        let missing = path("missing.safetensors")
        assertThrows(.io, mentions: [missing, "No such file"]) { try loadSafetensors(from: missing) }
        assertThrows(.io, mentions: [directory, "is a directory"]) { try loadSafetensors(from: directory) }
        do {
            _ = try loadSafetensors(from: missing)
        } catch let PolyheadError.io(path, _, code) {
            XCTAssertEqual(path, missing)
            XCTAssertEqual(code, ENOENT)
        }
        assertThrows(.io, mentions: ["nowhere"]) { try saveSafetensors([], to: path("nowhere/file.safetensors")) }
    }
}
