// Trains the cross-language reference model for 20 steps and prints one loss per line.
// Tests/cross/test_cross_language.py trains the same model from Python and compares the numbers.
//
// Recipe (keep identical on both sides): manualSeed(42); x = randn(32, 8);
// digit label = argmax of x[:, 0..<3]; flag label = x[:, 3] > 0;
// trunk = Linear(8, 16), ReLU, Linear(16, 8), ReLU; heads Linear(8, 3) (cross-entropy) and Linear(8, 1)
// (BCE with logits), created in that order; loss = CE + BCE; Adam(lr: 0.01); 20 full-batch steps.
import Glibc
import Polyhead

func run() throws {
    manualSeed(42)
    let x = try Tensor.randn([32, 8])
    let rows = x.scalars
    let labels = (0..<32).map { row in (0..<3).max { rows[row * 8 + $0] < rows[row * 8 + $1] }! }
    let flags = try Tensor((0..<32).map { rows[$0 * 8 + 3] > 0 ? 1 : 0 }, shape: [32, 1])
    let trunk = Sequential(try Linear(8, 16), ReLU(), try Linear(16, 8), ReLU())
    let digitHead = try Linear(8, 3), flagHead = try Linear(8, 1)
    let optimizer = try Adam(parameters: trunk.parameters + digitHead.parameters + flagHead.parameters,
                             learningRate: 0.01)
    for _ in 0..<20 {
        let features = try trunk(x)
        let loss = try crossEntropy(logits: try digitHead(features), labels: labels)
            + binaryCrossEntropyWithLogits(try flagHead(features), flags)
        optimizer.zeroGrad()
        try loss.backward()
        optimizer.step()
        print(try loss.item())
    }
}

do { try run() } catch { print("error: \(error)"); exit(1) }
