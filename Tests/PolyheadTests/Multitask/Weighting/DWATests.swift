import XCTest
@testable import Polyhead

/// Dynamic Weight Average (Liu et al. 2019) against hand-computed weights for given loss histories.
final class DWATests: XCTestCase {
    /// Runs one epoch of steps with the given loss values; returns each step's weights.
    private func epoch(_ method: DWA, _ steps: [[Double]]) throws -> [[Double]] {
        defer { method.endEpoch() }
        return try steps.map { try stepOnLeaves(method, $0).weights }
    }

    func testWeightsAfterGivenLossHistories() throws {
        let method = try DWA(taskCount: 2)
        // Epochs 0 and 1: weights 1. Averages: epoch 0 = (3, 6), epoch 1 = (1.5, 6).
        XCTAssertEqual(try epoch(method, [[2, 4], [4, 8]]), [[1, 1], [1, 1]])
        XCTAssertEqual(try epoch(method, [[1, 6], [2, 5], [1.5, 7]]), [[1, 1], [1, 1], [1, 1]])
        // Epoch 2: r = (0.5, 1), λ = 2·softmax(r / 2).
        let expected = referenceSoftmax([0.25, 0.5]).map { 2 * $0 }
        let (weights, gradients) = try stepOnLeaves(method, [1, 1])
        assertClose(weights, expected, tolerance: 1e-12)
        assertClose(gradients, expected, tolerance: 1e-6)
        _ = try stepOnLeaves(method, [0.5, 9])
        method.endEpoch()                       // epoch 2 average = (0.75, 5)
        // Epoch 3: the oldest average is dropped: r = (0.75/1.5, 5/6).
        let next = referenceSoftmax([0.5 / 2, 5.0 / 6 / 2]).map { 2 * $0 }
        assertClose(try stepOnLeaves(method, [1, 1]).weights, next, tolerance: 1e-12)
    }

    func testTemperatureAndFourTasks() throws {
        let method = try MultiTaskMethods.make("dwa", taskCount: 4, options: ["temperature": 0.5])
        _ = try stepOnLeaves(method, [1, 2, 3, 4]); method.endEpoch()
        _ = try stepOnLeaves(method, [2, 1, 3, 0.4]); method.endEpoch()
        let rates = [2.0, 0.5, 1, Double(Float(0.4)) / 4]
        let expected = referenceSoftmax(rates.map { $0 / 0.5 }).map { 4 * $0 }
        let weights = try stepOnLeaves(method, [1, 1, 1, 1]).weights
        assertClose(weights, expected, tolerance: 1e-12)
        XCTAssertEqual(weights.reduce(0, +), 4, accuracy: 1e-12)
    }

    func testAnEpochWithoutStepsDoesNotShiftTheHistory() throws {
        let method = try DWA(taskCount: 2)
        _ = try epoch(method, [[1, 1]])
        method.endEpoch()
        method.endEpoch()
        XCTAssertEqual(method.epochAverages, [[1], [1]])
        XCTAssertEqual(try stepOnLeaves(method, [1, 1]).weights, [1, 1])
    }

    func testTinyAveragesAndOneTaskStayFinite() throws {
        let method = try DWA(taskCount: 3)
        _ = try epoch(method, [[1e-30, 1e-30, 1]])
        _ = try epoch(method, [[1e-30, 1e-3, 1]])
        XCTAssertEqual(try stepOnLeaves(method, [0, 0, 0]).weights, [0, 0, 0])   // no task present: no update
        let weights = try stepOnLeaves(method, [1e-30, 1e-30, 1e-30]).weights
        XCTAssertTrue(weights.allSatisfy(\.isFinite), "\(weights)")
        XCTAssertEqual(weights.reduce(0, +), 3, accuracy: 1e-9)
        XCTAssertEqual(weights[1], 3, accuracy: 1e-9)   // its loss rose from 0: r = 1e-3/1e-8
        let single = try DWA(taskCount: 1)
        _ = try epoch(single, [[2]]); _ = try epoch(single, [[1]])
        XCTAssertEqual(try stepOnLeaves(single, [1]).weights, [1])
        assertThrows(.invalidArgument, op: "dwa", mentions: ["temperature=0"]) {
            try MultiTaskMethods.make("dwa", taskCount: 2, options: ["temperature": 0])
        }
    }
}
