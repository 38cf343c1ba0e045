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

    func testParallelWorkersCoverEveryUnitOnceWithOneBlasThreadEach() throws {
        let previous = numThreads
        defer { try? setNumThreads(previous) }
        for threads in [1, 2, 3] {
            try setNumThreads(threads)
            for (count, workers) in [(0, 2), (1, 2), (5, 2), (7, 3), (9, 1)] {
                let visits = UnsafeMutableBufferPointer<Int>.allocate(capacity: Swift.max(count, 1))
                defer { visits.deallocate() }
                visits.initialize(repeating: 0)
                let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: workers)
                defer { seen.deallocate() }
                seen.initialize(repeating: 0)
                parallelWorkers(count, workers: workers) { worker, units in
                    seen[worker] += 1
                    for i in units { visits[i] += Swift.min(workers, count) > 1 ? numThreads : 1 }
                }
                XCTAssertEqual(Array(visits.prefix(count)), [Int](repeating: 1, count: count), "\(count) units, \(workers) workers")
                XCTAssertLessThanOrEqual(seen.max() ?? 0, 1, "each worker index used once")
            }
            XCTAssertEqual(numThreads, threads, "the OpenBLAS thread count is restored")
        }
    }

    func testConcurrentProductsOnOneBlasThreadEachGiveTheBitsOfSerialOnes() throws {
        // Four workers (more than the cores, so they contend) each run products of their own; OpenBLAS
        // must keep its per-call buffers apart (pthread builds ≥ 0.3.x do).
        let previous = numThreads
        defer { try? setNumThreads(previous) }
        var random = TestRandom(seed: 13)
        let (m, n, k, units) = (96, 40, 70, 16)
        let a = Domain.symmetric(1).sample(units * m * k, &random), b = Domain.symmetric(1).sample(k * n, &random)
        func products(workers: Int) -> [Float] {
            var c = [Float](repeating: 0, count: units * m * n)
            a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
                let (pa, pb, pc) = (a.baseAddress!, b.baseAddress!, c.baseAddress!)
                parallelWorkers(units, workers: workers) { _, range in
                    for _ in 0..<20 {
                        for u in range { sgemm(pa + u * m * k, pb, pc + u * m * n, m: m, n: n, k: k) }
                    }
                }
            } } }
            return c
        }
        try setNumThreads(1)
        let serial = products(workers: 1)
        try setNumThreads(4)
        for _ in 0..<3 { XCTAssertEqual(products(workers: 4).map(\.bitPattern), serial.map(\.bitPattern)) }
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
