// Trains the cross-language reference models and prints one loss per line.
// Tests/cross/test_cross_language.py trains the same models from Python and compares the numbers.
//
// `polyhead-cross-check` (no argument) — recipe: manualSeed(42); x = randn(32, 8);
// digit label = argmax of x[:, 0..<3]; flag label = x[:, 3] > 0;
// trunk = Linear(8, 16), ReLU, Linear(16, 8), ReLU; heads Linear(8, 3) (cross-entropy) and Linear(8, 1)
// (BCE with logits), created in that order; loss = CE + BCE; Adam(lr: 0.01); 20 full-batch steps.
//
// `polyhead-cross-check <method>` — the same model and data, but the two losses go through the named
// multi-task method (made for 2 tasks with default options; its own parameters join Adam after the
// model's) with the trunk's parameters as the shared part, for 10 steps; prints CE + BCE per step.
import Glibc
import Polyhead

struct Problem {
    let x: Tensor, labels: [Int], flags: Tensor
    let trunk: Sequential, digitHead: Linear, flagHead: Linear

    init() throws {
        manualSeed(42)
        x = try Tensor.randn([32, 8])
        let rows = x.scalars
        labels = (0..<32).map { row in (0..<3).max { rows[row * 8 + $0] < rows[row * 8 + $1] }! }
        flags = try Tensor((0..<32).map { rows[$0 * 8 + 3] > 0 ? 1 : 0 }, shape: [32, 1])
        trunk = Sequential(try Linear(8, 16), ReLU(), try Linear(16, 8), ReLU())
        digitHead = try Linear(8, 3)
        flagHead = try Linear(8, 1)
    }

    var parameters: [Tensor] { trunk.parameters + digitHead.parameters + flagHead.parameters }

    func losses() throws -> [Tensor] {
        let features = try trunk(x)
        return [try crossEntropy(logits: try digitHead(features), labels: labels),
                try binaryCrossEntropyWithLogits(try flagHead(features), flags)]
    }
}

func run(method name: String?) throws {
    let problem = try Problem()
    let method = try name.map { try MultiTaskMethods.make($0, taskCount: 2) }
    let optimizer = try Adam(parameters: problem.parameters + (method?.parameters ?? []), learningRate: 0.01)
    for _ in 0..<(method == nil ? 20 : 10) {
        let losses = try problem.losses()
        optimizer.zeroGrad()
        if let method {
            _ = try method.backward(losses: losses, shared: SharedPart(parameters: problem.trunk.parameters))
        } else {
            try (losses[0] + losses[1]).backward()
        }
        optimizer.step()
        print(try losses[0].item() + losses[1].item())
    }
}

// `polyhead-cross-check architectures <directory>` prints the architecture recipes instead (Architectures.swift).
do {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "architectures", arguments.count == 2 {
        try printArchitectures(exchangingWeightsIn: arguments[1])
    } else {
        try run(method: arguments.first)
    }
} catch { print("error: \(error)"); exit(1) }
