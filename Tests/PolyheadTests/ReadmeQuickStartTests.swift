import Polyhead
import XCTest

/// Runs the README's Swift quick start, as a package depending on `Polyhead` would.
final class ReadmeQuickStartTests: XCTestCase {
    func testQuickStartTrainsBothTasks() throws {
        manualSeed(0)
        let x = try Tensor.randn([32, 64])
        let labels = (0..<32).map { $0 % 10 }
        let large = try Tensor(labels.map { $0 >= 5 ? 1 : 0 }, shape: [32, 1])
        let trunk = Sequential(try Linear(64, 128), ReLU(), try Linear(128, 64), ReLU())
        let digitHead = try Linear(64, 10), largeHead = try Linear(64, 1)
        let optimizer = try Adam(parameters: trunk.parameters + digitHead.parameters + largeHead.parameters,
                                 learningRate: 1e-3)
        var losses: [Float] = []
        for _ in 0..<100 {
            let h = try trunk(x)
            let loss = try crossEntropy(logits: try digitHead(h), labels: labels)
                + binaryCrossEntropyWithLogits(try largeHead(h), large)
            optimizer.zeroGrad()
            try loss.backward()
            optimizer.step()
            losses.append(try loss.item())
        }
        XCTAssertLessThan(losses.last!, 0.5 * losses.first!)
    }
}
