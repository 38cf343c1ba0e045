import XCTest
@testable import Polyhead

final class CGCTests: XCTestCase {
    private func expert() throws -> any Layer { Sequential(try Linear(4, 3), ReLU()) }

    /// Input 4, two shared experts, task a one expert, task b two; experts 4→3 (ReLU); towers 3→1.
    private func model() throws -> CGC {
        try CGC(inputSize: 4, sharedExperts: [try expert(), try expert()],
                taskExperts: [("a", [try expert()]), ("b", [try expert(), try expert()])],
                towers: [("a", try Linear(3, 1)), ("b", try Linear(3, 1))])
    }

    func testShapesAndGateSizes() throws {
        let net = try model()
        XCTAssertEqual(try net(try Tensor.randn([5, 4])).map(\.output.shape), [[5, 1], [5, 1]])
        XCTAssertEqual(net.extraction.taskGates.map(\.gate.weight.shape), [[3, 4], [4, 4]])
        XCTAssertNil(net.extraction.sharedGate)
    }

    func testPartition() throws {
        let e = { (prefix: String) in ["\(prefix).0.weight", "\(prefix).0.bias"] }
        checkPartition(try model(), inputShape: [2, 4],
                       shared: e("extraction.shared_experts.0") + e("extraction.shared_experts.1"),
                       tasks: ["a": e("extraction.task_experts.a.0") + ["extraction.task_gates.a.weight", "extraction.task_gates.a.bias",
                                                                         "towers.a.weight", "towers.a.bias"],
                               "b": e("extraction.task_experts.b.0") + e("extraction.task_experts.b.1")
                                   + ["extraction.task_gates.b.weight", "extraction.task_gates.b.bias", "towers.b.weight", "towers.b.bias"]],
                       scalars: 5 * 15 + (4 * 3 + 3) + (4 * 4 + 4) + 2 * 4)
    }

    func testGradientsAgainstFloat64Reference() throws {
        checkModelGradients(try model(), inputShape: [3, 4]) { p, x in
            let shared = (0..<2).map { x.linear(p, "extraction.shared_experts.\($0).0").relu }
            return zip(["a", "b"], [1, 2]).map { task, count in
                let own = (0..<count).map { x.linear(p, "extraction.task_experts.\(task).\($0).0").relu }
                let gate = x.linear(p, "extraction.task_gates.\(task)").softmax()
                return refMixExperts(gate: gate, experts: own + shared).linear(p, "towers.\(task)")
            }
        }
    }

    func testSeededReproducibility() {
        checkSeededReproducibility(inputShape: [2, 4]) { try self.model() }
    }

    func testRejectsMismatchedTasks() throws {
        assertThrows(.invalidArgument, op: "CGC", mentions: ["task experts"]) {
            try CGC(inputSize: 4, sharedExperts: [try self.expert()], taskExperts: [("b", [try self.expert()])],
                    towers: [("a", try Linear(3, 1))])
        }
        assertThrows(.invalidArgument, op: "ExtractionLevel") {
            try CGC(inputSize: 4, sharedExperts: [], taskExperts: [("a", [])], towers: [("a", try Linear(3, 1))])
        }
    }
}
