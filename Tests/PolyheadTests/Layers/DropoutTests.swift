import XCTest
@testable import Polyhead

final class DropoutTests: XCTestCase {
    func testTrainingDropsAndEvaluationPassesThrough() throws {
        let layer = try Dropout(p: 0.5)
        XCTAssertTrue(layer.isTraining)
        let x = try Tensor.ones([1000])
        manualSeed(4)
        let y = try layer(x)
        manualSeed(4)
        XCTAssertEqual(y.scalars, try x.dropout(0.5).scalars, "the layer is the op from the global generator")
        XCTAssertTrue(y.scalars.contains(0) && y.scalars.contains(2))
        layer.eval()
        XCTAssertTrue(try layer(x) === x, "evaluation returns the input itself")
        layer.train()
        XCTAssertTrue(layer.isTraining)
    }

    func testTrainModePropagatesThroughNestedSequentials() throws {
        let dropout = try Dropout(p: 0.1), norm = try BatchNorm1d(3)
        let net = Sequential(try Linear(3, 3), Sequential(dropout, norm))
        net.eval()
        XCTAssertFalse(dropout.isTraining || norm.isTraining)
        net.train()
        XCTAssertTrue(dropout.isTraining && norm.isTraining)
    }

    func testInvalidProbability() {
        assertThrows(.invalidArgument, op: "Dropout", mentions: ["1.5"]) { try Dropout(p: 1.5) }
    }
}
