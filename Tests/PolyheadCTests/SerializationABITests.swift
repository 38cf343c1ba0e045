import Foundation
import PolyheadC
import XCTest

/// The serialization section of `polyhead.h`: save, load through a file handle, errno for I/O failures,
/// value errors for malformed files, NULL arguments, and no leaks.
final class SerializationABITests: ABITestCase {
    private var directory = ""

    override func setUp() {
        super.setUp()
        directory = NSTemporaryDirectory() + "polyhead-abi-io-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
        super.tearDown()
    }

    /// Calls `body` with C string arrays for `strings`.
    private func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { Foundation.free($0) } }
        return body(copies.map { UnsafePointer($0) })
    }

    /// Saves `tensors` under `names` with metadata through `ph_safetensors_save`.
    private func save(_ path: String, _ names: [String], _ tensors: [OpaquePointer?], _ metadata: [(String, String)] = []) -> Int32 {
        withCStrings(names) { cNames in
            withCStrings(metadata.map(\.0)) { keys in
                withCStrings(metadata.map(\.1)) { values in
                    ph_safetensors_save(path, cNames, tensors, Int32(tensors.count), keys, values, Int32(metadata.count))
                }
            }
        }
    }

    func testSaveAndLoadThroughAFileHandle() {
        let path = directory + "/model.safetensors"
        let a = makeTensor([1, 2, 3, 4, 5, 6], [2, 3]), b = makeTensor([-1], [])
        defer { free(a, b) }
        assertOK(save(path, ["a", "b"], [a, b], [("format", "pt"), ("epoch", "3")]), "save")
        var file: OpaquePointer?
        assertOK(ph_safetensors_load(&file, path), "load")
        defer { _ = ph_safetensors_free(file) }
        var count: Int32 = -1
        assertOK(ph_safetensors_tensor_count(&count, file))
        XCTAssertEqual(count, 2)
        var name: UnsafePointer<CChar>?
        assertOK(ph_safetensors_tensor_name(&name, file, 1))
        XCTAssertEqual(String(cString: name!), "b")
        var tensor: OpaquePointer?
        assertOK(ph_safetensors_tensor(&tensor, file, 0))
        XCTAssertEqual(shape(tensor), [2, 3])
        XCTAssertEqual(values(tensor), [1, 2, 3, 4, 5, 6])
        _ = ph_tensor_free(tensor)
        assertOK(ph_safetensors_metadata_count(&count, file))
        XCTAssertEqual(count, 2)
        var key: UnsafePointer<CChar>?, value: UnsafePointer<CChar>?
        assertOK(ph_safetensors_metadata(&key, &value, file, 0))
        XCTAssertEqual([String(cString: key!), String(cString: value!)], ["epoch", "3"], "sorted by key")
        assertStatus(Status.index, mentions: ["tensor index 2", "0..<2"]) { ph_safetensors_tensor(&tensor, file, 2) }
        assertStatus(Status.index, mentions: ["-1"]) { ph_safetensors_tensor_name(&name, file, -1) }
        assertStatus(Status.index, mentions: ["metadata index 5"]) { ph_safetensors_metadata(&key, &value, file, 5) }
    }

    func testTensorsOutliveTheirFileHandle() {
        let path = directory + "/x.safetensors"
        let a = makeTensor([7, 8], [2])
        assertOK(save(path, ["a"], [a]))
        free(a)
        var file: OpaquePointer?, tensor: OpaquePointer?
        assertOK(ph_safetensors_load(&file, path))
        assertOK(ph_safetensors_tensor(&tensor, file, 0))
        assertOK(ph_safetensors_free(file))
        XCTAssertEqual(values(tensor), [7, 8])
        free(tensor)
        assertOK(ph_safetensors_free(nil), "free(NULL)")
    }

    func testIOErrorsCarryErrnoAndMalformedFilesAreValueErrors() {
        var file: OpaquePointer?
        let missing = directory + "/missing.safetensors"
        assertStatus(Status.io, mentions: [missing, "No such file"]) { ph_safetensors_load(&file, missing) }
        var code: Int32 = -1
        assertOK(ph_last_errno(&code))
        XCTAssertEqual(code, ENOENT)
        XCTAssertNil(file, "out-parameter untouched")
        assertStatus(Status.io, mentions: ["is a directory"]) { ph_safetensors_load(&file, directory) }
        assertOK(ph_last_errno(&code))
        XCTAssertEqual(code, EISDIR)
        let bad = directory + "/bad.safetensors"
        FileManager.default.createFile(atPath: bad, contents: Data([1, 2, 3]))
        assertStatus(Status.value, mentions: [bad, "truncated"]) { ph_safetensors_load(&file, bad) }
        assertOK(ph_last_errno(&code))
        XCTAssertEqual(code, 0, "errno cleared by a non-I/O failure")
        let a = makeTensor([1], [1])
        defer { free(a) }
        assertStatus(Status.value, mentions: ["duplicate", "\"a\""]) { save(bad, ["a", "a"], [a, a]) }
        assertStatus(Status.value, mentions: ["metadata key \"k\" given twice"]) { save(bad, ["a"], [a], [("k", "1"), ("k", "2")]) }
        assertStatus(Status.io, mentions: ["nowhere"]) { save(directory + "/nowhere/x.safetensors", ["a"], [a]) }
    }

    func testNullArgumentsAreValueErrors() {
        var file: OpaquePointer?
        var count: Int32 = 0
        var text: UnsafePointer<CChar>?
        var tensor: OpaquePointer?
        let a = makeTensor([1], [1])
        defer { free(a) }
        var handles: [OpaquePointer?] = [a], withNull: [OpaquePointer?] = [nil]
        let path = directory + "/n.safetensors"
        assertStatus(Status.value, mentions: ["path"]) { ph_safetensors_load(&file, nil) }
        assertStatus(Status.value, mentions: ["out"]) { ph_safetensors_load(nil, path) }
        assertStatus(Status.value, mentions: ["path"]) { ph_safetensors_save(nil, nil, nil, 0, nil, nil, 0) }
        assertStatus(Status.value, mentions: ["names"]) { ph_safetensors_save(path, nil, &handles, 1, nil, nil, 0) }
        assertStatus(Status.value, mentions: ["tensors[0]"]) {
            withCStrings(["a"]) { ph_safetensors_save(path, $0, &withNull, 1, nil, nil, 0) }
        }
        assertStatus(Status.value, mentions: ["metadata_keys"]) { ph_safetensors_save(path, nil, nil, 0, nil, nil, 1) }
        assertStatus(Status.value, mentions: ["negative count"]) { ph_safetensors_save(path, nil, nil, -1, nil, nil, 0) }
        assertStatus(Status.value, mentions: ["file"]) { ph_safetensors_tensor_count(&count, nil) }
        assertStatus(Status.value, mentions: ["file"]) { ph_safetensors_tensor_name(&text, nil, 0) }
        assertStatus(Status.value, mentions: ["file"]) { ph_safetensors_tensor(&tensor, nil, 0) }
        assertStatus(Status.value, mentions: ["file"]) { ph_safetensors_metadata_count(&count, nil) }
        assertStatus(Status.value, mentions: ["key_out"]) { ph_safetensors_metadata(nil, &text, nil, 0) }
        assertStatus(Status.value, mentions: ["out"]) { ph_last_errno(nil) }
        assertStatus(Status.value, mentions: ["NULL data"]) { ph_file_write_atomic(path, nil, 4) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "nothing written")
    }

    func testAtomicWriteOfRawBytes() {
        let path = directory + "/config.json"
        let text = Array(#"{"layers": 2}"#.utf8)
        assertOK(text.withUnsafeBytes { ph_file_write_atomic(path, $0.baseAddress, Int64($0.count)) })
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data(text))
        assertOK(ph_file_write_atomic(path, nil, 0))
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data())
    }
}
