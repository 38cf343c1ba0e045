import XCTest
@testable import Polyhead

/// The broadcasting helpers behind every elementwise op.
final class BroadcastTests: XCTestCase {
    func testBroadcastShapes() throws {
        XCTAssertEqual(try Shape.broadcast([2, 3], [3], op: "t"), [2, 3])
        XCTAssertEqual(try Shape.broadcast([2, 1, 3], [4, 1], op: "t"), [2, 4, 3])
        XCTAssertEqual(try Shape.broadcast([], [5], op: "t"), [5])
        XCTAssertEqual(try Shape.broadcast([0, 1], [1, 4], op: "t"), [0, 4])
        assertThrows(.shapeMismatch, op: "t", mentions: ["(2, 3)", "(4,)"]) { try Shape.broadcast([2, 3], [4], op: "t") }
    }

    func testBroadcastStridesAreZeroAlongBroadcastAxes() {
        XCTAssertEqual(Shape.broadcastStrides(of: [2, 1, 3], to: [2, 4, 3]), [3, 0, 1])
        XCTAssertEqual(Shape.broadcastStrides(of: [4, 1], to: [2, 4, 3]), [0, 1, 0])
        XCTAssertEqual(Shape.broadcastStrides(of: [], to: [2, 2]), [0, 0])
    }

    func testSummedToShapeIsThePullbackOfBroadcasting() throws {
        let g = try counting([2, 4, 3])
        // Sum over axes 0 and 2 → (4, 1).
        assertClose(try g.summed(toShape: [4, 1]), [1 + 2 + 3 + 13 + 14 + 15, 4 + 5 + 6 + 16 + 17 + 18,
                                                   7 + 8 + 9 + 19 + 20 + 21, 10 + 11 + 12 + 22 + 23 + 24], shape: [4, 1])
        // Sum over axis 1 → (2, 1, 3).
        assertClose(try g.summed(toShape: [2, 1, 3]), [22, 26, 30, 70, 74, 78], shape: [2, 1, 3])
        assertClose(try g.summed(toShape: []), [300], shape: [])
        XCTAssertTrue(try g.summed(toShape: [2, 4, 3]) === g)
    }
}
