import Foundation
import XCTest
@testable import Polyhead

/// Threads that train models sharing parameters may call `method.backward` at once: every step's
/// contribution to the shared gradient must land (the methods accumulate through the same locked helper
/// as the backward pass).
final class ConcurrentMethodBackwardTests: XCTestCase {
    /// One thread's model: the shared weight, its own input and two heads (MSE towards fixed targets).
    private struct Replica {
        let x: Tensor, heads: [Tensor], targets: [Tensor]
        init(features: Int) throws {
            x = try Tensor.randn([2, features])
            heads = try (0..<2).map { _ in try Tensor.randn([1, features]).detached() }
            for head in heads { try head.setRequiresGrad(true) }
            targets = try (0..<2).map { _ in try Tensor.randn([2, 1]) }
        }
        func losses(_ shared: Tensor) throws -> [Tensor] {
            let h = try Tensor.linear(x, weight: shared, bias: nil).relu()
            return try zip(heads, targets).map { try mseLoss(try Tensor.linear(h, weight: $0, bias: nil), $1) }
        }
    }

    func testConcurrentGradientMethodStepsAllLandOnTheSharedGradient() throws {
        try checkConcurrentSteps(method: "mgda")
    }

    func testConcurrentLossWeightingStepsAllLandOnTheSharedGradient() throws {
        try checkConcurrentSteps(method: "gradnorm")
    }

    /// Runs `steps` method steps on each of several replicas sequentially (the expected sum), then again
    /// concurrently, one thread per replica, and compares the shared weight's accumulated gradients.
    private func checkConcurrentSteps(method name: String, threads: Int = 4, steps: Int = 60) throws {
        manualSeed(11)
        let features = 96
        let shared = try Tensor.randn([features, features]).detached()
        try shared.setRequiresGrad(true)
        let replicas = try (0..<threads).map { _ in try Replica(features: features) }
        func run(_ replica: Replica) throws {
            let method = try MultiTaskMethods.make(name, taskCount: 2)
            for _ in 0..<steps {
                // GradNorm's weights move between steps; its shared gradient is measured on `shared`.
                _ = try method.backward(losses: try replica.losses(shared), shared: SharedPart(parameters: [shared]))
            }
        }
        for replica in replicas { try run(replica) }
        let expected = doubles(shared.grad!)
        shared.grad = nil

        final class Failures: @unchecked Sendable { let lock = NSLock(); var errors: [Error] = [] }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: threads) { index in
            do { try run(replicas[index]) } catch {
                failures.lock.lock(); failures.errors.append(error); failures.lock.unlock()
            }
        }
        XCTAssertTrue(failures.errors.isEmpty, "\(failures.errors)")
        let actual = doubles(shared.grad!)
        let scale = expected.map(abs).max() ?? 1
        let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-4 * scale, "a concurrent step's contribution was lost")
    }
}
