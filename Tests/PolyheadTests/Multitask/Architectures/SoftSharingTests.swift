import Foundation
import XCTest
@testable import Polyhead

final class SoftSharingTests: XCTestCase {
    private func model(tasks: [String] = ["a", "b", "c"], penalty: Float = 0.3) throws -> SoftSharing {
        try SoftSharing(towers: try tasks.map { ($0, Sequential(try Linear(3, 4), Tanh(), try Linear(4, 2))) },
                        penalty: penalty)
    }

    func testOutputsAndPartition() throws {
        let net = try model()
        XCTAssertEqual(try net(try Tensor.randn([5, 3])).map(\.output.shape), [[5, 2], [5, 2], [5, 2]])
        let names = { (t: String) in ["0.weight", "0.bias", "2.weight", "2.bias"].map { "towers.\(t).\($0)" } }
        checkPartition(net, inputShape: [2, 3], shared: [], tasks: ["a": names("a"), "b": names("b"), "c": names("c")],
                       scalars: 3 * (3 * 4 + 4 + 4 * 2 + 2))
    }

    func testGradientsAgainstFloat64Reference() throws {
        checkModelGradients(try model(), inputShape: [3, 3]) { p, x in
            ["a", "b", "c"].map { x.linear(p, "towers.\($0).0").map(Foundation.tanh).linear(p, "towers.\($0).2") }
        }
    }

    /// λ Σ_{i<j} Σ_p ‖θ_ip − θ_jp‖² and its gradient 2λ Σ_{j≠i} (θ_ip − θ_jp), in Double.
    func testPenaltyValueAndGradient() throws {
        let net = try model(penalty: 0.3)
        let towers = net.towers.map { $0.tower.parameters.map(doubles) }
        var expected = 0.0
        for i in 0..<3 { for j in (i + 1)..<3 { for p in 0..<4 {
            expected += zip(towers[i][p], towers[j][p]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        } } }
        let penalty = try net.penalty()
        XCTAssertEqual(penalty.shape, [])
        assertScalar(penalty, 0.3 * expected, tolerance: 1e-5)
        try penalty.backward()
        for i in 0..<3 {
            for (p, parameter) in net.towers[i].tower.parameters.enumerated() {
                let expectedGradient = towers[i][p].indices.map { e in
                    (0..<3).filter { $0 != i }.reduce(0.0) { $0 + 2 * 0.3 * (towers[i][p][e] - towers[$1][p][e]) }
                }
                assertClose(gradient(of: parameter), expectedGradient, tolerance: 1e-5, "tower \(i) parameter \(p)")
            }
        }
    }

    func testPenaltyIsZeroForOneTaskAndIdenticalTowers() throws {
        assertScalar(try model(tasks: ["only"]).penalty(), 0)
        let tower = try Linear(2, 2)
        assertScalar(try SoftSharing(towers: [("a", tower), ("b", tower)], penalty: 1).penalty(), 0)
    }

    func testSeededReproducibility() {
        checkSeededReproducibility(inputShape: [2, 3]) { try self.model() }
    }

    func testRejectsMismatchedTowersAndBadPenalty() throws {
        assertThrows(.invalidArgument, op: "SoftSharing", mentions: ["identical"]) {
            try SoftSharing(towers: [("a", try Linear(2, 3)), ("b", try Linear(2, 4))], penalty: 1)
        }
        assertThrows(.invalidArgument, op: "SoftSharing", mentions: ["identical"]) {
            try SoftSharing(towers: [("a", try Linear(2, 3)), ("b", try Linear(2, 3, bias: false))], penalty: 1)
        }
        assertThrows(.invalidArgument, op: "SoftSharing", mentions: ["penalty"]) {
            try SoftSharing(towers: [("a", try Linear(2, 3))], penalty: -1)
        }
    }
}
