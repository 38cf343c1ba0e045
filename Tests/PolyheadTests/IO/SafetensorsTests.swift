import Foundation
import XCTest
@testable import Polyhead

/// A fresh temporary directory per test, removed afterwards.
class TemporaryDirectoryTestCase: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "polyhead-io-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A path inside the test's directory.
    func path(_ name: String) -> String { directory + "/" + name }

    /// The bytes of a file.
    func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Writes raw bytes to a file (not atomically: for crafting malformed files).
    func write(_ bytes: [UInt8], to path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    /// The file names in the test's directory, sorted.
    func listing() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: directory).sorted() }
}

/// Round trips and the exact byte layout of the format.
final class SafetensorsTests: TemporaryDirectoryTestCase {
    func testRoundTripKeepsNamesOrderShapesValuesAndMetadata() throws {
        let tensors: [(name: String, tensor: Tensor)] = [
            ("trunk.0.weight", try counting([3, 2])), ("trunk.0.bias", try T([-1.5, 0, 2.25])),
            ("scalar", Tensor(7)), ("empty", try Tensor.zeros([0, 4])), ("ünïcødé \"quoted\"\n", try counting([2, 1, 2])),
            ("a.special", try T([.infinity, -.infinity, .nan, -0.0, Float.leastNonzeroMagnitude, .greatestFiniteMagnitude])),
        ]
        let file = path("model.safetensors")
        try saveSafetensors(tensors, to: file, metadata: ["format": "pt", "note": "tabs\tand \"quotes\" ✓"])
        let loaded = try loadSafetensors(from: file)
        XCTAssertEqual(loaded.tensors.map(\.name), tensors.map(\.name))
        XCTAssertEqual(loaded.metadata, ["format": "pt", "note": "tabs\tand \"quotes\" ✓"])
        for (original, copy) in zip(tensors, loaded.tensors) {
            XCTAssertEqual(copy.tensor.shape, original.tensor.shape, original.name)
            XCTAssertEqual(copy.tensor.scalars.map(\.bitPattern), original.tensor.scalars.map(\.bitPattern), original.name)
            XCTAssertFalse(copy.tensor.requiresGrad)
        }
        XCTAssertEqual(try listing(), ["model.safetensors"], "no temporary file left behind")
    }

    func testByteLayoutFollowsTheSpecification() throws {
        let file = path("layout.safetensors")
        try saveSafetensors([("w", try T([1, 2, 3, 4, 5, 6], [2, 3])), ("b", try T([0.5]))], to: file, metadata: ["k": "v"])
        let data = try bytes(file)
        let length = data[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(length % 8, 0, "header padded to a multiple of 8")
        let header = String(decoding: data[8..<(8 + length)], as: UTF8.self)
        let expected = #"{"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"#
            + #""b":{"dtype":"F32","shape":[1],"data_offsets":[24,28]}}"#
        XCTAssertEqual(header.trimmingCharacters(in: .init(charactersIn: " ")), expected)
        XCTAssertTrue(header.hasSuffix(expected + String(repeating: " ", count: length - expected.utf8.count)),
                      "padding is spaces after the JSON")
        XCTAssertEqual(data.count, 8 + length + 28)
        let firstFloat = data[(8 + length)..<(8 + length + 4)]
        XCTAssertEqual(Array(firstFloat), [0x00, 0x00, 0x80, 0x3F], "1.0 as little-endian float32")
    }

    func testEmptyFileListAndNoMetadata() throws {
        let file = path("empty.safetensors")
        try saveSafetensors([], to: file)
        XCTAssertEqual(try bytes(file), [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8))
        let loaded = try loadSafetensors(from: file)
        XCTAssertTrue(loaded.tensors.isEmpty)
        XCTAssertEqual(loaded.metadata, [:])
    }

    func testSavingReplacesAnExistingFile() throws {
        let file = path("w.safetensors")
        try saveSafetensors([("x", try counting([1000]))], to: file)
        try saveSafetensors([("y", try T([3]))], to: file)
        let loaded = try loadSafetensors(from: file)
        XCTAssertEqual(loaded.tensors.map(\.name), ["y"])
        XCTAssertEqual(loaded.tensors[0].tensor.scalars, [3])
    }

    func testSaveRejectsDuplicateAndReservedNamesBeforeWriting() throws {
        let file = path("bad.safetensors")
        assertThrows(.invalidArgument, op: "save_safetensors", mentions: ["duplicate", "\"a\"", file]) {
            try saveSafetensors([("a", Tensor(1)), ("a", Tensor(2))], to: file)
        }
        assertThrows(.invalidArgument, op: "save_safetensors", mentions: ["__metadata__", "reserved"]) {
            try saveSafetensors([("__metadata__", Tensor(1))], to: file)
        }
        XCTAssertEqual(try listing(), [])
    }
}
