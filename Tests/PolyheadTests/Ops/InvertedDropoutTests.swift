import XCTest
@testable import Polyhead

final class InvertedDropoutTests: XCTestCase {
    func testKeepsOrZeroesAndScales() throws {
        manualSeed(3)
        let x = try Tensor.full([4000], 2, requiresGrad: true)
        let y = try x.dropout(0.25)
        let kept = y.scalars.filter { $0 != 0 }
        XCTAssertTrue(kept.allSatisfy { abs($0 - 2 / 0.75) < 1e-6 }, "survivors are scaled by 1/(1-p)")
        XCTAssertEqual(Double(kept.count) / 4000, 0.75, accuracy: 0.03)
        try y.sum().backward()
        XCTAssertEqual(gradient(of: x), y.scalars.map { Double($0) / 2 }, "the gradient uses the same mask")
    }

    func testMaskFollowsTheGlobalGeneratorDrawByDraw() throws {
        manualSeed(11)
        let y = try Tensor.ones([64]).dropout(0.5)
        manualSeed(11)
        let draws = try Tensor.rand([64]).scalars
        XCTAssertEqual(y.scalars, draws.map { $0 >= 0.5 ? 2 : 0 })
        manualSeed(11)
        XCTAssertEqual(try Tensor.ones([64]).dropout(0.5).scalars, y.scalars, "same seed, same mask")
    }

    func testExtremeProbabilities() throws {
        let x = try counting([2, 3])
        XCTAssertEqual(try x.dropout(0).scalars, x.scalars)
        XCTAssertEqual(try x.dropout(1).scalars, [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(try Tensor.zeros([0, 3]).dropout(0.5).shape, [0, 3])
    }

    func testInvalidProbabilityThrows() {
        for p: Float in [-0.1, 1.5, .nan] {
            assertThrows(.invalidArgument, op: "dropout", mentions: ["between 0 and 1"]) { try Tensor.ones([2]).dropout(p) }
        }
    }
}
