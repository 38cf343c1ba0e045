import XCTest
@testable import Polyhead

/// Inverse-loss weighting: `wᵢ = 1/Lᵢ` (detached), optionally normalised to sum to T.
final class InverseLossWeightingTests: XCTestCase {
    func testWeightsAreTheInverseLossesAndTheGradientIsTheirs() throws {
        let values = f32([0.5, 4.0, 0.02])
        let (weights, gradients) = try stepOnLeaves(try MultiTaskMethods.make("inverse_loss", taskCount: 3), values)
        let expected = values.map { 1 / $0 }
        assertClose(weights, expected, tolerance: 1e-12)
        // Detached weights: ∂(Σ wᵢLᵢ)/∂Lᵢ = wᵢ, not 0 (which the undetached Lᵢ/Lᵢ would give).
        assertClose(gradients, expected, tolerance: 1e-5)
    }

    func testNormalisedWeightsSumToTheTaskCount() throws {
        let values = f32([0.5, 4.0, 0.02, 1.0])
        let method = try MultiTaskMethods.make("inverse_loss", taskCount: 4, options: ["normalize": 1])
        let (weights, gradients) = try stepOnLeaves(method, values)
        let inverseSum = values.reduce(0) { $0 + 1 / $1 }
        let expected = values.map { 4 / ($0 * inverseSum) }
        assertClose(weights, expected, tolerance: 1e-12)
        XCTAssertEqual(weights.reduce(0, +), 4, accuracy: 1e-12)
        assertClose(gradients, expected, tolerance: 1e-5)
    }

    func testTinyLossGetsAFiniteWeightAndNegativeLossesAreRejected() throws {
        let method = InverseLossWeighting(taskCount: 2)
        let (weights, gradients) = try stepOnLeaves(method, [1e-30, 2])
        assertClose(weights, [1e8, 0.5], tolerance: 1e-12)
        XCTAssertTrue(gradients.allSatisfy(\.isFinite))
        assertThrows(.invalidArgument, op: "inverse_loss", mentions: ["loss 1 is -1.0"]) {
            try stepOnLeaves(method, [1, -1])
        }
        XCTAssertEqual(try stepOnLeaves(InverseLossWeighting(taskCount: 1, normalize: true), [7]).weights, [1])
    }
}
