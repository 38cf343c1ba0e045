import XCTest
@testable import Polyhead

final class ConvPoolLayersTests: XCTestCase {
    func testConv2dParametersAndInit() throws {
        manualSeed(9)
        let layer = try Conv2d(3, 8, kernelSize: 3, padding: 1)
        XCTAssertEqual(layer.weight.shape, [8, 3, 3, 3])
        XCTAssertEqual(layer.bias?.shape, [8])
        XCTAssertEqual(layer.namedParameters.map(\.name), ["weight", "bias"])
        XCTAssertTrue(layer.weight.requiresGrad && layer.bias!.requiresGrad)
        // kaiming-uniform a=√5 ⇒ uniform ±1/√fan_in with fan_in = 3·3·3, weight then bias from the generator.
        let bound = 1 / Float(27).squareRoot()
        manualSeed(9)
        XCTAssertEqual(layer.weight.scalars, try Tensor.uniform([8, 3, 3, 3], low: -bound, high: bound).scalars)
        XCTAssertEqual(layer.bias?.scalars, try Tensor.uniform([8], low: -bound, high: bound).scalars)
        XCTAssertNil(try Conv2d(3, 8, kernelSize: 3, bias: false).bias)
    }

    func testConv2dForwardIsTheOp() throws {
        let layer = try Conv2d(2, 3, kernelSize: Size2d(3, 2), stride: Size2d(2, 1), padding: Size2d(1, 0))
        let x = try Tensor.randn([2, 2, 6, 5])
        let expected = try Tensor.conv2d(x, weight: layer.weight, bias: layer.bias, stride: Size2d(2, 1), padding: Size2d(1, 0))
        XCTAssertEqual(try layer(x).scalars, expected.scalars)
        XCTAssertEqual(expected.shape, [2, 3, 3, 4])
    }

    func testConv2dInvalidArguments() {
        assertThrows(.invalidArgument, op: "Conv2d", mentions: ["(0, 4)"]) { try Conv2d(0, 4, kernelSize: 3) }
        assertThrows(.invalidArgument, op: "Conv2d", mentions: ["stride (0, 0)"]) { try Conv2d(1, 4, kernelSize: 3, stride: 0) }
        assertThrows(.invalidArgument, op: "Conv2d", mentions: ["padding (-1, -1)"]) { try Conv2d(1, 4, kernelSize: 3, padding: -1) }
    }

    func testPoolingLayersDefaultStrideIsTheKernel() throws {
        let x = try counting([1, 1, 4, 4])
        XCTAssertEqual(MaxPool2d(2).stride, Size2d(2, 2))
        assertClose(try MaxPool2d(2)(x), [6, 8, 14, 16], shape: [1, 1, 2, 2])
        assertClose(try AvgPool2d(2)(x), [3.5, 5.5, 11.5, 13.5], shape: [1, 1, 2, 2])
        assertClose(try MaxPool2d(3, stride: 1)(x), [11, 12, 15, 16])
        assertClose(try AvgPool2d(2, stride: 2, padding: 1, countIncludePad: false)(x), [1, 2.5, 4, 7, 8.5, 10, 13, 14.5, 16])
        XCTAssertTrue(MaxPool2d(2).namedParameters.isEmpty)
    }

    func testFlatten() throws {
        let x = try counting([2, 3, 4, 5], requiresGrad: true)
        XCTAssertEqual(try Flatten()(x).shape, [2, 60])
        XCTAssertEqual(try Flatten(startDim: 0)(x).shape, [120])
        XCTAssertEqual(try Flatten(startDim: 1, endDim: 2)(x).shape, [2, 12, 5])
        XCTAssertEqual(try Flatten()(x).scalars, x.scalars)
        try Flatten()(x).sum().backward()
        XCTAssertEqual(x.grad?.shape, [2, 3, 4, 5])
        assertThrows(.invalidArgument, op: "flatten", mentions: ["start_dim 2"]) { try Flatten(startDim: 2, endDim: 1)(x) }
        assertThrows(.indexOutOfRange, op: "flatten") { try Flatten(startDim: 4)(x) }
    }

    func testSmallConvNetTrainsEndToEnd() throws {
        manualSeed(1)
        let net = Sequential(try Conv2d(1, 4, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(2), Flatten(),
                             try Linear(16, 2))
        let x = try Tensor.randn([8, 1, 4, 4])
        let labels = (0..<8).map { $0 % 2 }
        let optimizer = try SGD(parameters: net.parameters, learningRate: 0.1)
        var losses: [Float] = []
        for _ in 0..<30 {
            let loss = try crossEntropy(logits: net(x), labels: labels)
            optimizer.zeroGrad()
            try loss.backward()
            optimizer.step()
            losses.append(try loss.item())
        }
        XCTAssertLessThan(losses.last!, losses.first! * 0.5, "losses \(losses)")
    }
}
