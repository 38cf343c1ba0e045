import XCTest
@testable import Polyhead

/// Random loss weighting (Lin et al. 2022): softmax of standard normals from the seeded generator.
final class RLWTests: XCTestCase {
    /// The library's SplitMix64 + Box–Muller (cosine branch) written out again, from the seed.
    private func referenceNormals(seed: UInt64, count: Int) -> [Double] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func unit() -> Double { (Double(next() >> 11) + 1) * 0x1p-53 }
        return (0..<count).map { _ in
            let radius = (-2 * Foundation.log(unit())).squareRoot()
            return radius * Foundation.cos(2 * Double.pi * unit())
        }
    }

    func testWeightsAreTheSoftmaxOfSeededNormalsAndReproducible() throws {
        let method = try MultiTaskMethods.make("rlw", taskCount: 3)
        manualSeed(1234)
        let (first, gradients) = try stepOnLeaves(method, [1, 2, 3])
        let second = try stepOnLeaves(method, [1, 2, 3]).weights
        manualSeed(1234)
        XCTAssertEqual(try stepOnLeaves(method, [5, 0.5, 1]).weights, first)
        XCTAssertEqual(try stepOnLeaves(method, [5, 0.5, 1]).weights, second)
        XCTAssertNotEqual(first, second)
        let normals = referenceNormals(seed: 1234, count: 6)
        assertClose(first, referenceSoftmax(Array(normals[0..<3])), tolerance: 1e-12)
        assertClose(second, referenceSoftmax(Array(normals[3..<6])), tolerance: 1e-12)
        XCTAssertEqual(first.reduce(0, +), 1, accuracy: 1e-12)
        assertClose(gradients, first, tolerance: 1e-6)
    }

    func testOneTaskGetsWeightOne() throws {
        manualSeed(9)
        XCTAssertEqual(try stepOnLeaves(RLW(taskCount: 1), [2]).weights, [1])
    }
}
