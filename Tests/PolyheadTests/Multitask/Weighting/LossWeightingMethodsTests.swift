import XCTest
@testable import Polyhead

/// Every loss-level method, made by name, on a small hard-sharing model for 1 to 4 tasks, with ordinary,
/// zero and tiny losses: finite weights and gradients everywhere, over several steps and epochs.
final class LossWeightingMethodsTests: XCTestCase {
    static let names = ["linear", "inverse_loss", "uncertainty", "dwa", "gradnorm", "rlw", "famo", "gls", "stch"]

    func testAllAreRegistered() {
        for name in Self.names { XCTAssertTrue(MultiTaskMethods.names.contains(name), name) }
    }

    func testEveryMethodStaysFiniteFromOneToFourTasksWithZeroAndTinyLosses() throws {
        manualSeed(11)
        let trunk = try Linear(3, 4), x = try Tensor.randn([6, 3])
        for taskCount in 1...4 {
            let heads = try (0..<taskCount).map { _ in try Linear(4, 1) }
            for name in Self.names {
                let options: [String: Double] = name == "stch" ? ["warmup_epochs": 0] : [:]
                let method = try MultiTaskMethods.make(name, taskCount: taskCount, options: options)
                for step in 0..<6 {
                    let h = try trunk(x).relu()
                    // Task 0 reaches loss 0 (target = its prediction), task 1 a tiny loss, the others ordinary ones.
                    let losses = try heads.enumerated().map { i, head -> Tensor in
                        let prediction = try head(h)
                        let offset: Float = i == 0 ? 0 : (i == 1 ? 1e-6 : Float(i))
                        return try mseLoss(prediction, try prediction.detached() + offset)
                    }
                    for p in trunk.parameters + heads.flatMap(\.parameters) + method.parameters { p.grad = nil }
                    let stepResult = try method.backward(losses: losses, shared: SharedPart(parameters: trunk.parameters))
                    XCTAssertEqual(stepResult.weights.count, taskCount)
                    XCTAssertTrue(stepResult.weights.allSatisfy(\.isFinite), "\(name) T=\(taskCount) weights \(stepResult.weights)")
                    for p in trunk.parameters + heads.flatMap(\.parameters) + method.parameters {
                        XCTAssertTrue((p.grad?.scalars ?? []).allSatisfy(\.isFinite), "\(name) T=\(taskCount) step \(step)")
                    }
                    if step % 2 == 1 { method.endEpoch() }
                }
            }
        }
    }

    func testLossCountAndShapeAreChecked() throws {
        for name in Self.names {
            let method = try MultiTaskMethods.make(name, taskCount: 2)
            assertThrows(.invalidArgument, op: "mtl_backward", mentions: ["expected 2 task losses, got 1"]) {
                try method.backward(losses: try leafLosses([1]), shared: noSharedPart)
            }
            assertThrows(.invalidState, mentions: ["does not require grad"]) {
                try method.backward(losses: [Tensor(1), Tensor(2)], shared: noSharedPart)
            }
        }
    }
}
