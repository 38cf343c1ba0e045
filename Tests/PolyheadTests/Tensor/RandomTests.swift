import XCTest
@testable import Polyhead

final class RandomTests: XCTestCase {
    func testSameSeedGivesIdenticalStreams() throws {
        manualSeed(42)
        let normal = try Tensor.randn([1001]), uniform = try Tensor.uniform([257], low: -3, high: 5), unit = try Tensor.rand([4])
        manualSeed(42)
        XCTAssertEqual(try Tensor.randn([1001]).scalars, normal.scalars)
        XCTAssertEqual(try Tensor.uniform([257], low: -3, high: 5).scalars, uniform.scalars)
        XCTAssertEqual(try Tensor.rand([4]).scalars, unit.scalars)
    }

    func testDifferentSeedsDiffer() throws {
        manualSeed(1)
        let a = try Tensor.randn([64]).scalars, u = try Tensor.rand([64]).scalars
        manualSeed(2)
        let b = try Tensor.randn([64]).scalars, v = try Tensor.rand([64]).scalars
        XCTAssertNotEqual(a, b)
        XCTAssertNotEqual(u, v)
        XCTAssertLessThan(zip(a, b).filter { $0 == $1 }.count, 2, "streams of different seeds overlap")
    }

    func testTheStreamContinuesAcrossCalls() throws {
        manualSeed(9)
        let first = try Tensor.rand([3]).scalars, second = try Tensor.rand([3]).scalars
        XCTAssertNotEqual(first, second)
        manualSeed(9)
        XCTAssertEqual(try Tensor.rand([6]).scalars, first + second)
    }

    func testGeneratorIsSplitMix64() throws {
        // SplitMix64 (Steele et al. 2014) from state 0 yields 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4,
        // 0x06C45D188009454F; a uniform float takes the top 24 bits. Python must reproduce these exactly.
        manualSeed(0)
        XCTAssertEqual(try Tensor.rand([3]).scalars, [0.8833107948303223, 0.4315279722213745, 0.02643376588821411])
        // randn: Box–Muller on two (0, 1] doubles with 53 bits each (seed 42), as a cos/sin pair.
        manualSeed(42)
        assertClose(try Tensor.randn([2]), [0.41471975043153003, 0.652681222151943], tolerance: 1e-6)
    }

    func testRandnMomentsOver100kSamples() throws {
        manualSeed(2024)
        let values = try Tensor.randn([100_000]).scalars.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)
        XCTAssertEqual(mean, 0, accuracy: 0.015)  // standard error 0.003
        XCTAssertEqual(variance.squareRoot(), 1, accuracy: 0.015)
        XCTAssertTrue(values.allSatisfy(\.isFinite))
        let within1 = Double(values.filter { abs($0) < 1 }.count) / Double(values.count)
        XCTAssertEqual(within1, 0.6827, accuracy: 0.01)
    }

    func testUniformBoundsAndMean() throws {
        manualSeed(5)
        let values = try Tensor.uniform([100_000], low: -2, high: 3).scalars
        XCTAssertTrue(values.allSatisfy { $0 >= -2 && $0 < 3 }, "outside [-2, 3)")
        let mean = values.map(Double.init).reduce(0, +) / Double(values.count)
        XCTAssertEqual(mean, 0.5, accuracy: 0.03)
        XCTAssertLessThan(values.min()!, -1.99)
        XCTAssertGreaterThan(values.max()!, 2.99)
        let unit = try Tensor.rand([10_000]).scalars
        XCTAssertTrue(unit.allSatisfy { $0 >= 0 && $0 < 1 })
    }

    func testRandomPermutationIsSeededAndUniform() {
        func permutation(_ count: Int) -> [Int64] {
            var order = [Int64](repeating: -1, count: count)
            order.withUnsafeMutableBufferPointer { randomPermutation(into: $0) }
            return order
        }
        manualSeed(3)
        let first = permutation(1000)
        XCTAssertEqual(first.sorted(), (0..<1000).map(Int64.init))
        XCTAssertNotEqual(first, (0..<1000).map(Int64.init))
        manualSeed(3)
        XCTAssertEqual(permutation(1000), first)
        XCTAssertEqual(randomPermutation(0), [])
        // all 6 orders of 3 items, each ≈ 1000 times in 6000 draws (binomial sd ≈ 29)
        var counts: [[Int64]: Int] = [:]
        for _ in 0..<6000 { counts[permutation(3), default: 0] += 1 }
        XCTAssertEqual(counts.count, 6)
        XCTAssertTrue(counts.values.allSatisfy { abs($0 - 1000) < 150 }, "\(counts)")
    }

    func testOddAndEmptySizes() throws {
        XCTAssertEqual(try Tensor.randn([3]).count, 3)
        XCTAssertEqual(try Tensor.randn([0, 4]).shape, [0, 4])
        XCTAssertEqual(try Tensor.rand([]).shape, [])
    }

    func testInvalidArgumentsThrow() {
        assertThrows(.invalidArgument, op: "uniform", mentions: ["low=1.0", "high=1.0"]) { try Tensor.uniform([2], low: 1, high: 1) }
        assertThrows(.invalidArgument, op: "uniform", mentions: ["low=2.0"]) { try Tensor.uniform([2], low: 2, high: 1) }
        assertThrows(.invalidArgument, op: "uniform", mentions: ["nan"]) { try Tensor.uniform([2], low: .nan, high: 1) }
        assertThrows(.invalidArgument, op: "uniform", mentions: ["inf"]) { try Tensor.uniform([2], low: 0, high: .infinity) }
        assertThrows(.invalidArgument, op: "randn", mentions: ["-1"]) { try Tensor.randn([-1, 2]) }
        assertThrows(.outOfMemory, op: "randn") { try Tensor.randn([1 << 40, 1 << 40]) }
    }
}
