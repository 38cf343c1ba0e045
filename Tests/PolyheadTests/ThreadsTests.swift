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

    func testOneBlasThreadInsideAndTheCountRestoredAfter() throws {
        let previous = numThreads
        defer { try? setNumThreads(previous) }
        for threads in [1, 2] {
            try setNumThreads(threads)
            XCTAssertEqual(withOneBlasThread { numThreads }, 1)
            XCTAssertEqual(numThreads, threads)
        }
    }

    func testParallelRangesCoverEveryIndexOnce() throws {
        let previous = numThreads
        defer { try? setNumThreads(previous) }
        for threads in [1, 2, 3] {
            try setNumThreads(threads)
            for (count, grain) in [(0, 1), (1, 1), (5, 1), (1000, 3), (1000, 600), (7, Int.max)] {
                let visits = UnsafeMutableBufferPointer<Int>.allocate(capacity: Swift.max(count, 1))
                defer { visits.deallocate() }
                visits.initialize(repeating: 0)
                parallelRanges(count, grain: grain) { range in for i in range { visits[i] += 1 } }
                XCTAssertEqual(Array(visits.prefix(count)), [Int](repeating: 1, count: count), "\(count) items, grain \(grain), \(threads) threads")
            }
        }
    }

    func testSplitUpdatesGiveTheSameBitsAsOneThread() throws {
        // Large enough for Adam, the ReLU and its pullback to be split between threads.
        let previous = numThreads
        defer { try? setNumThreads(previous) }
        var random = TestRandom(seed: 11)
        let count = 4 * optimizerGrain + 5, values = Domain.symmetric(1).sample(count, &random)
        let gradient = Domain.symmetric(1).sample(count, &random)
        func run(threads: Int) throws -> (parameter: [Float], relu: [Float], reluGradient: [Float]) {
            try setNumThreads(threads)
            let parameter = try Tensor(values, shape: [count], requiresGrad: true)
            let adam = try Adam(parameters: [parameter], learningRate: 0.01)
            for _ in 0..<2 {
                try parameter.setGrad(Tensor(gradient, shape: [count]))
                adam.step()
            }
            let x = try Tensor(values, shape: [count], requiresGrad: true)
            let y = try x.relu()
            try y.backward(seed: Tensor(gradient, shape: [count]))
            return (parameter.scalars, y.scalars, try XCTUnwrap(x.grad).scalars)
        }
        let one = try run(threads: 1), two = try run(threads: 2)
        XCTAssertEqual(one.parameter.map(\.bitPattern), two.parameter.map(\.bitPattern), "Adam")
        XCTAssertEqual(one.relu, values.map { Swift.max($0, 0) }, "relu forward")
        XCTAssertEqual(one.relu.map(\.bitPattern), two.relu.map(\.bitPattern), "relu forward")
        XCTAssertEqual(one.reluGradient.map(\.bitPattern), two.reluGradient.map(\.bitPattern), "relu pullback")
    }

    func testColumnSumsAreRowOrderSumsWhateverTheSplit() throws {
        // 150 columns: two whole 64-column thread tiles and a partial one, 32-column kernel tiles and a
        // remainder; enough rows for the split between threads.
        let previous = numThreads
        defer { try? setNumThreads(previous) }
        var random = TestRandom(seed: 12)
        let rows = 1800, columns = 150, values = Domain.symmetric(1).sample(rows * columns, &random)
        var expected = [Float](repeating: 0, count: columns)
        for row in 0..<rows { for j in 0..<columns { expected[j] += values[row * columns + j] } }
        for threads in [1, 2] {
            try setNumThreads(threads)
            let sums = try values.withUnsafeBufferPointer {
                try columnSums(try XCTUnwrap($0.baseAddress), rows: rows, columns: columns).scalars
            }
            XCTAssertEqual(sums.map(\.bitPattern), expected.map(\.bitPattern), "\(threads) threads")
        }
    }
}
