import XCTest
@testable import Polyhead

final class AdamTests: XCTestCase {
    func testFirstStepMovesEachWeightByTheLearningRate() throws {
        // With bias correction, m̂₁ = g and v̂₁ = g², so step 1 is −η·g/(|g| + ε) ≈ −η·sign(g).
        let p = try makeParameter()
        try assertTrajectory(try Adam(parameters: [p], learningRate: 0.1), p, [[0.9, -1.9, 0.4]])
    }

    func testSecondStepByHand() throws {
        // g1 = 0.5, g2 = 0.2 (first weight), β = (0.9, 0.999), η = 0.1:
        // m2 = 0.9·0.05 + 0.1·0.2 = 0.065, v2 = 0.999·0.00025 + 0.001·0.04 = 0.00028975,
        // m̂ = 0.065/0.19 = 0.342105…, v̂ = 0.00028975/0.001999 = 0.144947…, step = 0.1·m̂/√v̂ = 0.089858…
        let p = try makeParameter()
        let optimizer = try Adam(parameters: [p], learningRate: 0.1)
        try assertTrajectory(optimizer, p, adamReference(lr: 0.1, steps: 2))
        assertClose([Double(p.scalars[0])], [0.9 - 0.0898575], tolerance: 1e-5)
    }

    func testAdamAgainstFloat64Reference() throws {
        let cases: [(String, Float, Float, Float, Float)] = [  // label, β1, β2, ε, weight decay (L2)
            ("defaults", 0.9, 0.999, 1e-8, 0), ("betas", 0.5, 0.9, 1e-8, 0), ("large eps", 0.9, 0.999, 0.1, 0),
            ("L2 decay", 0.9, 0.999, 1e-8, 0.1), ("zero betas", 0, 0, 1e-8, 0),
        ]
        for (label, beta1, beta2, eps, weightDecay) in cases {
            let p = try makeParameter()
            let optimizer = try Adam(parameters: [p], learningRate: 0.01, beta1: beta1, beta2: beta2, epsilon: eps,
                                     weightDecay: weightDecay)
            let expected = adamReference(lr: 0.01, beta1: Double(beta1), beta2: Double(beta2), eps: Double(eps),
                                         weightDecay: Double(weightDecay), steps: 3)
            try assertTrajectory(optimizer, p, expected, label)
        }
    }

    func testLongParametersTakeTheVectorisedPathToo() throws {
        // 19 elements: two blocks of 8 lanes plus a tail of 3; every element must follow the same rule.
        var random = TestRandom(seed: 19)
        let start = (0..<19).map { _ in Double(Float(random.uniform(-2, 2))) }
        let gradients = (0..<3).map { _ in (0..<19).map { _ in Double(Float(random.uniform(-1, 1))) } }
        for (label, weightDecay, decoupled) in [("Adam", 0.0, false), ("Adam L2", 0.1, false), ("AdamW", 0.1, true)] {
            let p = try Tensor(start.map(Float.init), shape: [19], requiresGrad: true)
            let optimizer = try Adam(parameters: [p], learningRate: 0.01, weightDecay: Float(weightDecay), decoupled: decoupled)
            let expected = adamReference(lr: 0.01, weightDecay: weightDecay, decoupled: decoupled, steps: 3,
                                         start: start, gradients: gradients)
            for t in 0..<3 {
                try p.setGrad(Tensor(gradients[t].map(Float.init), shape: [19]))
                optimizer.step()
                assertClose(p, expected[t], tolerance: 1e-5, "\(label) step \(t + 1)")
            }
        }
    }

    func testAdamWDecouplesWeightDecay() throws {
        for weightDecay: Float in [0.01, 0.5] {
            let p = try makeParameter()
            let optimizer = try AdamW(parameters: [p], learningRate: 0.1, weightDecay: weightDecay)
            XCTAssertTrue(optimizer.decoupled)
            try assertTrajectory(optimizer, p, adamReference(lr: 0.1, weightDecay: Double(weightDecay), decoupled: true, steps: 3),
                                 "AdamW λ=\(weightDecay)")
        }
        let p = try makeParameter()
        try assertTrajectory(try Adam(parameters: [p], learningRate: 0.1, weightDecay: 0.5, decoupled: true), p,
                             adamReference(lr: 0.1, weightDecay: 0.5, decoupled: true, steps: 3), "Adam(decoupled: true)")
    }

    func testAdamWDefaults() throws {
        let optimizer = try AdamW(parameters: [makeParameter()])
        XCTAssertEqual(optimizer.weightDecay, 0.01)
        XCTAssertEqual(optimizer.learningRate, 1e-3)
        XCTAssertEqual(optimizer.beta1, 0.9)
        XCTAssertEqual(optimizer.beta2, 0.999)
        XCTAssertEqual(optimizer.epsilon, 1e-8)
        let adam = try Adam(parameters: [makeParameter()])
        XCTAssertEqual(adam.weightDecay, 0)
        XCTAssertFalse(adam.decoupled)
    }

    func testTwoParametersKeepSeparateState() throws {
        let a = try makeParameter(), b = try T([3, 4], requiresGrad: true)
        let optimizer = try Adam(parameters: [a, b], learningRate: 0.1)
        try b.setGrad(T([-2, 0]))
        try assertTrajectory(optimizer, a, adamReference(lr: 0.1, steps: 3))
        // b saw the same gradient three times: the update is η each time (0 where the gradient is 0).
        assertClose(b, [3.3, 4])
    }
}
