import XCTest
@testable import Polyhead

final class MMoETests: XCTestCase {
    /// Input 4, three experts 4→3 (ReLU), towers a: 3→2, b: 3→1.
    private func model() throws -> MMoE {
        try MMoE(inputSize: 4, experts: try (0..<3).map { _ in Sequential(try Linear(4, 3), ReLU()) },
                 towers: [("a", try Linear(3, 2)), ("b", try Linear(3, 1))])
    }

    func testShapesAndGates() throws {
        let net = try model()
        let x = try Tensor.randn([5, 4])
        XCTAssertEqual(try net(x).map(\.output.shape), [[5, 2], [5, 1]])
        for (_, gate) in try net.gateWeights(x) {
            XCTAssertEqual(gate.shape, [5, 3])
            for row in 0..<5 { XCTAssertEqual(gate.scalars[row * 3..<row * 3 + 3].reduce(0, +), 1, accuracy: 1e-6) }
        }
    }

    func testPartition() throws {
        let experts = (0..<3).flatMap { ["experts.\($0).0.weight", "experts.\($0).0.bias"] }
        checkPartition(try model(), inputShape: [2, 4], shared: experts,
                       tasks: ["a": ["gates.a.weight", "gates.a.bias", "towers.a.weight", "towers.a.bias"],
                               "b": ["gates.b.weight", "gates.b.bias", "towers.b.weight", "towers.b.bias"]],
                       scalars: 3 * (4 * 3 + 3) + 2 * (4 * 3 + 3) + (3 * 2 + 2) + (3 + 1))
    }

    func testGradientsAgainstFloat64Reference() throws {
        checkModelGradients(try model(), inputShape: [3, 4]) { p, x in
            let experts = (0..<3).map { x.linear(p, "experts.\($0).0").relu }
            return ["a", "b"].map { task in
                refMixExperts(gate: x.linear(p, "gates.\(task)").softmax(), experts: experts).linear(p, "towers.\(task)")
            }
        }
    }

    /// The gates come after the experts and towers, in task order, as Linear(inputSize, experts).
    func testCreationOrder() throws {
        manualSeed(3)
        let net = try model()
        manualSeed(3)
        _ = try (0..<3).map { _ in try Linear(4, 3) }
        _ = try Linear(3, 2)
        _ = try Linear(3, 1)
        let gateA = try Linear(4, 3)
        XCTAssertEqual(net.gates[0].gate.weight.scalars, gateA.weight.scalars)
    }

    func testSeededReproducibility() {
        checkSeededReproducibility(inputShape: [2, 4]) { try self.model() }
    }

    func testRejectsBadArguments() throws {
        assertThrows(.invalidArgument, op: "MMoE") { try MMoE(inputSize: 2, experts: [], towers: [("a", try Linear(2, 1))]) }
        let mismatched = try MMoE(inputSize: 2, experts: [try Linear(2, 3), try Linear(2, 4)], towers: [("a", try Linear(3, 1))])
        assertThrows(.shapeMismatch, op: "MMoE") { try mismatched(try Tensor.randn([1, 2])) }
    }
}
