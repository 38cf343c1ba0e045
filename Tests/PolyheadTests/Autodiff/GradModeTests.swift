import Foundation
import XCTest
@testable import Polyhead

final class GradModeTests: XCTestCase {
    override func tearDown() {
        setGradEnabled(true)
        super.tearDown()
    }

    func testWithoutGradRecordsNothing() throws {
        let x = try T([1, 2], requiresGrad: true)
        let y = try withoutGrad { try (x * x).exp().sum() }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue(y.isLeaf)
        assertThrows(.invalidState, op: "backward") { try y.backward() }
        XCTAssertNil(x.grad)
        XCTAssertTrue(isGradEnabled, "recording is back on after the scope")
    }

    func testWithoutGradRestoresOnThrow() {
        XCTAssertThrowsError(try withoutGrad { try T([1, 2, 3]) + T([1, 2]) })
        XCTAssertTrue(isGradEnabled)
    }

    func testNestedScopesRestoreThePreviousSetting() throws {
        let x = try T([1], requiresGrad: true)
        try withoutGrad {
            withoutGrad { XCTAssertFalse(isGradEnabled) }
            XCTAssertFalse(isGradEnabled)
            XCTAssertFalse(try (x * 2).requiresGrad)
        }
        XCTAssertTrue(try (x * 2).requiresGrad)
    }

    func testSetGradEnabledReturnsPrevious() {
        XCTAssertTrue(setGradEnabled(false))
        XCTAssertFalse(isGradEnabled)
        XCTAssertFalse(setGradEnabled(true))
        XCTAssertTrue(isGradEnabled)
    }

    func testGradModeIsPerThread() throws {
        setGradEnabled(false)
        XCTAssertTrue(onNewThread { isGradEnabled }, "a new thread starts with recording on")
        XCTAssertFalse(isGradEnabled)
    }
}
