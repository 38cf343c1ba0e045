import XCTest
@testable import Polyhead

/// ExcessMTL against its excess-risk estimates and multiplicative weight updates, by hand over steps.
final class ExcessMTLTests: XCTestCase {
    /// The LibMTL update on explicit vectors (weights in linear space, as the paper writes it).
    private struct Reference {
        var sums: [[Double]], weights: [Double], initial: [Double]? = nil
        let eta: Double
        mutating func update(_ g: [[Double]]) -> [Double] {
            var w = [Double]()
            for i in g.indices {
                sums[i] = zip(sums[i], g[i]).map { $0 + $1 * $1 }
                w.append(zip(g[i], sums[i]).reduce(0) { $0 + $1.0 * $1.0 / ($1.1 + 1e-7).squareRoot() })
            }
            if let initial {
                weights = weights.indices.map { weights[$0] * exp(eta * w[$0] / initial[$0]) }
                let total = weights.reduce(0, +)
                weights = weights.map { Double(g.count) * $0 / total }
            } else {
                initial = w
            }
            return (0..<g[0].count).map { k in g.indices.reduce(0) { $0 + weights[$1] * g[$1][k] } }
        }
    }

    func testThreeStepsFollowTheMultiplicativeWeights() throws {
        let steps: [[[Float]]] = [[[1, 2], [0, 3]], [[2, 0], [0, 3]], [[-1, 1], [2, -1]]]
        let method = try makeAggregator("excess_mtl", taskCount: 2, options: ["robust_step_size": 0.5])
        var reference = Reference(sums: [[0, 0], [0, 0]], weights: [1, 1], eta: 0.5)
        for rows in steps {
            let result = try method.aggregate(try TaskJacobian(rows: rows))
            let want = reference.update(rows.map { $0.map(Double.init) })
            assertClose(result.weights, reference.weights, tolerance: 1e-12)
            assertClose(result.direction.map(Double.init), want, tolerance: 1e-6)
        }
    }

    /// The representation mode estimates the risks on the batch sums of the representation gradients (as
    /// LibMTL), so batches of 4, 3 and 5 samples follow the reference on those sums.
    func testRepresentationModeUsesTheBatchSums() throws {
        let head = [try Linear(2, 1), try Linear(2, 1)]
        let method = ExcessMTL(taskCount: 2, robustStepSize: 0.5)
        var reference = Reference(sums: [[0, 0], [0, 0]], weights: [1, 1], eta: 0.5)
        for rows in [4, 3, 5] {
            let h = try Tensor.randn([rows, 2])
            h.requiresGrad = true
            let losses = [try head[0](h).sum(), try (head[1](h) * head[1](h)).mean()]
            let sums = try losses.map { loss in
                let g = try loss.gradients(withRespectTo: [h], retainGraph: true)[0].scalars.map(Double.init)
                return (0..<2).map { k in (0..<rows).reduce(0.0) { $0 + g[$1 * 2 + k] } }
            }
            _ = reference.update(sums)
            let step = try method.backward(losses: losses, shared: SharedPart(parameters: [], representation: h))
            assertClose(step.weights, reference.weights, tolerance: 1e-6)  // float32 batch sums
        }
        XCTAssertNotEqual(reference.weights[0], 1, accuracy: 1e-3)
    }

    func testFirstStepKeepsUnitWeightsAndTheSecondMatchesHandValues() throws {
        let method = try makeAggregator("excess_mtl", taskCount: 2, options: ["robust_step_size": 0.5]) as! ExcessMTL
        let first = try method.aggregate(try TaskJacobian(rows: [[1, 2], [0, 3]]))
        XCTAssertEqual(first.weights, [1, 1])
        XCTAssertEqual(first.direction, [1, 5])
        // Step 2: w₁ = 4/√5 against 3, w₂ = 9/√18 against 3 (up to the 1e-7 guard).
        let second = try method.aggregate(try TaskJacobian(rows: [[2, 0], [0, 3]]))
        let a = exp(0.5 * 4 / 5.0.squareRoot() / 3), b = exp(0.5 * 9 / 18.0.squareRoot() / 3)
        assertClose(second.weights, [2 * a / (a + b), 2 * b / (a + b)], tolerance: 1e-7)
        assertClose(method.taskWeights, second.weights, tolerance: 1e-15)
    }

    func testDegenerateGradientsAndALateStartingTask() throws {
        for (label, rows) in degenerateJacobians {
            let method = try makeAggregator("excess_mtl", taskCount: rows.count)
            for _ in 0..<3 {
                let jacobian = try TaskJacobian(rows: rows)
                assertConsistent(try method.aggregate(jacobian), jacobian, label)
            }
        }
        // Task 1 has no gradient at first: its reference is taken when it first has one, without an update.
        let method = try makeAggregator("excess_mtl", taskCount: 2, options: ["robust_step_size": 1])
        _ = try method.aggregate(try TaskJacobian(rows: [[1, 0], [0, 0]]))
        let second = try method.aggregate(try TaskJacobian(rows: [[1, 0], [0, 2]]))
        // Only task 0 moved: log-weights (w₀/w₀⁽⁰⁾, 0) = (1/√2 / 1, 0) (up to the guard).
        let a = exp(1 / 2.0.squareRoot())
        assertClose(second.weights, [2 * a / (a + 1), 2 / (a + 1)], tolerance: 1e-6)
        XCTAssertTrue(second.weights.allSatisfy(\.isFinite))
    }
}
