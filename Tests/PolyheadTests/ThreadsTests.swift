import XCTest
@testable import Polyhead

final class ThreadsTests: XCTestCase {
    func testSetAndGetNumThreads() throws {
        let previous = numThreads
        defer { try? setNumThreads(previous) }
        try setNumThreads(1)
        XCTAssertEqual(numThreads, 1)
        assertThrows(.invalidArgument, op: "set_num_threads", mentions: ["0"]) { try setNumThreads(0) }
        assertThrows(.invalidArgument, op: "set_num_threads", mentions: ["-3"]) { try setNumThreads(-3) }
    }
}
