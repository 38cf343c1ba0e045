import XCTest
@testable import Polyhead

/// Uncertainty weighting (Kendall et al. 2018): classification term `e^{−s}L + ½s`, regression term
/// `½e^{−s}L + ½s`, both differentiated by hand here.
final class UncertaintyWeightingTests: XCTestCase {
    func testGradientsWithRespectToTheLogVariancesAndTheLosses() throws {
        let method = try UncertaintyWeighting(taskCount: 3, regression: [true, false, true])
        let s = [0.3, -0.4, 1.2], values = [0.7, 2.5, 0.1]
        method.logVariances.withUnsafeMutableBufferPointer { p in for i in 0..<3 { p[i] = Float(s[i]) } }
        let losses = try leafLosses(values)
        let (objective, weights) = try method.objective(losses: losses, shared: noSharedPart)
        try objective.backward()
        let factor = [0.5, 1, 0.5]
        let precision = (0..<3).map { factor[$0] * Foundation.exp(-Double(Float(s[$0]))) }
        let expectedValue = (0..<3).reduce(0.0) { $0 + precision[$1] * values[$1] + 0.5 * Double(Float(s[$1])) }
        assertScalar(objective, expectedValue, tolerance: 1e-6)
        assertClose(weights, precision, tolerance: 1e-6)
        assertClose(leafGradients(losses), precision, tolerance: 1e-6)                        // ∂/∂Lᵢ = aᵢe^{−sᵢ}
        assertClose(gradient(of: method.logVariances),
                    (0..<3).map { -precision[$0] * values[$0] + 0.5 }, tolerance: 1e-6)       // ∂/∂sᵢ = −aᵢe^{−sᵢ}Lᵢ + ½
    }

    func testOptionsAndParameters() throws {
        let method = try MultiTaskMethods.make("uncertainty", taskCount: 2,
                                               options: ["initial_log_variance": -0.5, "regression1": 1])
        XCTAssertEqual(method.parameters.count, 1)
        XCTAssertEqual(method.parameters[0].shape, [2])
        assertClose(doubles(method.parameters[0]), [-0.5, -0.5])
        let (weights, _) = try stepOnLeaves(method, [1, 1])
        assertClose(weights, [Foundation.exp(0.5), 0.5 * Foundation.exp(0.5)], tolerance: 1e-6)
        assertThrows(.invalidArgument, op: "uncertainty", mentions: ["initial_log_variance=100"]) {
            try MultiTaskMethods.make("uncertainty", taskCount: 2, options: ["initial_log_variance": 100])
        }
    }

    /// Gradient descent on s alone reaches the optimum of each form: e^s = L (regression), 2L (classification).
    func testLearnedVariancesReachTheLikelihoodOptimum() throws {
        let method = try UncertaintyWeighting(taskCount: 2, regression: [true, false])
        let optimizer = try SGD(parameters: method.parameters, learningRate: 0.2)
        for _ in 0..<3000 {
            optimizer.zeroGrad()
            _ = try method.backward(losses: try leafLosses([3, 0.25]), shared: noSharedPart)
            optimizer.step()
        }
        assertClose(doubles(method.logVariances).map { Foundation.exp($0) }, [3, 0.5], tolerance: 1e-3)
    }

    func testTinyLossesGiveFiniteGradientsAndZeroOnesAreAbsent() throws {
        let method = try UncertaintyWeighting(taskCount: 4)
        let (weights, gradients) = try stepOnLeaves(method, [0, 0, 1e-30, 5])
        XCTAssertEqual(weights, [0, 0, 1, 1])
        XCTAssertTrue(gradients.allSatisfy(\.isFinite))
        // The absent tasks' log-variances get no pull (their ½·sᵢ term is left out with their loss).
        assertClose(gradient(of: method.logVariances), [0, 0, 0.5, -4.5], tolerance: 1e-6)
    }
}
