// `polyhead-cross-check architectures <directory>`: builds every multi-task architecture from a fixed recipe
// and seed, runs it on a seeded input and trains it for three Adam steps, printing every parameter, output,
// loss and buffer; then exchanges weights with Python through safetensors files in <directory>.
// Tests/cross/test_architectures_cross_language.py builds the same models through `polyhead.mtl` and
// compares the numbers.
//
// Recipe per architecture (input width 5, batch 3; MTAN takes (3, 1, 4, 4) images): manualSeed(100 + index);
// build the model; x = randn(input shape); print "model <name>", "param <name> <values…>", "output <task> <values…>"; then three
// steps of Adam(lr: 0.05) on Σ_outputs mean(out²) (+ the penalty for SoftSharing), printing "loss <v>"; then
// "buffer <name> <values…>" (batch normalization's statistics, moved by the four training-mode forwards).
// Then the trained model is saved to <directory>/<name>.swift.safetensors, and the file Python saved from
// its trained model, <directory>/<name>.python.safetensors, is loaded (strictly) into a new model of the
// recipe, whose evaluation-mode outputs on x are printed as "eval <task> <values…>".
import Polyhead

/// An expert / bottom block: Linear(width, 4), ReLU.
private func block(_ width: Int = 5) throws -> any Layer { Sequential(try Linear(width, 4), ReLU()) }

/// The architectures in recipe order.
private let recipes: [(String, () throws -> any MultiTaskModel)] = [
    ("HardSharing", {
        try HardSharing(trunk: Sequential(try Linear(5, 4), try BatchNorm1d(4), ReLU()),
                        heads: [("a", try Linear(4, 2)), ("b", try Linear(4, 1))])
    }),
    ("SoftSharing", {
        try SoftSharing(towers: try ["a", "b"].map { ($0, Sequential(try Linear(5, 3), Tanh(), try Linear(3, 1))) }, penalty: 0.5)
    }),
    ("TaskSpecific", { try TaskSpecific(tasks: ["a", "b"]) { _ in try Linear(5, 2) } }),
    ("CrossStitch", { try CrossStitch(columns: try ["a", "b"].map { ($0, [try block(), try Linear(4, 1)]) }) }),
    ("MMoE", {
        try MMoE(inputSize: 5, experts: try (0..<3).map { _ in try block() }, towers: [("a", try Linear(4, 1)), ("b", try Linear(4, 2))])
    }),
    ("CGC", {
        try CGC(inputSize: 5, sharedExperts: [try block(), try block()], taskExperts: [("a", [try block()]), ("b", [try block()])],
                towers: [("a", try Linear(4, 1)), ("b", try Linear(4, 1))])
    }),
    ("PLE", {
        try PLE(inputSize: 5, expertSize: 4, levels: 2, sharedExperts: 1, taskExperts: 1,
                towers: [("a", try Linear(4, 1)), ("b", try Linear(4, 1))]) { try block($0) }
    }),
    ("DSelectK", {
        try DSelectK(inputSize: 5, experts: try (0..<3).map { _ in try block() },
                     towers: [("a", try Linear(4, 1)), ("b", try Linear(4, 1))], k: 2, gamma: 0.5)
    }),
    ("ESMM", { ESMM(shared: try block(), ctrTower: try Linear(4, 1), cvrTower: try Linear(4, 1)) }),
    ("TaskRelation", {
        try TaskRelation(trunk: try block(), taskLayers: [("a", try Linear(4, 3)), ("b", try Linear(4, 3))],
                         outputLayers: [("a", try Linear(3, 1)), ("b", try Linear(3, 1))])
    }),
    ("MTAN", {
        try MTAN(backbone: [Sequential(try Conv2d(1, 2, kernelSize: 3, padding: 1), ReLU()),
                            Sequential(MaxPool2d(2), try Conv2d(2, 2, kernelSize: 3, padding: 1), ReLU())],
                 channels: [2, 2],
                 heads: [("a", Sequential(Flatten(), try Linear(8, 2))), ("b", Sequential(Flatten(), try Linear(8, 1)))])
    }),
    ("DSelectKStatic", {
        try DSelectK(inputSize: 5, experts: try (0..<3).map { _ in try block() },
                     towers: [("a", try Linear(4, 1)), ("b", try Linear(4, 1))], k: 2, gamma: 0.5, perExample: false)
    }),
]

/// The input shape of the recipes that do not take (3, 5).
private let inputShapes = ["MTAN": [3, 1, 4, 4]]

private func line(_ label: String, _ name: String, _ tensor: Tensor) -> String {
    ([label, name] + tensor.scalars.map { "\($0)" }).joined(separator: " ")
}

/// Prints the recipe's numbers for every architecture.
func printArchitectures(exchangingWeightsIn directory: String) throws {
    for (index, (name, make)) in recipes.enumerated() {
        manualSeed(UInt64(100 + index))
        let model = try make()
        let x = try Tensor.randn(inputShapes[name] ?? [3, 5])
        print("model \(name)")
        for (parameter, tensor) in model.namedParameters { print(line("param", parameter, tensor)) }
        for (task, output) in try model(x) { print(line("output", task, output)) }
        let optimizer = try Adam(parameters: model.parameters, learningRate: 0.05)
        for _ in 0..<3 {
            var loss = Tensor(0)
            for (_, output) in try model(x) { loss = try loss + (output * output).mean() }
            if let soft = model as? SoftSharing { loss = try loss + soft.penalty() }
            optimizer.zeroGrad()
            try loss.backward()
            optimizer.step()
            print("loss \(try loss.item())")
        }
        for (buffer, tensor) in model.namedBuffers { print(line("buffer", buffer, tensor)) }
        try model.saveParameters(to: "\(directory)/\(name).swift.safetensors")
        let loaded = try make()
        try loaded.loadParameters(from: "\(directory)/\(name).python.safetensors")
        loaded.eval()
        for (task, output) in try loaded(x) { print(line("eval", task, output)) }
    }
}
