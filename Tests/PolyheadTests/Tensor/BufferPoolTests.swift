import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import Polyhead

final class BufferPoolTests: XCTestCase {
    private func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        var raw: UnsafeMutableRawPointer?
        XCTAssertEqual(posix_memalign(&raw, 64, bytes), 0)
        return raw!
    }

    func testAFreedBufferIsReusedOnlyForItsOwnSize() {
        var pool = BufferPool()
        let bytes = BufferPool.smallest * 3, buffer = allocate(bytes)
        pool.give(buffer, bytes: bytes)
        XCTAssertNil(pool.take(bytes: bytes + 4))
        XCTAssertEqual(pool.take(bytes: bytes), buffer)
        XCTAssertNil(pool.take(bytes: bytes), "a buffer is handed out once")
        free(buffer)
    }

    func testSmallAndHugeBuffersAreNotKept() {
        var pool = BufferPool()
        let small = BufferPool.smallest - 4, huge = BufferPool.largest + 4
        pool.give(allocate(small), bytes: small)
        pool.give(allocate(huge), bytes: huge)
        XCTAssertNil(pool.take(bytes: small))
        XCTAssertNil(pool.take(bytes: huge))
    }

    func testTheOldestBuffersAreFreedBeyondTheCapacity() {
        var pool = BufferPool()
        let bytes = BufferPool.largest, count = BufferPool.capacity / bytes + 1
        let buffers = (0..<count).map { _ in allocate(bytes) }
        for buffer in buffers { pool.give(buffer, bytes: bytes) }
        // The newest `capacity / bytes` stay, most recent first; the oldest was freed.
        for buffer in buffers.dropFirst().reversed() { XCTAssertEqual(pool.take(bytes: bytes), buffer) }
        XCTAssertNil(pool.take(bytes: bytes))
        for buffer in buffers.dropFirst() { free(buffer) }
    }

    func testStoragesReuseFreedMemoryWithoutSharingIt() throws {
        let count = BufferPool.smallest  // elements: 4 × the smallest kept size
        var first: Storage? = try Storage(count: count, op: "test")
        let address = first!.pointer
        first = nil
        let second = try Storage(count: count, op: "test"), third = try Storage(count: count, op: "test")
        XCTAssertEqual(second.pointer, address)
        XCTAssertNotEqual(third.pointer, second.pointer)
    }
}
