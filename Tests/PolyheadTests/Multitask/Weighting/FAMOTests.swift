import XCTest
@testable import Polyhead

/// FAMO (Liu et al. 2023) against its formulas: the model objective `c Σ zᵢ log(Lᵢ+ε)` and the logit step
/// on `δ = log L_before − log L_after` (Adam as in Algorithm 2 / LibMTL, or the plain Algorithm 1 step).
final class FAMOTests: XCTestCase {
    private let epsilon = 1e-8

    /// The effective weights `c zᵢ / (Lᵢ + ε)` with `c = 1 / Σ zⱼ/(Lⱼ + ε)`.
    private func referenceWeights(_ z: [Double], _ losses: [Double]) -> [Double] {
        let c = 1 / zip(z, losses).reduce(0.0) { $0 + $1.0 / ($1.1 + epsilon) }
        return zip(z, losses).map { c * $0 / ($1 + epsilon) }
    }

    /// `∇_ξ = (diag z − z zᵀ) δ + γ ξ`, with the softmax Jacobian written as a matrix.
    private func referenceLogitGradient(_ xi: [Double], _ before: [Double], _ after: [Double], gamma: Double) -> [Double] {
        let z = referenceSoftmax(xi)
        let delta = zip(before, after).map { Foundation.log($0 + epsilon) - Foundation.log($1 + epsilon) }
        return (0..<z.count).map { i in
            (0..<z.count).reduce(0.0) { $0 + ((i == $1 ? z[i] : 0) - z[i] * z[$1]) * delta[$1] } + gamma * xi[i]
        }
    }

    func testFirstStepIsTheNormalisedLogLossGradient() throws {
        let values = [0.5, 2.0, 8.0]
        let (weights, gradients) = try stepOnLeaves(try MultiTaskMethods.make("famo", taskCount: 3), values)
        let expected = referenceWeights([1.0 / 3, 1.0 / 3, 1.0 / 3], values)
        assertClose(weights, expected, tolerance: 1e-12)
        XCTAssertEqual(weights.reduce(0, +), 1, accuracy: 1e-12)
        assertClose(gradients, expected, tolerance: 1e-5)
    }

    func testAdamStepsOnTheLogLossDecrease() throws {
        let method = try FAMO(taskCount: 3, learningRate: 0.025, decay: 1e-3)
        let history = [[0.5, 2.0, 8.0], [0.4, 1.9, 6.0], [0.41, 1.5, 5.0], [0.3, 1.4, 4.9]].map(f32)
        var xi = [0.0, 0, 0], m = [0.0, 0, 0], v = [0.0, 0, 0]
        for (step, values) in history.enumerated() {
            if step > 0 {  // Adam (PyTorch form, L2 decay in the gradient), written out.
                let g = referenceLogitGradient(xi, history[step - 1], values, gamma: 1e-3)
                let t = Double(step)
                for i in 0..<3 {
                    m[i] = 0.9 * m[i] + 0.1 * g[i]
                    v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
                    let mHat = m[i] / (1 - Foundation.pow(0.9, t)), vHat = v[i] / (1 - Foundation.pow(0.999, t))
                    xi[i] -= 0.025 * mHat / (vHat.squareRoot() + 1e-8)
                }
            }
            let (weights, gradients) = try stepOnLeaves(method, values)
            assertClose(method.logits, xi, tolerance: 1e-12, "logits at step \(step)")
            if step == 1 {  // the first Adam step moves each logit by lr against the sign of its gradient
                assertClose(method.logits.map(abs), [0.025, 0.025, 0.025], tolerance: 1e-6)
            }
            assertClose(weights, referenceWeights(referenceSoftmax(xi), values), tolerance: 1e-12)
            assertClose(gradients, weights, tolerance: 1e-5)
        }
    }

    func testPlainStepAndSameBatchUpdate() throws {
        let method = try MultiTaskMethods.make("famo", taskCount: 2, options: ["adam": 0, "w_lr": 0.5, "gamma": 0.1])
        let famo = try XCTUnwrap(method as? FAMO)
        _ = try stepOnLeaves(famo, [1, 1])
        try famo.update(newLosses: [0.5, 0.9])          // the same batch after the model step
        let g1 = referenceLogitGradient([0, 0], [1, 1], [0.5, 0.9], gamma: 0.1)
        let xi1 = g1.map { -0.5 * $0 }
        assertClose(famo.logits, xi1, tolerance: 1e-12)
        _ = try stepOnLeaves(famo, [0.2, 3])            // no second step of the logits: update() did it
        assertClose(famo.logits, xi1, tolerance: 1e-12)
        _ = try stepOnLeaves(famo, [0.1, 3])            // the next-step form: δ from (0.2, 3) → (0.1, 3)
        let g2 = referenceLogitGradient(xi1, f32([0.2, 3]), f32([0.1, 3]), gamma: 0.1)
        assertClose(famo.logits, zip(xi1, g2).map { $0 - 0.5 * $1 }, tolerance: 1e-12)
        XCTAssertGreaterThan(famo.logits[1], famo.logits[0], "the task that stalled gains weight")
    }

    func testZeroLossesAndOneTask() throws {
        let method = try FAMO(taskCount: 4)
        for values in [[0, 1, 1e-20, 3], [0, 0.5, 0, 2], [1e-30, 0.1, 0, 0]] {
            let (weights, gradients) = try stepOnLeaves(method, values)
            XCTAssertTrue((weights + gradients + method.logits).allSatisfy(\.isFinite), "\(weights) \(gradients)")
            XCTAssertEqual(weights.reduce(0, +), 1, accuracy: 1e-9)
        }
        let single = try FAMO(taskCount: 1)
        XCTAssertEqual(try stepOnLeaves(single, [2]).weights[0], 1, accuracy: 1e-12)
        XCTAssertEqual(try stepOnLeaves(single, [1]).weights[0], 1, accuracy: 1e-12)
        assertThrows(.invalidState, op: "famo") { try FAMO(taskCount: 2).update(newLosses: [1, 1]) }
        assertThrows(.invalidArgument, op: "famo", mentions: ["loss 0 is -0.5"]) { try stepOnLeaves(method, [-0.5, 1, 1, 1]) }
    }
}
