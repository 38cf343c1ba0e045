import Foundation
import XCTest
@testable import Polyhead

/// Anomaly detection names the first op whose forward output or backward gradient is not finite.
final class AnomalyModeTests: XCTestCase {
    override func tearDown() {
        setAnomalyDetectionEnabled(false)
        super.tearDown()
    }

    func testLogOfANegativeNumberNamesLogInTheForwardPass() throws {
        let x = try T([1, -2, 3], requiresGrad: true)
        XCTAssertTrue(try x.log().scalars[1].isNaN, "off by default: NaN flows through")
        assertThrows(.invalidState, op: "log", mentions: ["anomaly detected", "forward", "nan", "element 1", "(3,)"]) {
            try withAnomalyDetection { try x.log() }
        }
        XCTAssertFalse(isAnomalyDetectionEnabled, "the scope restores the setting")
    }

    func testSqrtAtZeroNamesSqrtInTheBackwardPass() throws {
        let x = try T([0, 4], requiresGrad: true)
        try withAnomalyDetection {
            // ∂√x/∂x = 1/(2√x) is ∞ at 0; times a zero upstream gradient it is 0·∞ = NaN.
            assertThrows(.invalidState, op: "sqrt", mentions: ["backward", "inf", "input 0", "element 0"]) {
                try x.sqrt().sum().backward()
            }
            assertThrows(.invalidState, op: "sqrt", mentions: ["backward", "nan", "input 0"]) {
                try (x.sqrt() * 0).sum().backward()
            }
        }
        XCTAssertNil(x.grad, "nothing accumulates from a pass that failed before reaching the leaf")
        try (x.sqrt() * 0).sum().backward()
        XCTAssertTrue(try XCTUnwrap(x.grad).scalars[0].isNaN, "off: the NaN reaches the gradient")
    }

    func testANaNInputToATwoLayerNetNamesTheFirstLayer() throws {
        manualSeed(3)
        let first = try Linear(3, 4), second = try Linear(4, 2)
        let x = try T([1, .nan, 2, 0.5, -1, 1], [2, 3])
        let forward = { try second(try first(x).relu()).sum() }
        XCTAssertTrue(try forward().item().isNaN)
        assertThrows(.invalidState, op: "linear", mentions: ["forward", "nan", "shape (2, 4)"]) {
            try withAnomalyDetection(forward)
        }
    }

    func testABackwardAnomalyNamesTheOpWhoseGradientOverflowed() throws {
        // y = x Wᵀ with x = (1, −1) cancels the huge weights exactly in the forward pass, but the input
        // gradient Σₒ gₒ W is 6·10³⁸ → ∞. A pass asking only for W's gradient never computes it (the linear
        // pullback is told which inputs are needed; anomaly detection checks every gradient a pullback returns).
        let x = try T([1, -1], [1, 2], requiresGrad: true)
        let w = try T([3e38, 3e38, 3e38, 3e38], [2, 2], requiresGrad: true)
        try withAnomalyDetection {
            let y = try Tensor.linear(x, weight: w, bias: nil).sum()
            XCTAssertEqual(try y.item(), 0)
            let weightGradient = try y.gradients(withRespectTo: [w], retainGraph: true)[0]
            assertClose(weightGradient, [1, -1, 1, -1])
            assertThrows(.invalidState, op: "linear", mentions: ["backward", "inf", "gradient of input 0"]) {
                try y.backward()
            }
        }
    }

    func testAnomalyDetectionIsPerThreadAndReturnsThePreviousSetting() throws {
        XCTAssertFalse(setAnomalyDetectionEnabled(true))
        XCTAssertTrue(isAnomalyDetectionEnabled)
        XCTAssertFalse(onNewThread { isAnomalyDetectionEnabled }, "a new thread starts with detection off")
        XCTAssertTrue(setAnomalyDetectionEnabled(false))
    }
}
