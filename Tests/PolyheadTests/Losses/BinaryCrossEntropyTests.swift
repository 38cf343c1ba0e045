import XCTest
@testable import Polyhead

final class BinaryCrossEntropyTests: XCTestCase {
    // MARK: on probabilities

    func testBCEValues() throws {
        // p [0.2, 0.9, 0.5], t [0, 1, 1] → [−ln 0.8, −ln 0.9, −ln 0.5].
        let p = try T([0.2, 0.9, 0.5]), t = try T([0, 1, 1])
        assertClose(try binaryCrossEntropy(p, t, reduction: .none), [0.2231435513, 0.1053605157, 0.6931471806], shape: [3])
        assertClose(try binaryCrossEntropy(p, t, reduction: .sum), [1.0216512475], shape: [])
        assertClose(try binaryCrossEntropy(p, t), [0.3405504158], shape: [])
    }

    func testBCEClampsLogsAtMinus100() throws {
        let p = try T([0, 1, 0, 1]), t = try T([1, 0, 0, 1])
        assertClose(try binaryCrossEntropy(p, t, reduction: .none), [100, 100, 0, 0])
        assertClose(try binaryCrossEntropy(T([0.5]), T([0.25]), reduction: .none), [0.6931471806], "soft target")
    }

    func testBCEGradientIsFiniteAtZeroAndOne() throws {
        let p = try T([0, 1, 0.5], requiresGrad: true)
        try binaryCrossEntropy(p, T([1, 0, 1]), reduction: .sum).backward()
        let g = gradient(of: p)
        XCTAssertTrue(g.allSatisfy(\.isFinite), "\(g)")
        XCTAssertLessThan(g[0], 0)
        XCTAssertGreaterThan(g[1], 0)
        assertClose([g[2]], [-2])  // (p − t) / (p(1 − p)) = −0.5 / 0.25
    }

    func testBCEGradients() {
        let target = try! T([0, 1, 0.3, 1, 0, 0.8], [2, 3])
        for reduction in allReductions {
            checkGradients(shapes: [[2, 3]], domain: .range(0.05, 0.95),
                           reference: { bceReference($0[0], Ref(shape: [2, 3], values: doubles(target)), reduction) }) {
                try binaryCrossEntropy($0[0], target, reduction: reduction)
            }
        }
    }

    func testBCEGradientFlowsIntoATargetThatRequiresGrad() {
        // PyTorch back-propagates into the target: ∂/∂t = log(1 − p) − log p.
        for reduction in allReductions {
            checkGradients(shapes: [[2, 3], [2, 3]], domain: .range(0.05, 0.95),
                           reference: { bceReference($0[0], $0[1], reduction) }) {
                try binaryCrossEntropy($0[0], $0[1], reduction: reduction)
            }
        }
    }

    func testBCERejectsProbabilitiesOutsideZeroOne() {
        for bad: Float in [1.5, -0.1, .nan, .infinity] {
            assertThrows(.invalidArgument, op: "binary_cross_entropy", mentions: ["between 0 and 1"], "p = \(bad)") {
                try binaryCrossEntropy(T([0.5, bad]), T([1, 1]))
            }
        }
    }

    func testBCEShapeMismatch() {
        assertThrows(.shapeMismatch, op: "binary_cross_entropy", mentions: ["(2,)", "(3,)"]) {
            try binaryCrossEntropy(T([0.5, 0.5]), T([1, 1, 1]))
        }
    }

    // MARK: on logits

    func testBCEWithLogitsValues() throws {
        let x = try T([0, 2, -3]), t = try T([1, 0, 0.5])
        assertClose(try binaryCrossEntropyWithLogits(x, t, reduction: .none), [0.6931471806, 2.1269280110, 1.5485873516])
        assertClose(try binaryCrossEntropyWithLogits(x, t, reduction: .sum), [4.3686625432], shape: [])
        assertClose(try binaryCrossEntropyWithLogits(x, t), [1.4562208477], shape: [])
    }

    func testBCEWithLogitsGradientIsSigmoidMinusTarget() throws {
        let x = try T([0, 2, -3], requiresGrad: true)
        try binaryCrossEntropyWithLogits(x, T([1, 0, 0.5]), reduction: .sum).backward()
        assertClose(gradient(of: x), [-0.5, 0.8807970780, -0.4525741268])
    }

    func testBCEWithLogitsIsStableAtExtremeLogits() throws {
        let x = try T([1e4, -1e4, 1e4, -1e4], requiresGrad: true), t = try T([1, 0, 0, 1])
        let losses = try binaryCrossEntropyWithLogits(x, t, reduction: .none)
        assertClose(losses, [0, 0, 1e4, 1e4])
        let mean = try binaryCrossEntropyWithLogits(x, t)
        assertClose(mean, [5e3])
        try mean.backward()
        assertClose(gradient(of: x), [0, 0, 0.25, -0.25])
        XCTAssertTrue(gradient(of: x).allSatisfy(\.isFinite))
    }

    func testBCEWithLogitsGradients() {
        let target = try! T([0, 1, 0.3, 1, 0, 0.8], [2, 3])
        for reduction in allReductions {
            checkGradients(shapes: [[2, 3]], domain: .symmetric(4),
                           reference: { bceWithLogitsReference($0[0], Ref(shape: [2, 3], values: doubles(target)), reduction) }) {
                try binaryCrossEntropyWithLogits($0[0], target, reduction: reduction)
            }
        }
    }

    func testBCEWithLogitsGradientFlowsIntoATargetThatRequiresGrad() {
        // PyTorch back-propagates into the target: ∂/∂t = −x.
        for reduction in allReductions {
            checkGradients(shapes: [[2, 3], [2, 3]], domain: .range(0.05, 0.95),
                           reference: { bceWithLogitsReference($0[0], $0[1], reduction) }) {
                try binaryCrossEntropyWithLogits($0[0], $0[1], reduction: reduction)
            }
        }
    }

    func testBCEWithLogitsShapeMismatch() {
        assertThrows(.shapeMismatch, op: "binary_cross_entropy_with_logits", mentions: ["(4, 1)", "(4,)"]) {
            try binaryCrossEntropyWithLogits(Tensor.zeros([4, 1]), Tensor.zeros([4]))
        }
    }
}
