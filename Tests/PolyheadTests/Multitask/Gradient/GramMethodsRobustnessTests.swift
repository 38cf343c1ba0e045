import XCTest
@testable import Polyhead

/// MGDA, CAGrad, IMTL, Aligned-MTL and Nash-MTL on degenerate gradients (one task, zeros, identical,
/// colinear, opposite, non-finite) and through the driver in representation mode.
final class GramMethodsRobustnessTests: XCTestCase {
    private let names = ["mgda", "cagrad", "imtl", "aligned_mtl", "nash_mtl"]

    private func aggregate(_ name: String, _ rows: [[Float]], options: [String: Double] = [:]) throws -> Aggregation {
        let method = try MultiTaskMethods.make(name, taskCount: rows.count, options: options)
        // invariant of the test: every name above is a gradient aggregator.
        return try (method as! any GradientAggregator).aggregate(try TaskJacobian(rows: rows))
    }

    private func assertFinite(_ result: Aggregation, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(result.weights.allSatisfy(\.isFinite), "\(label): weights \(result.weights)", file: file, line: line)
        XCTAssertTrue(result.direction.allSatisfy(\.isFinite), "\(label): direction \(result.direction)", file: file, line: line)
    }

    func testOneTaskFollowsItsGradient() throws {
        let g: [Float] = [0.3, -1.2, 2]
        let expected: [String: Double] = [
            "mgda": 1, "cagrad": 1.5 / 1.25, "imtl": 1, "aligned_mtl": 1,
            "nash_mtl": 1 / GramReference.norm(g.map(Double.init)),
        ]
        for name in names {
            let result = try aggregate(name, [g])
            XCTAssertEqual(result.weights[0], expected[name]!, accuracy: 1e-6, name)
            for (d, x) in zip(result.direction, g) { XCTAssertEqual(Double(d), result.weights[0] * Double(x), accuracy: 1e-5, name) }
        }
    }

    func testDegenerateGradientsGiveFiniteUpdates() throws {
        let g: [Float] = [1, -2, 0.5, 0]
        let cases: [(String, [[Float]])] = [
            ("all zero", [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]),
            ("one zero", [g, [0, 0, 0, 0]]),
            ("identical", [g, g, g]),
            ("colinear", [g, g.map { $0 * 3 }]),
            ("opposite", [g, g.map { -$0 }]),
            ("opposite pair and a third", [g, g.map { -$0 }, [0, 0, 0, 1]]),
            ("tiny", [g.map { $0 * 1e-20 }, [1e-20, 0, 0, 0]]),
        ]
        for name in names {
            for (label, rows) in cases {
                let result = try aggregate(name, rows)
                assertFinite(result, "\(name) \(label)")
                XCTAssertEqual(result.weights.count, rows.count)
            }
            // Agreeing copies move along g (never against it), all-zero gradients do not move.
            let identical = try aggregate(name, [g, g, g])
            XCTAssertGreaterThan(GramReference.dot(identical.direction, g), 0, name)
            XCTAssertEqual(try aggregate(name, cases[0].1).direction, [0, 0, 0, 0], name)
            // Exactly opposite gradients leave no common descent direction.
            let opposite = try aggregate(name, [g, g.map { -$0 }])
            XCTAssertLessThan(GramReference.norm(opposite.direction.map(Double.init)), 1e-3, name)
        }
    }

    func testNonFiniteGradientsAreRejected() {
        for name in names {
            for bad in [Float.nan, Float.infinity] {
                assertThrows(.invalidArgument, op: name, mentions: ["task 1", "not finite"]) {
                    try aggregate(name, [[1, 2], [bad, 0]])
                }
            }
        }
    }

    func testRepresentationModeCombinesRepresentationGradients() throws {
        // Trunk z = x Wᵀ + b (5 × 4), heads Linear(4, 1), MSE losses. In representation mode the trunk's
        // weight gradient is Dᵀ x for the combined representation gradient D (the aggregate of the rows
        // ∂Lₜ/∂z), and every head gets its own task's gradient.
        for name in names {
            manualSeed(9)
            let trunk = try Linear(3, 4)
            let heads = [try Linear(4, 1), try Linear(4, 1), try Linear(4, 1)]
            let x = try Tensor.randn([5, 3])
            let targets = try (0..<3).map { _ in try Tensor.randn([5, 1]) }
            func forward() throws -> (Tensor, [Tensor]) {
                let z = try trunk(x)
                return (z, try zip(heads, targets).map { try mseLoss(try $0(z), $1) })
            }
            var (z, losses) = try forward()
            let jacobian = try taskJacobian(losses, targets: [z])
            let headGradients = try heads.indices.map { i in
                try losses[i].gradients(withRespectTo: heads[i].parameters, retainGraph: true)
            }
            let method = try MultiTaskMethods.make(name, taskCount: 3)
            let expected = try (MultiTaskMethods.make(name, taskCount: 3) as! any GradientAggregator).aggregate(jacobian)
            (z, losses) = try forward()
            let step = try method.backward(losses: losses, shared: SharedPart(parameters: trunk.parameters, representation: z))
            for (a, b) in zip(step.weights, expected.weights) { XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(b)), name) }
            let xs = doubles(x)
            let weightGradient = doubles(trunk.weight.grad!)
            for h in 0..<4 {
                for i in 0..<3 {
                    let want = (0..<5).reduce(0.0) { $0 + Double(expected.direction[$1 * 4 + h]) * xs[$1 * 3 + i] }
                    XCTAssertEqual(weightGradient[h * 3 + i], want, accuracy: 1e-5, "\(name) W[\(h), \(i)]")
                }
            }
            for (head, want) in zip(heads, headGradients) {
                for (parameter, gradient) in zip(head.parameters, want) { assertClose(parameter.grad!, doubles(gradient)) }
            }
        }
    }
}
