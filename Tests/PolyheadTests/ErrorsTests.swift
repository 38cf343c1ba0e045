import XCTest
@testable import Polyhead

/// One bad input for a public API: the `PolyheadError` case it must throw, the op named in the message and
/// the fragments (shapes, values) the message must contain.
private struct BadInput {
    let label: String
    let kind: ErrorKind
    let op: String
    let mentions: [String]
    let call: () throws -> Any

    init(_ label: String, _ kind: ErrorKind, _ op: String, _ mentions: [String] = [], _ call: @escaping () throws -> Any) {
        (self.label, self.kind, self.op, self.mentions, self.call) = (label, kind, op, mentions, call)
    }
}

private func z(_ shape: [Int]) -> Tensor { try! Tensor.zeros(shape) }
private let huge = 1 << 40

/// Errors never trap: every public entry point answers bad input with a `PolyheadError` naming the op and shapes.
private let badInputs: [BadInput] = [
    // creation
    BadInput("values do not fill shape", .shapeMismatch, "tensor", ["3 values", "(2, 2)"]) { try Tensor([1, 2, 3], shape: [2, 2]) },
    BadInput("negative dimension", .invalidArgument, "tensor", ["-1", "(-1, 0)"]) { try Tensor([], shape: [-1, 0]) },
    BadInput("zeros negative", .invalidArgument, "full", ["-2", "(-2,)"]) { try Tensor.zeros([-2]) },
    BadInput("ones negative", .invalidArgument, "full", ["(3, -1)"]) { try Tensor.ones([3, -1]) },
    BadInput("full too large", .outOfMemory, "full", ["(\(huge), \(huge))"]) { try Tensor.full([huge, huge], 1) },
    BadInput("shape overflows Int", .outOfMemory, "full") { try Tensor.zeros([Int.max, 2]) },
    BadInput("arange zero step", .invalidArgument, "arange", ["0.0"]) { try Tensor.arange(0, 1, step: 0) },
    BadInput("arange NaN", .invalidArgument, "arange", ["nan"]) { try Tensor.arange(.nan, 1) },
    BadInput("arange infinite", .invalidArgument, "arange", ["inf"]) { try Tensor.arange(0, .infinity) },
    BadInput("arange too long", .outOfMemory, "arange") { try Tensor.arange(0, 1e300) },
    BadInput("uniform empty range", .invalidArgument, "uniform", ["low=1.0", "high=0.0"]) { try Tensor.uniform([1], low: 1, high: 0) },
    BadInput("uniform NaN", .invalidArgument, "uniform", ["nan"]) { try Tensor.uniform([1], low: 0, high: .nan) },
    BadInput("randn negative", .invalidArgument, "randn", ["(2, -3)"]) { try Tensor.randn([2, -3]) },
    BadInput("item of many", .invalidArgument, "item", ["6 elements"]) { try z([2, 3]).item() },
    BadInput("item of empty", .invalidArgument, "item", ["0 elements"]) { try z([0]).item() },
    // elementwise
    BadInput("add", .shapeMismatch, "add", ["(2, 3)", "(2,)"]) { try z([2, 3]) + z([2]) },
    BadInput("sub", .shapeMismatch, "sub", ["(4,)", "(3,)"]) { try z([4]) - z([3]) },
    BadInput("mul 3-D", .shapeMismatch, "mul", ["(2, 2, 3)", "(2, 4)"]) { try z([2, 2, 3]) * z([2, 4]) },
    BadInput("div", .shapeMismatch, "div", ["(0,)", "(2,)"]) { try z([0]) / z([2]) },
    // linear algebra
    BadInput("matmul inner", .shapeMismatch, "matmul", ["(256, 784)", "(128, 10)"]) { try z([256, 784]).matmul(z([128, 10])) },
    BadInput("matmul 1-D", .shapeMismatch, "matmul", ["(3,)", "(3, 3)"]) { try z([3]).matmul(z([3, 3])) },
    BadInput("matmul scalar", .shapeMismatch, "matmul", ["()"]) { try Tensor(1).matmul(z([1, 1])) },
    BadInput("linear width", .shapeMismatch, "linear", ["(2, 5)", "(3, 4)"]) { try Tensor.linear(z([2, 5]), weight: z([3, 4]), bias: nil) },
    BadInput("linear bias", .shapeMismatch, "linear", ["(4,)", "(3, 4)"]) { try Tensor.linear(z([2, 4]), weight: z([3, 4]), bias: z([4])) },
    // reductions and softmax
    BadInput("sum axis", .indexOutOfRange, "sum", ["axis 2", "rank 2"]) { try z([2, 3]).sum(axis: 2) },
    BadInput("sum negative axis", .indexOutOfRange, "sum", ["axis -3"]) { try z([2, 3]).sum(axis: -3) },
    BadInput("mean axis", .indexOutOfRange, "mean", ["axis 1", "rank 1"]) { try z([4]).mean(axis: 1) },
    BadInput("max axis of scalar", .indexOutOfRange, "max", ["rank 0"]) { try Tensor(1).max(axis: 0) },
    BadInput("max empty axis", .invalidArgument, "max", ["(3, 0)"]) { try z([3, 0]).max(axis: 1) },
    BadInput("softmax non-last axis", .invalidArgument, "softmax", ["axis 0", "(2, 3)"]) { try z([2, 3]).softmax(axis: 0) },
    BadInput("softmax axis out of range", .indexOutOfRange, "softmax", ["axis 3"]) { try z([2, 3]).softmax(axis: 3) },
    BadInput("log_softmax non-last axis", .invalidArgument, "log_softmax", ["(2, 3, 4)"]) { try z([2, 3, 4]).logSoftmax(axis: 1) },
    // shape ops
    BadInput("reshape count", .shapeMismatch, "reshape", ["(4, 2)", "6"]) { try z([2, 3]).reshaped([4, 2]) },
    BadInput("reshape two -1", .invalidArgument, "reshape", ["(-1, -1)"]) { try z([2, 3]).reshaped([-1, -1]) },
    BadInput("reshape negative", .invalidArgument, "reshape", ["-3"]) { try z([2, 3]).reshaped([-3, -2]) },
    BadInput("reshape -1 with zero", .shapeMismatch, "reshape", ["(0, -1)", "6"]) { try z([2, 3]).reshaped([0, -1]) },
    BadInput("transpose 3-D", .shapeMismatch, "transpose", ["(1, 2, 3)"]) { try z([1, 2, 3]).transposed() },
    BadInput("concat nothing", .invalidArgument, "concat") { try Tensor.concatenate([], axis: 0) },
    BadInput("concat shapes", .shapeMismatch, "concat", ["(2, 3)", "(3, 3)"]) { try Tensor.concatenate([z([2, 3]), z([3, 3])], axis: 1) },
    BadInput("concat ranks", .shapeMismatch, "concat", ["(2, 3)", "(3,)"]) { try Tensor.concatenate([z([2, 3]), z([3])], axis: 0) },
    BadInput("concat axis", .indexOutOfRange, "concat", ["axis -3"]) { try Tensor.concatenate([z([2, 3])], axis: -3) },
    BadInput("split sizes", .invalidArgument, "split", ["[1, 1]", "(3,)"]) { try z([3]).split(sizes: [1, 1], axis: 0) },
    BadInput("split negative size", .invalidArgument, "split", ["[-1, 4]"]) { try z([3]).split(sizes: [-1, 4], axis: 0) },
    BadInput("split axis", .indexOutOfRange, "split", ["axis 1"]) { try z([3]).split(sizes: [3], axis: 1) },
    BadInput("index_select high", .indexOutOfRange, "index_select", ["index 5", "size 5"]) { try z([5, 2]).indexSelect([5]) },
    BadInput("index_select low", .indexOutOfRange, "index_select", ["index -6", "size 5"]) { try z([5, 2]).indexSelect([0, -6]) },
    BadInput("index_select scalar", .invalidArgument, "index_select", ["scalar"]) { try Tensor(1).indexSelect([0]) },
    BadInput("copy_ shape", .shapeMismatch, "copy_", ["(2, 3)", "(3, 2)"]) { try z([2, 3]).copy(from: z([3, 2])) },
    BadInput("copy_ into requires-grad leaf", .invalidState, "copy_", ["no_grad"]) { try Tensor.zeros([1], requiresGrad: true).copy(from: z([1])) },
    // autodiff
    BadInput("backward without history", .invalidState, "backward", ["require grad"]) { try z([1]).backward() },
    BadInput("backward non-scalar", .invalidState, "backward", ["(2, 2)"]) { try (Tensor.ones([2, 2], requiresGrad: true) * 2).backward() },
    BadInput("backward seed shape", .shapeMismatch, "backward", ["(2,)", "(2, 2)"]) {
        try (Tensor.ones([2, 2], requiresGrad: true) * 2).backward(seed: z([2]))
    },
    BadInput("set grad shape", .shapeMismatch, "grad", ["(3,)", "(2,)"]) { try Tensor.ones([2]).setGrad(z([3])) },
    BadInput("requires_grad non-leaf", .invalidState, "requires_grad", ["leaf"]) {
        try (Tensor.ones([2], requiresGrad: true) * 2).setRequiresGrad(false)
    },
    // losses
    BadInput("mse shapes", .shapeMismatch, "mse_loss", ["(2, 3)", "(2, 1)"]) { try mseLoss(z([2, 3]), z([2, 1])) },
    BadInput("l1 shapes", .shapeMismatch, "l1_loss", ["(3,)", "()"]) { try l1Loss(z([3]), Tensor(0)) },
    BadInput("bce shapes", .shapeMismatch, "binary_cross_entropy", ["(4,)", "(4, 1)"]) { try binaryCrossEntropy(z([4]), z([4, 1])) },
    BadInput("bce probability", .invalidArgument, "binary_cross_entropy", ["1.5"]) { try binaryCrossEntropy(T([1.5]), T([1])) },
    BadInput("bce NaN", .invalidArgument, "binary_cross_entropy", ["nan"]) { try binaryCrossEntropy(T([.nan]), T([1])) },
    BadInput("bce logits shapes", .shapeMismatch, "binary_cross_entropy_with_logits", ["(2,)", "(3,)"]) {
        try binaryCrossEntropyWithLogits(z([2]), z([3]))
    },
    BadInput("cross_entropy label", .indexOutOfRange, "cross_entropy", ["10", "10 classes"]) { try crossEntropy(logits: z([1, 10]), labels: [10]) },
    BadInput("cross_entropy negative label", .indexOutOfRange, "cross_entropy", ["-1"]) { try crossEntropy(logits: z([1, 10]), labels: [-1]) },
    BadInput("cross_entropy count", .shapeMismatch, "cross_entropy", ["2 targets", "(3, 4)"]) { try crossEntropy(logits: z([3, 4]), labels: [0, 1]) },
    BadInput("cross_entropy rank", .shapeMismatch, "cross_entropy", ["(3, 4, 5)"]) { try crossEntropy(logits: z([3, 4, 5]), labels: [0, 1, 2]) },
    BadInput("nll label", .indexOutOfRange, "nll_loss", ["2", "2 classes"]) { try nllLoss(logProbabilities: z([1, 2]), labels: [2]) },
    BadInput("nll rank", .shapeMismatch, "nll_loss", ["(2,)"]) { try nllLoss(logProbabilities: z([2]), labels: [0, 1]) },
    // layers, optimizers, library
    BadInput("Linear zero", .invalidArgument, "Linear", ["(0, 2)"]) { try Linear(0, 2) },
    BadInput("Linear negative", .invalidArgument, "Linear", ["(2, -2)"]) { try Linear(2, -2) },
    BadInput("SGD no parameters", .invalidArgument, "optimizer", ["empty parameter list"]) { try SGD(parameters: [], learningRate: 0.1) },
    BadInput("Adam no parameters", .invalidArgument, "optimizer", ["empty parameter list"]) { try Adam(parameters: []) },
    BadInput("SGD lr", .invalidArgument, "optimizer", ["-1.0"]) { try SGD(parameters: [z([1])], learningRate: -1) },
    BadInput("SGD lr NaN", .invalidArgument, "optimizer", ["nan"]) { try SGD(parameters: [z([1])], learningRate: .nan) },
    BadInput("SGD momentum", .invalidArgument, "SGD", ["-0.1"]) { try SGD(parameters: [z([1])], learningRate: 1, momentum: -0.1) },
    BadInput("SGD nesterov", .invalidArgument, "SGD", ["Nesterov"]) { try SGD(parameters: [z([1])], learningRate: 1, nesterov: true) },
    BadInput("Adam beta", .invalidArgument, "Adam", ["1.0"]) { try Adam(parameters: [z([1])], beta1: 1) },
    BadInput("Adam eps NaN", .invalidArgument, "Adam", ["nan"]) { try Adam(parameters: [z([1])], epsilon: .nan) },
    BadInput("AdamW decay", .invalidArgument, "Adam", ["-1.0"]) { try AdamW(parameters: [z([1])], weightDecay: -1) },
    BadInput("threads", .invalidArgument, "set_num_threads", ["0"]) { try setNumThreads(0) },
]

