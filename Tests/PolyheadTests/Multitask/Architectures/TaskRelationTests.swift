import XCTest
@testable import Polyhead

final class TaskRelationTests: XCTestCase {
    /// trunk 4→3 (ReLU), task layers 3→2 (ReLU), outputs a: 2→1, b: 2→3.
    private func model() throws -> TaskRelation {
        try TaskRelation(trunk: Sequential(try Linear(4, 3), ReLU()),
                         taskLayers: try ["a", "b"].map { ($0, Sequential(try Linear(3, 2), ReLU())) },
                         outputLayers: [("a", try Linear(2, 1)), ("b", try Linear(2, 3))])
    }

    func testStartsAsIndependentHeads() throws {
        let net = try model()
        assertClose(net.relation, [1, 0, 0, 1], shape: [2, 2])
        let x = try Tensor.randn([5, 4])
        let (outputs, representation) = try net.forwardWithRepresentation(x)
        XCTAssertEqual(outputs.map(\.output.shape), [[5, 1], [5, 3]])
        XCTAssertEqual(representation.shape, [5, 3])
        let direct = try net.outputLayers[1].layer(try net.taskLayers[1].layer(representation))
        assertClose(outputs["b"]!, doubles(direct), tolerance: 1e-6)
    }

    func testPartition() throws {
        let g = { (prefix: String) in ["\(prefix).weight", "\(prefix).bias"] }
        checkPartition(try model(), inputShape: [2, 4],
                       shared: ["relation"] + g("trunk.0") + g("task_layers.a.0") + g("task_layers.b.0"),
                       tasks: ["a": g("output_layers.a"), "b": g("output_layers.b")],
                       scalars: 15 + 2 * 8 + 4 + 3 + 9)
    }

    func testGradientsAgainstFloat64Reference() throws {
        let net = try model()
        net.relation.withUnsafeMutableBufferPointer { $0[1] = 0.3; $0[2] = -0.2; $0[3] = 0.8 }
        checkModelGradients(net, inputShape: [3, 4]) { p, x in
            let h = x.linear(p, "trunk.0").relu
            let mixed = refMixTasks(alpha: p["relation"]!, ["a", "b"].map { h.linear(p, "task_layers.\($0).0").relu })
            return [mixed[0].linear(p, "output_layers.a"), mixed[1].linear(p, "output_layers.b")]
        }
    }

    func testSeededReproducibility() {
        checkSeededReproducibility(inputShape: [2, 4]) { try self.model() }
    }

    func testRejectsMismatchedTasks() throws {
        assertThrows(.invalidArgument, op: "TaskRelation", mentions: ["output layers"]) {
            try TaskRelation(trunk: try Linear(2, 2), taskLayers: [("a", try Linear(2, 2))], outputLayers: [("b", try Linear(2, 1))])
        }
        let uneven = try TaskRelation(trunk: try Linear(2, 2), taskLayers: [("a", try Linear(2, 2)), ("b", try Linear(2, 3))],
                                      outputLayers: [("a", try Linear(2, 1)), ("b", try Linear(3, 1))])
        assertThrows(.shapeMismatch, op: "TaskRelation") { try uneven(try Tensor.randn([1, 2])) }
    }
}
