import Foundation
import XCTest
@testable import Polyhead

/// A failed write never touches the previous file and never leaves a temporary file behind.
final class AtomicFileTests: TemporaryDirectoryTestCase {
    private struct Interrupted: Error {}

    func testAnErrorInTheMiddleOfAWriteLeavesThePreviousFileByteIdentical() throws {
        let target = path("model.safetensors")
        try saveSafetensors([("w", try counting([64, 64]))], to: target, metadata: ["v": "1"])
        let original = try bytes(target)
        XCTAssertThrowsError(try AtomicFile.write(to: target) { writer in
            try writer.write("partial new contents")
            throw Interrupted()
        }) { XCTAssertTrue($0 is Interrupted) }
        XCTAssertEqual(try bytes(target), original)
        XCTAssertEqual(try listing(), ["model.safetensors"], "temporary file removed")
    }

    func testRenameFailureRemovesTheTemporaryFile() throws {
        let blocked = path("blocked")
        try FileManager.default.createDirectory(atPath: blocked + "/inside", withIntermediateDirectories: true)
        assertThrows(.io, mentions: [blocked, "rename"]) { try saveSafetensors([("w", Tensor(1))], to: blocked) }
        XCTAssertEqual(try listing(), ["blocked"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: blocked), ["inside"])
    }

    func testMissingDirectoryIsAnIOErrorWithErrno() throws {
        let target = path("absent/file.bin")
        do {
            try writeFileAtomically(UnsafeRawBufferPointer(start: nil, count: 0), to: target)
            XCTFail("expected an error")
        } catch let PolyheadError.io(errorPath, message, code) {
            XCTAssertEqual(errorPath, target)
            XCTAssertEqual(code, ENOENT)
            XCTAssertTrue(message.contains("temporary file"), message)
        }
        assertThrows(.io, mentions: ["empty path"]) { try saveSafetensors([], to: "") }
    }

    func testRejectedInputLeavesThePreviousFileAlone() throws {
        let target = path("keep.safetensors")
        try saveSafetensors([("a", try counting([3]))], to: target)
        let original = try bytes(target)
        assertThrows(.invalidArgument) { try saveSafetensors([("a", Tensor(1)), ("a", Tensor(2))], to: target) }
        XCTAssertEqual(try bytes(target), original)
        XCTAssertEqual(try listing(), ["keep.safetensors"])
    }

    func testReplacementKeepsThePermissionBits() throws {
        let target = path("private.bin")
        try [UInt8]([1, 2, 3]).withUnsafeBytes { try writeFileAtomically($0, to: target) }
        XCTAssertEqual(chmod(target, 0o600), 0)
        try [UInt8]([4, 5]).withUnsafeBytes { try writeFileAtomically($0, to: target) }
        XCTAssertEqual(try bytes(target), [4, 5])
        let mode = try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    func testRelativePathsAndPathSplitting() throws {
        XCTAssertTrue(AtomicFile.splitPath("model.bin") == (".", "model.bin"))
        XCTAssertTrue(AtomicFile.splitPath("/model.bin") == ("/", "model.bin"))
        XCTAssertTrue(AtomicFile.splitPath("a/b/model.bin") == ("a/b", "model.bin"))
        XCTAssertTrue(AtomicFile.splitPath("/a/b/") == ("/a", "b"))
        let previous = FileManager.default.currentDirectoryPath
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        FileManager.default.changeCurrentDirectoryPath(directory)
        try saveSafetensors([("x", Tensor(2))], to: "relative.safetensors")
        XCTAssertEqual(try loadSafetensors(from: path("relative.safetensors")).tensors[0].tensor.scalars, [2])
    }
}
