import XCTest
@testable import Polyhead

/// torch.optim.Adagrad written out in Double: `g = ∇ + λp; s += g²; p -= η/(1 + (t−1)·decay) · g/(√s + ε)`.
func adagradReference(
    lr: Double, lrDecay: Double = 0, weightDecay: Double = 0, initialAccumulator: Double = 0, eps: Double = 1e-10,
    steps: Int
) -> [[Double]] {
    var p = startParameter, s = [Double](repeating: initialAccumulator, count: p.count)
    var trajectory: [[Double]] = []
    for t in 1...steps {
        let stepSize = lr / (1 + Double(t - 1) * lrDecay)
        for i in p.indices {
            let g = gradientSequence[t - 1][i] + weightDecay * p[i]
            s[i] += g * g
            p[i] -= stepSize * g / (s[i].squareRoot() + eps)
        }
        trajectory.append(p)
    }
    return trajectory
}

final class AdagradTests: XCTestCase {
    func testFirstStepMovesEachWeightByTheLearningRate() throws {
        // s₁ = g², so step 1 is −η·g/|g| = −η·sign(g) (ε negligible).
        let p = try makeParameter()
        try assertTrajectory(try Adagrad(parameters: [p], learningRate: 0.1), p, [[0.9, -1.9, 0.4]])
    }

    func testAdagradAgainstFloat64Reference() throws {
        let cases: [(String, Float, Float, Float, Float)] = [  // label, lr decay, weight decay, s₀, ε
            ("defaults", 0, 0, 0, 1e-10), ("lr decay", 0.5, 0, 0, 1e-10), ("L2 decay", 0, 0.2, 0, 1e-10),
            ("initial accumulator", 0, 0, 0.3, 1e-10), ("large eps", 0.1, 0.1, 0.1, 0.5),
        ]
        for (label, lrDecay, weightDecay, initial, eps) in cases {
            let p = try makeParameter()
            let optimizer = try Adagrad(parameters: [p], learningRate: 0.05, learningRateDecay: lrDecay,
                                        weightDecay: weightDecay, initialAccumulatorValue: initial, epsilon: eps)
            let expected = adagradReference(lr: 0.05, lrDecay: Double(lrDecay), weightDecay: Double(weightDecay),
                                            initialAccumulator: Double(initial), eps: Double(eps), steps: 3)
            try assertTrajectory(optimizer, p, expected, label)
        }
    }

    func testInvalidOptionsThrow() throws {
        let p = try makeParameter()
        for options: (Float, Float, Float, Float) in [(-1, 0, 0, 1e-10), (0, -1, 0, 1e-10), (0, 0, -1, 1e-10),
                                                      (0, 0, 0, -1), (.nan, 0, 0, 1e-10)] {
            XCTAssertThrowsError(try Adagrad(parameters: [p], learningRateDecay: options.0, weightDecay: options.1,
                                             initialAccumulatorValue: options.2, epsilon: options.3))
        }
    }
}
