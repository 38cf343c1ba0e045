import XCTest
@testable import Polyhead

/// Geometric loss strategy (Chennupati et al. 2019): `(Π Lᵢ)^(1/T)` and its derivatives.
final class GeometricLossStrategyTests: XCTestCase {
    func testValueAndGradientAreTheGeometricMeansAndItsDerivatives() throws {
        for values in [[0.5, 2.0, 8.0], [3.0], [0.1, 0.2, 0.3, 40]] {
            let method = try MultiTaskMethods.make("gls", taskCount: values.count)
            let losses = try leafLosses(values)
            let (objective, weights) = try (method as! GeometricLossStrategy).objective(losses: losses, shared: noSharedPart)
            try objective.backward()
            let t = Double(values.count)
            let product = values.reduce(1, *), mean = Foundation.pow(product, 1 / t)
            assertScalar(objective, mean, tolerance: 1e-6)
            // ∂/∂Lᵢ (Π L)^(1/T) = (1/T) (Π L)^(1/T − 1) Π_{j≠i} Lⱼ
            let expected = values.indices.map { i in
                Foundation.pow(product, 1 / t - 1) / t * values.indices.filter { $0 != i }.reduce(1.0) { $0 * values[$1] }
            }
            assertClose(weights, expected, tolerance: 1e-6)
            assertClose(leafGradients(losses), expected, tolerance: 1e-5)
        }
    }

    func testTinyLossStaysFiniteAndNegativeLossIsRejected() throws {
        let method = GeometricLossStrategy(taskCount: 2)
        let (weights, gradients) = try stepOnLeaves(method, [1e-30, 4])
        XCTAssertTrue((weights + gradients).allSatisfy(\.isFinite), "\(weights) \(gradients)")
        assertClose(weights, [Foundation.sqrt(4e-8) / 2e-8, Foundation.sqrt(4e-8) / 8], tolerance: 1e-6)
        assertThrows(.invalidArgument, op: "gls", mentions: ["loss 0 is -1.0"]) { try stepOnLeaves(method, [-1, 1]) }
    }
}
