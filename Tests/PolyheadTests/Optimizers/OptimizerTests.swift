import XCTest
@testable import Polyhead

/// The walk shared by every optimizer: skipping, counting, zeroing, validation.
final class OptimizerTests: XCTestCase {
    func testParametersWithoutGradientAreSkipped() throws {
        for make in optimizerFactories {
            let withGrad = try T([1, 2], requiresGrad: true), withoutGrad = try T([5, 6], requiresGrad: true)
            let optimizer = try make([withGrad, withoutGrad])
            try withGrad.setGrad(T([1, 1]))
            optimizer.step()
            XCTAssertEqual(withoutGrad.scalars, [5, 6], "\(type(of: optimizer)) moved a parameter without gradient")
            XCTAssertNotEqual(withGrad.scalars, [1, 2], "\(type(of: optimizer)) did not move a parameter with gradient")
        }
    }

    func testSkippedParameterStartsItsOwnStepCount() throws {
        // Adam's bias correction counts this parameter's updates: its first real update is still ≈ η·sign(g).
        let a = try T([0], requiresGrad: true), b = try T([0], requiresGrad: true)
        let optimizer = try Adam(parameters: [a, b], learningRate: 0.1)
        try a.setGrad(T([1]))
        optimizer.step()
        optimizer.step()
        try b.setGrad(T([1]))
        optimizer.step()
        assertClose(b, [-0.1], tolerance: 1e-5)
        XCTAssertEqual(optimizer.stepCount, 3)
    }

    func testZeroGradClearsEveryGradient() throws {
        let a = try T([1], requiresGrad: true), b = try T([2], requiresGrad: true)
        let optimizer = try SGD(parameters: [a, b], learningRate: 0.1)
        try (a * b).sum().backward()
        optimizer.zeroGrad()
        XCTAssertNil(a.grad)
        XCTAssertNil(b.grad)
    }

    func testStepUpdatesInPlaceAndKeepsIdentity() throws {
        let p = try T([1], requiresGrad: true)
        let view = p.detached()
        let optimizer = try SGD(parameters: [p], learningRate: 1)
        try p.setGrad(T([0.25]))
        optimizer.step()
        XCTAssertEqual(view.scalars, [0.75], "the update writes into the parameter's storage")
        XCTAssertTrue(p.requiresGrad)
        XCTAssertTrue(p.isLeaf)
    }

    func testInvalidHyperParametersThrow() {
        let p = try! T([1], requiresGrad: true)
        for lr: Float in [-0.1, -.infinity, .nan, .infinity] {
            assertThrows(.invalidArgument, op: "optimizer", mentions: ["learning rate"], "SGD lr \(lr)") { try SGD(parameters: [p], learningRate: lr) }
            assertThrows(.invalidArgument, op: "optimizer", mentions: ["learning rate"], "Adam lr \(lr)") { try Adam(parameters: [p], learningRate: lr) }
            assertThrows(.invalidArgument, op: "optimizer", mentions: ["learning rate"], "AdamW lr \(lr)") { try AdamW(parameters: [p], learningRate: lr) }
        }
        assertThrows(.invalidArgument, op: "SGD", mentions: ["-0.5"]) { try SGD(parameters: [p], learningRate: 0.1, momentum: -0.5) }
        assertThrows(.invalidArgument, op: "SGD", mentions: ["-1"]) { try SGD(parameters: [p], learningRate: 0.1, weightDecay: -1) }
        assertThrows(.invalidArgument, op: "SGD") { try SGD(parameters: [p], learningRate: 0.1, momentum: .nan) }
        assertThrows(.invalidArgument, op: "SGD", mentions: ["Nesterov"]) { try SGD(parameters: [p], learningRate: 0.1, nesterov: true) }
        assertThrows(.invalidArgument, op: "SGD", mentions: ["Nesterov"]) {
            try SGD(parameters: [p], learningRate: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true)
        }
        for (beta1, beta2): (Float, Float) in [(1, 0.999), (-0.1, 0.999), (0.9, 1), (0.9, -1), (.nan, 0.999), (0.9, .nan)] {
            assertThrows(.invalidArgument, op: "Adam", mentions: ["betas"], "betas (\(beta1), \(beta2))") {
                try Adam(parameters: [p], beta1: beta1, beta2: beta2)
            }
        }
        assertThrows(.invalidArgument, op: "Adam", mentions: ["eps"]) { try Adam(parameters: [p], epsilon: -1e-8) }
        assertThrows(.invalidArgument, op: "Adam", mentions: ["weight_decay"]) { try Adam(parameters: [p], weightDecay: -0.1) }
        assertThrows(.invalidArgument, op: "Adam", mentions: ["weight_decay"]) { try AdamW(parameters: [p], weightDecay: .infinity) }
    }

    func testZeroLearningRateIsAcceptedLikePyTorch() throws {
        // torch.optim only rejects lr < 0; a schedule may decay the rate to exactly 0.
        for make in zeroRateFactories {
            let p = try T([1, 2], requiresGrad: true)
            let optimizer = try make([p])
            try p.setGrad(T([1, -1]))
            optimizer.step()
            XCTAssertEqual(p.scalars, [1, 2], "\(type(of: optimizer)) moved a parameter with lr = 0")
        }
    }

    func testEmptyParameterListThrows() {
        // torch.optim: "optimizer got an empty parameter list".
        assertThrows(.invalidArgument, op: "optimizer", mentions: ["empty parameter list"]) { try SGD(parameters: [], learningRate: 0.1) }
        assertThrows(.invalidArgument, op: "optimizer", mentions: ["empty parameter list"]) { try Adam(parameters: []) }
        assertThrows(.invalidArgument, op: "optimizer", mentions: ["empty parameter list"]) { try AdamW(parameters: []) }
    }

    func testOptimizersAreCountedAsLiveObjects() throws {
        let p = try T([1], requiresGrad: true)
        let baseline = liveObjectCount
        do {
            let optimizer = try Adam(parameters: [p])
            XCTAssertGreaterThan(liveObjectCount, baseline)
            _ = optimizer
        }
        XCTAssertEqual(liveObjectCount, baseline)
    }
}

/// One constructor per optimizer family with a zero learning rate.
private let zeroRateFactories: [([Tensor]) throws -> Optimizer] = [
    { try SGD(parameters: $0, learningRate: 0, momentum: 0.9) },
    { try Adam(parameters: $0, learningRate: 0) },
    { try AdamW(parameters: $0, learningRate: 0, weightDecay: 0.1) },
]

/// One constructor per optimizer family.
private let optimizerFactories: [([Tensor]) throws -> Optimizer] = [
    { try SGD(parameters: $0, learningRate: 0.1) },
    { try SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.1, nesterov: true) },
    { try Adam(parameters: $0, learningRate: 0.1, weightDecay: 0.1) },
    { try AdamW(parameters: $0, learningRate: 0.1) },
]
