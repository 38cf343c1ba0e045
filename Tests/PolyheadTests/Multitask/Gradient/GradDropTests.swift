import XCTest
@testable import Polyhead

/// GradDrop against the sign-purity rule written out by hand, with the seeded draws replayed.
final class GradDropTests: XCTestCase {
    /// The reference: per unit (feature) the batch-separated signals Σ_b sign(A)·g, purity, one draw,
    /// keep a task's gradient when its signal has the drawn sign, else let `leak` of it through.
    private func reference(_ rows: [[Float]], batch: Int = 1, signs: [Float]? = nil, draws: [Double], leak: Double = 0) -> [Double] {
        let width = rows[0].count, features = width / batch
        var out = [Double](repeating: 0, count: width)
        for f in 0..<features {
            let signal = rows.map { row in (0..<batch).reduce(0.0) { $0 + Double(row[$1 * features + f]) * Double(signs?[$1 * features + f] ?? 1) } }
            let p = 0.5 * (1 + signal.reduce(0, +) / signal.map(abs).reduce(0, +))
            for (task, row) in rows.enumerated() {
                let keep = (p > draws[f] && signal[task] > 0) || (p < draws[f] && signal[task] < 0)
                for b in 0..<batch { out[b * features + f] += (keep ? 1 : leak) * Double(row[b * features + f]) }
            }
        }
        return out
    }

    func testPureSignsKeepEveryGradient() throws {
        let rows: [[Float]] = [[1, -2, 3, 0], [2, -1, 0.5, -4]]
        let result = try makeAggregator("graddrop", taskCount: 2).aggregate(try TaskJacobian(rows: rows))
        XCTAssertEqual(result.direction, [3, -3, 3.5, -4])
    }

    func testMixedSignsFollowTheSeededDraws() throws {
        let rows: [[Float]] = [[1, -2, 3, 0.2, -1, 2], [-3, 1, -0.5, -0.1, 1, -2], [0.5, 0.5, -1, 0.3, 0, 1]]
        for leak in [0.0, 0.25] {
            manualSeed(21)
            let draws = randomUniforms(6)
            manualSeed(21)
            let result = try makeAggregator("graddrop", taskCount: 3, options: ["leak": leak]).aggregate(try TaskJacobian(rows: rows))
            assertClose(result.direction.map(Double.init), reference(rows, draws: draws, leak: leak), tolerance: 1e-6)
            // The draws decide something: not every mixed unit is kept whole.
            XCTAssertNotEqual(result.direction, [-1.5, -0.5, 1.5, 0.4, 0, 1])
        }
    }

    func testWideRowsSpanningSeveralBlocksFollowTheDrawsInEntryOrder() throws {
        // 5003 entries: several of the parameter mode's blocks and a tail that is not a multiple of 8.
        var random = TestRandom(seed: 17)
        let rows: [[Float]] = (0..<3).map { _ in (0..<5003).map { _ in Float(random.uniform(-1, 1)) } }
        manualSeed(5)
        let draws = randomUniforms(5003)
        manualSeed(5)
        let result = try makeAggregator("graddrop", taskCount: 3, options: ["leak": 0.1]).aggregate(try TaskJacobian(rows: rows))
        assertClose(result.direction.map(Double.init), reference(rows, draws: draws, leak: 0.1), tolerance: 1e-5)
    }

    func testFullLeakIsTheSum() throws {
        let rows: [[Float]] = [[1, -2, 3], [-3, 1, -0.5]]
        let result = try makeAggregator("graddrop", taskCount: 2, options: ["leak": 1]).aggregate(try TaskJacobian(rows: rows))
        XCTAssertEqual(result.direction, [-2, -1, 2.5])
    }

    func testBatchSeparatedSignalsUseTheRepresentationSigns() throws {
        // Two samples × three features; the signs of A flip sample 1's contribution to feature 0.
        let rows: [[Float]] = [[1, -2, 0.5, 2, 1, -1], [-1, 1, 0.5, -0.5, -3, 2]]
        let signs: [Float] = [1, 1, -1, -1, 0, 1]
        manualSeed(4)
        let draws = randomUniforms(3)
        manualSeed(4)
        let method = GradDrop(taskCount: 2)
        let result = try method.drop(try TaskJacobian(rows: rows), units: .init(batch: 2, signs: signs))
        assertClose(result.direction.map(Double.init), reference(rows, batch: 2, signs: signs, draws: draws), tolerance: 1e-6)
    }

    func testRepresentationModeDrivesTheTrunkWithTheDroppedRepresentationGradient() throws {
        manualSeed(3)
        let trunk = try Linear(3, 4), heads = [try Linear(4, 1), try Linear(4, 1)]
        let x = try Tensor.randn([5, 3]), targets = [try Tensor.randn([5, 1]), try Tensor.randn([5, 1])]
        func forward() throws -> (Tensor, [Tensor]) {
            let h = try trunk(x)
            return (h, try zip(heads, targets).map { try mseLoss(try $0(h), $1) })
        }
        let (h, losses) = try forward()
        let rows = try losses.map { try $0.gradients(withRespectTo: [h], retainGraph: true)[0].scalars }
        manualSeed(8)
        let draws = randomUniforms(4)
        let direction = reference(rows, batch: 5, signs: h.scalars.map { $0 > 0 ? 1 : $0 < 0 ? -1 : 0 }, draws: draws)
        try h.backward(seed: try Tensor(direction.map(Float.init), shape: h.shape))
        let expected = trunk.parameters.map { doubles($0.grad!) }
        for p in trunk.parameters + heads.flatMap(\.parameters) { p.grad = nil }
        let (h2, losses2) = try forward()
        manualSeed(8)
        let step = try MultiTaskMethods.make("graddrop", taskCount: 2)
            .backward(losses: losses2, shared: SharedPart(parameters: [], representation: h2))
        for (parameter, want) in zip(trunk.parameters, expected) { assertClose(parameter.grad!, want, tolerance: 1e-5) }
        XCTAssertTrue(step.weights.allSatisfy(\.isFinite))
    }

    func testDegenerateGradientsGiveFiniteUpdates() throws {
        for (label, rows) in degenerateJacobians {
            let jacobian = try TaskJacobian(rows: rows)
            assertConsistent(try makeAggregator("graddrop", taskCount: rows.count).aggregate(jacobian), jacobian,
                             exactWeights: false, label)
        }
        let single = try makeAggregator("graddrop", taskCount: 1).aggregate(try TaskJacobian(rows: [[1, -2, 0.5]]))
        XCTAssertEqual(single.direction, [1, -2, 0.5])
        assertThrows(.invalidArgument, op: "graddrop", mentions: ["leak=1.5"]) {
            try MultiTaskMethods.make("graddrop", taskCount: 2, options: ["leak": 1.5])
        }
    }
}
