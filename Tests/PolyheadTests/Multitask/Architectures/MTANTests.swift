import XCTest
@testable import Polyhead

final class MTANTests: XCTestCase {
    private let tasks = ["a", "b"]

    /// Input (N, 1, 4, 4); stage 0 conv3×3 1→2 (ReLU) at 4×4, stage 1 max-pool 2 + conv3×3 2→3 (ReLU) at 2×2;
    /// heads flatten + Linear(12, 2) and Linear(12, 1).
    private func model() throws -> MTAN {
        try MTAN(
            backbone: [Sequential(try Conv2d(1, 2, kernelSize: 3, padding: 1), ReLU()),
                       Sequential(MaxPool2d(2), try Conv2d(2, 3, kernelSize: 3, padding: 1), ReLU())],
            channels: [2, 3],
            heads: [("a", Sequential(Flatten(), try Linear(12, 2))), ("b", Sequential(Flatten(), try Linear(12, 1)))])
    }

    func testShapesAndPartition() throws {
        let net = try model()
        XCTAssertEqual(try net(try Tensor.randn([5, 1, 4, 4])).map(\.output.shape), [[5, 2], [5, 1]])
        let shared = ["backbone.0.0.weight", "backbone.0.0.bias", "backbone.1.1.weight", "backbone.1.1.bias"]
        let own: (String) -> [String] = { t in
            ["0.mask.0.weight", "0.mask.1.weight", "0.mask.1.bias", "0.mask.3.weight", "0.mask.4.weight", "0.mask.4.bias",
             "0.block.0.weight", "0.block.1.weight", "0.block.1.bias",
             "1.mask.0.weight", "1.mask.1.weight", "1.mask.1.bias", "1.mask.3.weight", "1.mask.4.weight", "1.mask.4.bias"]
                .map { "attention.\(t).\($0)" } + ["heads.\(t).1.weight", "heads.\(t).1.bias"]
        }
        // Stage 0: conv 2→2 1×1, BN 2, conv 2→2 1×1, BN 2, f block conv3×3 2→3, BN 3; stage 1: conv 6→3,
        // BN 3, conv 3→3, BN 3.
        let attention = (4 + 4 + 4 + 4 + 54 + 6) + (18 + 6 + 9 + 6)
        checkPartition(net, inputShape: [2, 1, 4, 4], shared: shared,
                       tasks: Dictionary(uniqueKeysWithValues: tasks.map { ($0, own($0)) }),
                       scalars: (18 + 2) + (54 + 3) + 2 * attention + (24 + 2) + (12 + 1))
    }

    func testDocumentationExample() throws {
        let model = try MTAN(
            backbone: [Sequential(try Conv2d(1, 8, kernelSize: 3, padding: 1), ReLU()),
                       Sequential(MaxPool2d(2), try Conv2d(8, 16, kernelSize: 3, padding: 1), ReLU())],
            channels: [8, 16],
            heads: [("left", Sequential(Flatten(), try Linear(16 * 6 * 6, 10))),
                    ("right", Sequential(Flatten(), try Linear(16 * 6 * 6, 10)))])
        XCTAssertEqual(try model(try Tensor.randn([4, 1, 12, 12])).map(\.output.shape), [[4, 10], [4, 10]])
        XCTAssertEqual(model.sharedParameters.count, 4)
        XCTAssertEqual(try model.taskParameters("left").count, 17)
    }

    func testGradientsAgainstFloat64Reference() throws {
        let net = try model()
        checkModelGradients(net, inputShape: [2, 1, 4, 4]) { p, x in
            func conv(_ x: Ref, _ prefix: String, padding: Int = 0) -> Ref {
                Ref.conv2d(x, p["\(prefix).weight"]!, p["\(prefix).bias"], padding: (padding, padding))
            }
            func batchNorm(_ x: Ref, _ prefix: String) -> Ref { Ref.batchNorm(x, p["\(prefix).weight"], p["\(prefix).bias"]) }
            func attend(_ input: Ref, _ shared: Ref, _ prefix: String) -> Ref {
                let hidden = batchNorm(conv(input, "\(prefix).mask.0"), "\(prefix).mask.1").relu
                return batchNorm(conv(hidden, "\(prefix).mask.3"), "\(prefix).mask.4").sigmoid * shared
            }
            let s0 = conv(x, "backbone.0.0", padding: 1).relu
            let s1 = conv(maxPool2(s0), "backbone.1.1", padding: 1).relu
            return self.tasks.map { t in
                let a0 = attend(s0, s0, "attention.\(t).0")
                let t0 = batchNorm(conv(a0, "attention.\(t).0.block.0", padding: 1), "attention.\(t).0.block.1").relu
                let a1 = attend(concatChannels(s1, maxPool2(t0)), s1, "attention.\(t).1")
                return Ref(shape: [a1.shape[0], 12], values: a1.values).linear(p, "heads.\(t).1")
            }
        }
    }