final class ErrorsTests: XCTestCase {
    func testEveryBadInputThrowsTheRightCaseAndNamesTheShapes() {
        for bad in badInputs {
            assertThrows(bad.kind, op: bad.op, mentions: bad.mentions, bad.label) { try bad.call() }
        }
        XCTAssertGreaterThan(badInputs.count, 70)
    }

    func testFailedCallsLeakNothing() {
        let baseline = liveObjectCount
        for bad in badInputs { _ = try? bad.call() }
        XCTAssertEqual(liveObjectCount, baseline, "a failing call left objects alive")
    }

    func testNaNAndEmptyInputsFlowThroughWithoutTrapping() throws {
        let nan = try T([.nan, 1], [1, 2])
        XCTAssertTrue(try (nan + 1).scalars[0].isNaN)
        XCTAssertTrue(try nan.exp().scalars[0].isNaN)
        XCTAssertTrue(try nan.sum().item().isNaN)
        XCTAssertTrue(try nan.softmax().scalars.allSatisfy(\.isNaN))
        XCTAssertTrue(try nan.matmul(Tensor.ones([2, 1])).item().isNaN)
        XCTAssertTrue(try crossEntropy(logits: nan, labels: [1]).item().isNaN)
        XCTAssertTrue(try binaryCrossEntropyWithLogits(nan, Tensor.ones([1, 2])).item().isNaN)
        XCTAssertTrue(try mseLoss(nan, Tensor.ones([1, 2])).item().isNaN)
        XCTAssertTrue(try T([-1]).log().item().isNaN)
        XCTAssertTrue(try T([-1]).sqrt().item().isNaN)

        let empty = try Tensor.zeros([0, 3])
        XCTAssertEqual(try empty.sum().item(), 0)
        XCTAssertEqual(try empty.sum(axis: 0).scalars, [0, 0, 0])
        XCTAssertEqual(try empty.mean(axis: 1).shape, [0])
        XCTAssertTrue(try empty.mean(axis: 0).scalars.allSatisfy(\.isNaN))
        XCTAssertEqual(try empty.transposed().shape, [3, 0])
        XCTAssertEqual(try empty.matmul(Tensor.zeros([3, 2])).shape, [0, 2])
        XCTAssertEqual(try Tensor.concatenate([empty, empty], axis: 0).shape, [0, 3])
        XCTAssertEqual(try empty.split(sizes: [0], axis: 0).map(\.shape), [[0, 3]])
        let emptyWithGrad = try Tensor.zeros([0, 3], requiresGrad: true)
        try (emptyWithGrad * 2).sum().backward()
        XCTAssertEqual(emptyWithGrad.grad?.shape, [0, 3])
    }
}
