import XCTest
@testable import Polyhead

final class HardSharingTests: XCTestCase {
    /// trunk 4→5→3 (ReLU), heads a: 3→2, b: 3→1.
    private func model() throws -> HardSharing {
        try HardSharing(trunk: Sequential(try Linear(4, 5), ReLU(), try Linear(5, 3), ReLU()),
                        heads: ["a": try Linear(3, 2), "b": try Linear(3, 1)])
    }

    func testOutputsInTaskOrderWithShapes() throws {
        let net = try model()
        let x = try Tensor.randn([6, 4])
        let (outputs, representation) = try net.forwardWithRepresentation(x)
        XCTAssertEqual(outputs.tasks, ["a", "b"])
        XCTAssertEqual(outputs.map(\.output.shape), [[6, 2], [6, 1]])
        XCTAssertEqual(representation.shape, [6, 3])
        XCTAssertEqual(try net.trunk(x).scalars, representation.scalars)
        XCTAssertEqual(try net(x)["b"]?.scalars, outputs["b"]?.scalars)
        XCTAssertNil(outputs["c"])
    }

    func testRepresentationIsWhatTheHeadsRead() throws {
        let net = try model()
        let (outputs, representation) = try net.forwardWithRepresentation(try Tensor.randn([2, 4]))
        let fromRepresentation = try outputs["a"]!.sum().gradients(withRespectTo: [representation])[0]
        XCTAssertEqual(fromRepresentation.shape, [2, 3])
        XCTAssertTrue(fromRepresentation.scalars.contains { $0 != 0 })
    }

    func testPartition() throws {
        checkPartition(try model(), inputShape: [3, 4],
                       shared: ["trunk.0.weight", "trunk.0.bias", "trunk.2.weight", "trunk.2.bias"],
                       tasks: ["a": ["heads.a.weight", "heads.a.bias"], "b": ["heads.b.weight", "heads.b.bias"]],
                       scalars: (4 * 5 + 5) + (5 * 3 + 3) + (3 * 2 + 2) + (3 + 1))
    }

    func testGradientsAgainstFloat64Reference() throws {
        checkModelGradients(try model(), inputShape: [3, 4]) { p, x in
            let h = x.linear(p, "trunk.0").relu.linear(p, "trunk.2").relu
            return [h.linear(p, "heads.a"), h.linear(p, "heads.b")]
        }
    }

    func testSeededReproducibility() {
        checkSeededReproducibility(inputShape: [2, 4]) { try self.model() }
    }

    func testRejectsBadTaskNames() throws {
        let trunk = try Linear(2, 2)
        assertThrows(.invalidArgument, op: "HardSharing") { try HardSharing(trunk: trunk, heads: [(String, any Layer)]()) }
        assertThrows(.invalidArgument, op: "HardSharing", mentions: ["repeat"]) {
            try HardSharing(trunk: trunk, heads: [("a", try Linear(2, 1)), ("a", try Linear(2, 1))])
        }
        assertThrows(.invalidArgument, op: "HardSharing", mentions: ["a.b"]) {
            try HardSharing(trunk: trunk, heads: [("a.b", try Linear(2, 1))])
        }
    }
}
