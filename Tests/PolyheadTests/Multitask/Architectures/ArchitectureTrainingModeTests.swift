import XCTest
@testable import Polyhead

/// `eval()` and `train()` on every architecture reach every dropout layer inside it, at any depth, and in
/// evaluation mode the outputs are deterministic.
final class ArchitectureTrainingModeTests: XCTestCase {
    /// The dropout layers made by `block`, in creation order.
    private var dropouts: [Dropout] = []

    /// Linear(width, 4), Dropout(0.5), registered in `dropouts`.
    private func block(_ width: Int = 5) throws -> any Layer {
        let dropout = try Dropout(p: 0.5)
        dropouts.append(dropout)
        return Sequential(try Linear(width, 4), dropout)
    }

    private func towers() throws -> [(String, any Layer)] {
        [("a", Sequential(try block(4), try Linear(4, 1))), ("b", Sequential(try block(4), try Linear(4, 1)))]
    }

    /// Every architecture with a dropout in each of its parts, built when called.
    private var recipes: [(String, () throws -> any MultiTaskModel)] {
        [
            ("HardSharing", { try HardSharing(trunk: try self.block(), heads: try self.towers()) }),
            ("SoftSharing", { try SoftSharing(towers: try ["a", "b"].map { ($0, try self.block()) }) }),
            ("TaskSpecific", { try TaskSpecific(tasks: ["a", "b"]) { _ in try self.block() } }),
            ("CrossStitch", { try CrossStitch(columns: try ["a", "b"].map { ($0, [try self.block(), try self.block(4)]) }) }),
            ("MMoE", { try MMoE(inputSize: 5, experts: [try self.block(), try self.block()], towers: try self.towers()) }),
            ("CGC", {
                try CGC(inputSize: 5, sharedExperts: [try self.block()],
                        taskExperts: [("a", [try self.block()]), ("b", [try self.block()])], towers: try self.towers())
            }),
            ("PLE", {
                try PLE(inputSize: 5, expertSize: 4, levels: 2, sharedExperts: 1, taskExperts: 1, towers: try self.towers()) {
                    try self.block($0)
                }
            }),
            ("DSelectK", { try DSelectK(inputSize: 5, experts: [try self.block(), try self.block()], towers: try self.towers(), k: 1) }),
            ("ESMM", { ESMM(shared: try self.block(), ctrTower: try self.block(4), cvrTower: try self.block(4)) }),
            ("TaskRelation", {
                try TaskRelation(trunk: try self.block(), taskLayers: [("a", try self.block(4)), ("b", try self.block(4))],
                                 outputLayers: [("a", try Linear(4, 1)), ("b", try Linear(4, 1))])
            }),
        ]
    }

    func testEvalAndTrainReachEveryDropout() throws {
        let x = try Tensor.randn([3, 5])
        for (name, make) in recipes {
            dropouts = []
            let model = try make()
            let made = dropouts
            XCTAssertFalse(made.isEmpty, name)
            model.eval()
            XCTAssertEqual(made.filter(\.isTraining).count, 0, "\(name): eval() leaves dropouts in training mode")
            let first = try model(x).map(\.output.scalars), second = try model(x).map(\.output.scalars)
            XCTAssertEqual(first, second, "\(name): evaluation is deterministic")
            model.train()
            XCTAssertTrue(made.allSatisfy(\.isTraining), "\(name): train() reaches every dropout")
        }
    }
}