    func testTrainAndEvalReachEveryBatchNorm() throws {
        let net = try model()
        let norms = batchNorms(in: net)
        XCTAssertEqual(norms.count, 2 * 5, "five BatchNorms per task")
        let x = try Tensor.randn([4, 1, 4, 4])
        _ = try net(x)
        XCTAssertTrue(norms.allSatisfy { $0.numBatchesTracked == 1 && $0.runningMean!.scalars != [Float](repeating: 0, count: $0.numFeatures) })

        net.eval()
        XCTAssertTrue(norms.allSatisfy { !$0.isTraining })
        let running = norms.map { $0.runningMean!.scalars + $0.runningVariance!.scalars }
        let batch = try net(x)
        XCTAssertEqual(norms.map { $0.runningMean!.scalars + $0.runningVariance!.scalars }, running, "eval leaves statistics")
        // With running statistics each sample's outputs no longer depend on the rest of the batch.
        let alone = try net(try Tensor(Array(x.scalars[0..<16]), shape: [1, 1, 4, 4]))
        for task in tasks {
            let width = try alone.output(task).count
            assertClose(doubles(try alone.output(task)), Array(doubles(try batch.output(task))[0..<width]), tolerance: 1e-5)
        }

        net.train()
        XCTAssertTrue(norms.allSatisfy(\.isTraining))
        let trained = try net(x)
        XCTAssertNotEqual(try trained.output("a").scalars, try batch.output("a").scalars, "batch statistics again")
        XCTAssertTrue(norms.allSatisfy { $0.numBatchesTracked == 2 })
    }

    func testSeededReproducibility() {
        checkSeededReproducibility(inputShape: [2, 1, 4, 4]) { try self.model() }
    }

    func testRejectsBadArguments() throws {
        let stage = { Sequential(try Conv2d(1, 2, kernelSize: 3, padding: 1), ReLU()) }
        let head: () throws -> [(String, any Layer)] = { [("a", Sequential(Flatten(), try Linear(32, 1)))] }
        assertThrows(.invalidArgument, op: "MTAN", mentions: ["channel"]) {
            try MTAN(backbone: [try stage()], channels: [2, 3], heads: try head())
        }
        assertThrows(.invalidArgument, op: "MTAN") { try MTAN(backbone: [], channels: [], heads: try head()) }
        assertThrows(.invalidArgument, op: "MTAN") { try MTAN(backbone: [try stage()], channels: [0], heads: try head()) }
        assertThrows(.invalidArgument, op: "MTAN") { try MTAN(backbone: [try stage()], channels: [2], heads: []) }
        let wrongChannels = try MTAN(backbone: [try stage()], channels: [3], heads: try head())
        assertThrows(.shapeMismatch, op: "MTAN", mentions: ["(1, 2, 4, 4)", "(N, 3, H, W)"]) {
            try wrongChannels(try Tensor.zeros([1, 1, 4, 4]))
        }
        let growing = try MTAN(
            backbone: [try stage(), Sequential(try Conv2d(2, 2, kernelSize: 1, padding: 1))], channels: [2, 2],
            heads: [("a", Sequential(Flatten(), try Linear(72, 1)))])
        assertThrows(.shapeMismatch, op: "MTAN", mentions: ["6×6", "4×4"]) { try growing(try Tensor.zeros([1, 1, 4, 4])) }
    }

    // MARK: - Helpers

    /// Every `BatchNorm` inside `module`, depth first.
    private func batchNorms(in module: any Module) -> [BatchNorm] {
        ((module as? BatchNorm).map { [$0] } ?? [])
            + ((module as? any ModuleContainer)?.submodules.flatMap { batchNorms(in: $0) } ?? [])
    }
}

/// 2×2 max pooling with stride 2.
private func maxPool2(_ x: Ref) -> Ref {
    Ref.pool2d(x, kernel: (2, 2), stride: (2, 2), padding: (0, 0)) { values, _ in values.max()! }
}

/// `a` and `b` (N, Ca, H, W), (N, Cb, H, W) concatenated along the channels.
private func concatChannels(_ a: Ref, _ b: Ref) -> Ref {
    let (n, plane) = (a.shape[0], a.shape[2] * a.shape[3])
    let (left, right) = (a.shape[1] * plane, b.shape[1] * plane)
    var values: [Double] = []
    for s in 0..<n {
        values += a.values[(s * left)..<((s + 1) * left)]
        values += b.values[(s * right)..<((s + 1) * right)]
    }
    return Ref(shape: [n, a.shape[1] + b.shape[1], a.shape[2], a.shape[3]], values: values)
}
