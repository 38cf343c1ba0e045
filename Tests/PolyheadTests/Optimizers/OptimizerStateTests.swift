import XCTest
@testable import Polyhead

final class OptimizerStateTests: XCTestCase {
    /// Two steps, the state copied into a fresh optimizer, one more step: the same as three steps in one go.
    func testRestoredStateResumesExactly() throws {
        let makers: [(String, (Tensor) throws -> Optimizer)] = [
            ("Adam", { try Adam(parameters: [$0], learningRate: 0.1) }),
            ("SGD momentum", { try SGD(parameters: [$0], learningRate: 0.1, momentum: 0.9) }),
            ("RMSprop centered", { try RMSprop(parameters: [$0], momentum: 0.5, centered: true) }),
            ("Adagrad", { try Adagrad(parameters: [$0], learningRate: 0.1, learningRateDecay: 0.1) }),
        ]
        for (label, make) in makers {
            let straight = try makeParameter()
            try feed(try make(straight), straight, steps: 0..<3)

            let first = try makeParameter()
            let original = try make(first)
            try feed(original, first, steps: 0..<2)
            let resumed = try make(first)
            for slot in 0..<original.stateSlotCount {
                try resumed.setState(slot: slot, parameter: 0, value: try original.state(slot: slot, parameter: 0))
            }
            try resumed.setUpdateCount(try original.updateCount(parameter: 0), parameter: 0)
            try resumed.setStepCount(original.stepCount)
            try feed(resumed, first, steps: 2..<3)
            XCTAssertEqual(first.scalars, straight.scalars, label)
            XCTAssertEqual(resumed.stepCount, 3, label)
        }
    }

    func testSlotCountsAndBadIndicesThrow() throws {
        let p = try makeParameter()
        XCTAssertEqual(try SGD(parameters: [p], learningRate: 0.1).stateSlotCount, 0)
        XCTAssertEqual(try Adam(parameters: [p]).stateSlotCount, 2)
        XCTAssertEqual(try RMSprop(parameters: [p], momentum: 0.9).stateSlotCount, 2)
        let adam = try Adam(parameters: [p])
        XCTAssertThrowsError(try adam.state(slot: 2, parameter: 0))
        XCTAssertThrowsError(try adam.state(slot: 0, parameter: 1))
        XCTAssertThrowsError(try adam.setState(slot: 0, parameter: 0, value: try Tensor.zeros([2])))
        XCTAssertThrowsError(try adam.setUpdateCount(-1, parameter: 0))
        XCTAssertThrowsError(try adam.setStepCount(-1))
    }

    private func feed(_ optimizer: Optimizer, _ parameter: Tensor, steps: Range<Int>) throws {
        for t in steps {
            try parameter.setGrad(Tensor(gradientSequence[t].map(Float.init), shape: [3]))
            optimizer.step()
        }
    }
}
