import XCTest
@testable import Polyhead

final class SGDTests: XCTestCase {
    // p = [1, −2, 0.5], gradients g1 = [0.5, −1, 0.25], g2 = [0.2, 0.4, −0.6], g3 = [−0.3, 0.1, 0.05], η = 0.1.

    func testPlainStepsByHand() throws {
        let p = try makeParameter()
        try assertTrajectory(try SGD(parameters: [p], learningRate: 0.1), p,
                             [[0.95, -1.9, 0.475], [0.93, -1.94, 0.535], [0.96, -1.95, 0.53]])
    }

    func testMomentumStepsByHand() throws {
        // b1 = g1; b2 = 0.9·b1 + g2 = [0.65, −0.5, −0.375]; b3 = 0.9·b2 + g3 = [0.285, −0.35, −0.2875].
        let p = try makeParameter()
        try assertTrajectory(try SGD(parameters: [p], learningRate: 0.1, momentum: 0.9), p,
                             [[0.95, -1.9, 0.475], [0.885, -1.85, 0.5125], [0.8565, -1.815, 0.54125]])
    }

    func testAgainstFloat64Reference() throws {
        let cases: [(String, Float, Float, Float, Bool)] = [  // label, momentum, dampening, weight decay, nesterov
            ("plain", 0, 0, 0, false), ("momentum", 0.9, 0, 0, false), ("dampening", 0.9, 0.3, 0, false),
            ("nesterov", 0.9, 0, 0, true), ("weight decay", 0, 0, 0.1, false),
            ("momentum + weight decay", 0.8, 0, 0.05, false), ("nesterov + weight decay", 0.5, 0, 0.2, true),
            ("all", 0.7, 0.1, 0.3, false),
        ]
        for (label, momentum, dampening, weightDecay, nesterov) in cases {
            let p = try makeParameter()
            let optimizer = try SGD(parameters: [p], learningRate: 0.1, momentum: momentum, dampening: dampening,
                                    weightDecay: weightDecay, nesterov: nesterov)
            let expected = sgdReference(lr: 0.1, momentum: Double(momentum), dampening: Double(dampening),
                                        weightDecay: Double(weightDecay), nesterov: nesterov, steps: 3)
            try assertTrajectory(optimizer, p, expected, label)
        }
    }

    func testDampeningDoesNotApplyToTheFirstStep() throws {
        // PyTorch initialises the buffer with the raw gradient, so step 1 equals plain SGD.
        let p = try makeParameter()
        try assertTrajectory(try SGD(parameters: [p], learningRate: 0.1, momentum: 0.9, dampening: 0.5), p,
                             [[0.95, -1.9, 0.475]])
    }

    func testLearningRateChangeTakesEffect() throws {
        let p = try T([1], requiresGrad: true)
        let optimizer = try SGD(parameters: [p], learningRate: 0.1)
        try p.setGrad(T([1]))
        optimizer.step()
        optimizer.learningRate = 0.5
        optimizer.step()
        assertClose(p, [0.4])
    }

    func testHyperParameters() throws {
        let optimizer = try SGD(parameters: [makeParameter()], learningRate: 0.1, momentum: 0.9, dampening: 0,
                                weightDecay: 0.01, nesterov: true)
        XCTAssertEqual(optimizer.momentum, 0.9)
        XCTAssertEqual(optimizer.weightDecay, 0.01)
        XCTAssertTrue(optimizer.nesterov)
        optimizer.step()
        XCTAssertEqual(optimizer.stepCount, 1)
    }
}
