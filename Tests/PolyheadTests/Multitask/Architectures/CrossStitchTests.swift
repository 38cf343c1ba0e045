import XCTest
@testable import Polyhead

final class CrossStitchTests: XCTestCase {
    /// Three tasks, columns 3→4 (ReLU) → 4→4 (ReLU) → 4→(1, 2, 1).
    private func model() throws -> CrossStitch {
        try CrossStitch(columns: try zip(["a", "b", "c"], [1, 2, 1]).map { task, outputs in
            (task, [Sequential(try Linear(3, 4), ReLU()), Sequential(try Linear(4, 4), ReLU()), try Linear(4, outputs)])
        })
    }

    func testAlphaStartsAsInThePaper() throws {
        let net = try model()
        XCTAssertEqual(net.stitches.count, 2)
        assertClose(net.stitches[0].alpha, [0.9, 0.05, 0.05, 0.05, 0.9, 0.05, 0.05, 0.05, 0.9], shape: [3, 3])
        assertClose(try CrossStitchUnit(taskCount: 2, selfWeight: 0.8).alpha, [0.8, 0.2, 0.2, 0.8])
        assertClose(try CrossStitchUnit(taskCount: 1).alpha, [1])
    }

    func testUnitMixesActivations() throws {
        let unit = try CrossStitchUnit(taskCount: 2, selfWeight: 0.75)
        let mixed = try unit([try T([1, 2], [1, 2]), try T([10, 20], [1, 2])])
        assertClose(mixed[0], [0.75 + 2.5, 1.5 + 5])
        assertClose(mixed[1], [0.25 + 7.5, 0.5 + 15])
        assertThrows(.shapeMismatch) { try unit([try T([1, 2]), try T([1, 2, 3])]) }
        assertThrows(.shapeMismatch) { try unit([try T([1, 2])]) }
    }

    func testShapesAndPartition() throws {
        let net = try model()
        XCTAssertEqual(try net(try Tensor.randn([5, 3])).map(\.output.shape), [[5, 1], [5, 2], [5, 1]])
        let shared = ["a", "b", "c"].flatMap { t in
            ["0.0.weight", "0.0.bias", "1.0.weight", "1.0.bias"].map { "columns.\(t).\($0)" }
        } + ["stitches.0.alpha", "stitches.1.alpha"]
        checkPartition(net, inputShape: [2, 3], shared: shared,
                       tasks: Dictionary(uniqueKeysWithValues: ["a", "b", "c"].map { t in
                           (t, ["columns.\(t).2.weight", "columns.\(t).2.bias"]) }),
                       scalars: 3 * (3 * 4 + 4 + 4 * 4 + 4) + 2 * 9 + (4 + 1) + (8 + 2) + (4 + 1))
    }

    func testGradientsAgainstFloat64Reference() throws {
        let net = try model()
        // Move α away from its symmetric start so every entry matters.
        for stitch in net.stitches {
            stitch.alpha.withUnsafeMutableBufferPointer { alpha in for i in alpha.indices { alpha[i] += Float(i) * 0.01 } }
        }
        checkModelGradients(net, inputShape: [2, 3]) { p, x in
            let tasks = ["a", "b", "c"]
            var streams = tasks.map { x.linear(p, "columns.\($0).0.0").relu }
            streams = refMixTasks(alpha: p["stitches.0.alpha"]!, streams)
            streams = zip(tasks, streams).map { $1.linear(p, "columns.\($0).1.0").relu }
            streams = refMixTasks(alpha: p["stitches.1.alpha"]!, streams)
            return zip(tasks, streams).map { $1.linear(p, "columns.\($0).2") }
        }
    }

    func testSeededReproducibility() {
        checkSeededReproducibility(inputShape: [2, 3]) { try self.model() }
    }

    func testRejectsBadColumns() throws {
        assertThrows(.invalidArgument, op: "CrossStitch", mentions: ["stages"]) {
            try CrossStitch(columns: [("a", [try Linear(2, 2)]), ("b", [try Linear(2, 2), try Linear(2, 1)])])
        }
        assertThrows(.invalidArgument, op: "CrossStitch") { try CrossStitch(columns: [("a", [])]) }
        assertThrows(.invalidArgument, op: "CrossStitchUnit") { try CrossStitchUnit(taskCount: 2, selfWeight: 1.5) }
    }
}
