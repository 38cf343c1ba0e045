import XCTest
@testable import Polyhead

final class PLETests: XCTestCase {
    /// Input 4, expert width 3, one shared and one task expert per level, towers 3→1.
    private func model(levels: Int = 2, tasks: [String] = ["a", "b"]) throws -> PLE {
        try PLE(inputSize: 4, expertSize: 3, levels: levels, sharedExperts: 1, taskExperts: 1,
                towers: try linearTowers(tasks, 3, 1)) { width in Sequential(try Linear(width, 3), ReLU()) }
    }

    func testStructure() throws {
        let net = try model()
        XCTAssertEqual(net.levels.count, 2)
        XCTAssertEqual(net.levels[0].sharedGate?.weight.shape, [3, 4])   // over a, b and the shared expert
        XCTAssertNil(net.levels[1].sharedGate)
        XCTAssertEqual(net.levels[1].taskGates.map(\.gate.weight.shape), [[2, 3], [2, 3]])
        XCTAssertEqual(try net(try Tensor.randn([5, 4])).map(\.output.shape), [[5, 1], [5, 1]])
    }

    func testPartition() throws {
        let e = { (prefix: String) in ["\(prefix).0.weight", "\(prefix).0.bias"] }
        let g = { (prefix: String) in ["\(prefix).weight", "\(prefix).bias"] }
        let task = { (t: String) in
            g("levels.0.task_gates.\(t)") + e("levels.1.task_experts.\(t).0") + g("levels.1.task_gates.\(t)") + g("towers.\(t)")
        }
        checkPartition(try model(), inputShape: [2, 4],
                       shared: e("levels.0.shared_experts.0") + e("levels.0.task_experts.a.0") + e("levels.0.task_experts.b.0")
                           + g("levels.0.shared_gate") + e("levels.1.shared_experts.0"),
                       tasks: ["a": task("a"), "b": task("b")],
                       scalars: (3 * 15 + 2 * 10 + 15) + (3 * 12 + 2 * 8) + 2 * 4)
    }

    /// Deeper and with three tasks, the partition still matches what each output depends on.
    func testPartitionFollowsDependenciesForThreeLevels() throws {
        let net = try model(levels: 3, tasks: ["a", "b", "c"])
        checkPartition(net, inputShape: [2, 4], shared: nil, tasks: nil, scalars: nil)
        XCTAssertTrue(net.namedSharedParameters.map(\.name).contains("levels.0.task_gates.a.weight"))
        XCTAssertTrue(try net.namedTaskParameters("a").map(\.name).contains("levels.1.task_gates.a.weight"))
    }

    func testGradientsAgainstFloat64Reference() throws {
        checkModelGradients(try model(), inputShape: [3, 4]) { p, x in
            let tasks = ["a", "b"]
            var streams = [x, x], shared = x
            for level in 0..<2 {
                let s = p.expert("levels.\(level).shared_experts.0", shared)
                let own = zip(tasks, streams).map { p.expert("levels.\(level).task_experts.\($0).0", $1) }
                let mixtures = tasks.indices.map { k in
                    refMixExperts(gate: streams[k].linear(p, "levels.\(level).task_gates.\(tasks[k])").softmax(), experts: [own[k], s])
                }
                if level == 0 {
                    shared = refMixExperts(gate: shared.linear(p, "levels.0.shared_gate").softmax(), experts: own + [s])
                }
                streams = mixtures
            }
            return zip(tasks, streams).map { $1.linear(p, "towers.\($0)") }
        }
    }

    func testOneLevelIsCGC() throws {
        let net = try model(levels: 1)
        XCTAssertNil(net.levels[0].sharedGate)
        checkPartition(net, inputShape: [2, 4], shared: ["levels.0.shared_experts.0.0.weight", "levels.0.shared_experts.0.0.bias"],
                       tasks: nil, scalars: 3 * 15 + 2 * 10 + 2 * 4)
    }

    func testSeededReproducibility() {
        checkSeededReproducibility(inputShape: [2, 4]) { try self.model() }
    }

    func testRejectsBadCounts() throws {
        assertThrows(.invalidArgument, op: "PLE") { try self.model(levels: 0) }
        assertThrows(.invalidArgument, op: "PLE") {
            try PLE(inputSize: 4, expertSize: 3, sharedExperts: 0, taskExperts: 0, towers: try linearTowers(["a"], 3, 1)) { _ in
                try Linear(4, 3)
            }
        }
    }
}

private extension RefParameters {
    /// relu(x · W + b) for the expert `Sequential(Linear, ReLU)` at `prefix`.
    func expert(_ prefix: String, _ x: Ref) -> Ref { x.linear(self, "\(prefix).0").relu }
}
