import XCTest
@testable import Polyhead

/// A task without a labelled sample in the batch (its masked loss 0, its gradient 0) is absent from the
/// step: it gets weight 0, the state a method keeps for it stays as it was, and with no task present there
/// is no update. (That the step equals the method's step on the present tasks alone is checked for every
/// method, in both modes, by Tests/python/mtl/test_missing_labels.py.)
final class AbsentTaskTests: XCTestCase {
    /// Trunk Linear(3, 4) + ReLU and three Linear(4, 1) heads, with masked MSE losses on seeded batches.
    private struct Problem {
        let trunk: Linear, heads: [Linear]

        init() throws {
            manualSeed(3)
            trunk = try Linear(3, 4)
            heads = try (0..<3).map { _ in try Linear(4, 1) }
        }

        /// One `method.backward` on batch `index` with the tasks in `absent` fully masked (with `flagged`: left
        /// unmasked and flagged absent in `present` instead).
        func step(_ method: any MultiTaskMethod, batch index: Int, absent: Set<Int>, flagged: Bool = false) throws -> MultiTaskStep {
            for parameter in trunk.parameters + heads.flatMap(\.parameters) { parameter.grad = nil }
            manualSeed(UInt64(100 + index))
            let h = try trunk(try Tensor.randn([5, 3])).relu()
            let losses = try heads.enumerated().map { task, head in
                let mask = try Tensor([Float](repeating: absent.contains(task) && !flagged ? 0 : 1, count: 5), shape: [5])
                return try mseLoss(try head(h), try Tensor.randn([5, 1]), mask: mask)
            }
            let present = flagged ? (0..<3).map { !absent.contains($0) } : nil
            return try method.backward(losses: losses, shared: SharedPart(parameters: trunk.parameters), present: present)
        }
    }

    func testARowIsAbsentWhenItsLossAndGradientAreZero() throws {
        let jacobian = try TaskJacobian(rows: [[0, 0], [1, 0], [0, 0], [0, -2]], losses: [0, 0, 3, 0])
        XCTAssertEqual(jacobian.presentTasks(), [1, 2, 3])
        XCTAssertEqual(jacobian.selecting([3, 1]).values, [0, -2, 1, 0])
        XCTAssertEqual(jacobian.selecting([3, 1]).losses, [0, 0])
    }

    func testRowStateOfThePresentTasksMovesAndTheOthersStay() throws {
        var state = TaskRowState()
        let full = try TaskJacobian(rows: [[1, 2], [3, 4], [5, 6]])
        try state.prepare(for: full, op: "test")
        state.moveAverage(toward: full, scales: [1, 1, 1], keep: 0.5)          // rows: g / 2
        let part = try TaskJacobian(rows: [[10, 20], [30, 40]])                   // tasks 2 and 0, in that order
        try state.withRows([2, 0], of: 3) { rows in
            try rows.prepare(for: part, op: "test")
            rows.moveAverage(toward: part, scales: [1, 1], keep: 0.5)
        }
        let expected: [Double] = [15.25, 20.5, 1.5, 2, 6.25, 11.5]  // (row + new) / 2 for tasks 0 and 2
        XCTAssertEqual(state.values, expected)
        var fresh = TaskRowState()                                                // a first step without task 1
        try fresh.withRows([0, 2], of: 3) { rows in try rows.prepare(for: part, op: "test") }
        XCTAssertEqual(fresh.values, [Double](repeating: 0, count: 6))
    }

    /// The state of task 1 in each stateful method, as text (so optional entries compare too).
    private let taskOneState: [String: (any MultiTaskMethod) -> String] = [
        "moco": { "\(($0 as! MoCo).lambda[1])" },
        "sdmgrad": { "\(($0 as! SDMGrad).simplexWeights[1])" },
        "gradvac": { method in let t = (method as! GradVac).targets; return "\(t[1]) \(t.map { $0[1] })" },
        "nash_mtl": { "\(String(describing: ($0 as! NashMTL).alpha?[1]))" },
        "dwa": { "\(($0 as! DWA).epochAverages[1])" },
        "famo": { "\(($0 as! FAMO).logits[1])" },
        "gradnorm": { method in
            let gradNorm = method as! GradNorm
            let gradient = gradNorm.lossWeights.grad.map { doubles($0)[1] }
            return "\(gradNorm.lossWeights.scalars[1]) \(String(describing: gradNorm.initialLosses[1])) \(String(describing: gradient))"
        },
        "stch": { "\(String(describing: ($0 as! STCH).nadir[1]))" },
    ]

    func testAnAbsentTaskKeepsItsStateAndGetsWeightZero() throws {
        let problem = try Problem()
        for (name, state) in taskOneState {
            // STCH fixes its nadir after the warm-up; one inner step keeps SDMGrad's w off the simplex's corners.
            let options = ["stch": ["warmup_epochs": 0.0], "sdmgrad": ["niter": 1.0]][name] ?? [:]
            let method = try MultiTaskMethods.make(name, taskCount: 3, options: options)
            _ = try problem.step(method, batch: 0, absent: [])
            method.endEpoch()
            let before = state(method)
            for index in 1...3 {
                let step = try problem.step(method, batch: index, absent: [1])
                XCTAssertEqual(step.weights[1], 0, name)
                XCTAssertTrue(step.weights.allSatisfy(\.isFinite), "\(name) \(step.weights)")
                XCTAssertFalse(problem.heads[1].parameters.contains { $0.grad.map { doubles($0).contains { $0 != 0 } } ?? false },
                               "\(name): the absent head got a gradient")
                method.endEpoch()
            }
            XCTAssertEqual(state(method), before, "\(name): the absent task's state changed")
            for index in 4...5 {  // two steps: FAMO steps a logit on a pair of consecutive steps
                _ = try problem.step(method, batch: index, absent: [])
                method.endEpoch()
            }
            XCTAssertNotEqual(state(method), before, "\(name): the state of a present task should move")
        }
    }

    func testPresentFlagsActAsTheMaskAndAreChecked() throws {
        let problem = try Problem()
        for name in ["mgda", "famo", "moco", "uncertainty"] {
            var results: [[[Double]]] = []
            for flagged in [false, true] {
                let method = try MultiTaskMethods.make(name, taskCount: 3)
                let step = try problem.step(method, batch: 0, absent: [1], flagged: flagged)
                results.append([step.weights] + problem.trunk.parameters.map { doubles($0.grad!) }
                               + problem.heads[1].parameters.map { $0.grad.map(doubles) ?? [0] })
            }
            for (masked, flagged) in zip(results[0], results[1]) { assertClose(flagged, masked, tolerance: 1e-6) }
            assertThrows(.invalidArgument, op: "mtl_backward", mentions: ["present has 2 flags for 3 tasks"]) {
                try MultiTaskMethods.make(name, taskCount: 3).backward(
                    losses: try (0..<3).map { _ in try Tensor([1], shape: [], requiresGrad: true) },
                    shared: SharedPart(parameters: problem.trunk.parameters), present: [true, false])
            }
        }
    }

    func testWithNoTaskPresentThereIsNoUpdate() throws {
        let problem = try Problem()
        for name in MultiTaskMethods.names {
            let method = try MultiTaskMethods.make(name, taskCount: 3)
            let step = try problem.step(method, batch: 0, absent: [0, 1, 2])
            XCTAssertEqual(step.weights, [0, 0, 0], name)
            for parameter in problem.trunk.parameters {
                XCTAssertFalse(parameter.grad.map { doubles($0).contains { $0 != 0 } } ?? false, name)
            }
        }
    }
}
