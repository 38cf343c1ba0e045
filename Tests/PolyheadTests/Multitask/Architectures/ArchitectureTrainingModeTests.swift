import XCTest
@testable import Polyhead

/// `eval()` and `train()` on every architecture reach every dropout layer inside it, at any depth, and in
/// evaluation mode the outputs are deterministic.
final class ArchitectureTrainingModeTests: XCTestCase {
    /// The dropout layers made by `block`, in creation order.
    private var dropouts: [Dropout] = []

    /// Linear(width, 4), Dropout(0.5), registered in `dropouts`.
    private func block(_ width: Int) throws -> any Layer {
        let dropout = try Dropout(p: 0.5)
        dropouts.append(dropout)
        return Sequential(try Linear(width, 4), dropout)
    }

    func testEvalAndTrainReachEveryDropout() throws {
        let x = try Tensor.randn([3, 5])
        for (name, make) in architectureRecipes(block: block) {
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
