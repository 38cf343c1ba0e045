import XCTest
@testable import Polyhead

final class ActivationsTests: XCTestCase {
    func testActivationLayersApplyTheirOps() throws {
        let x = try T([-2, -0.5, 0, 1.5])
        XCTAssertEqual(try ReLU()(x).scalars, try x.relu().scalars)
        XCTAssertEqual(try Sigmoid()(x).scalars, try x.sigmoid().scalars)
        XCTAssertEqual(try Tanh()(x).scalars, try x.tanh().scalars)
        assertClose(try ReLU()(x), [0, 0, 0, 1.5])
        XCTAssertTrue(ReLU().namedParameters.isEmpty && Sigmoid().parameters.isEmpty && Tanh().parameters.isEmpty)
    }
}
