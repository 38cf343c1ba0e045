import Foundation
import XCTest
@testable import Polyhead

final class SequentialTests: XCTestCase {
    func testParameterNamesAndShapes() throws {
        let model = Sequential(try Linear(4, 8), ReLU(), try Linear(8, 2), Tanh(), try Linear(2, 1, bias: false))
        XCTAssertEqual(model.namedParameters.map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight"])
        XCTAssertEqual(model.namedParameters.map(\.tensor.shape), [[8, 4], [8], [2, 8], [2], [1, 2]])
        XCTAssertEqual(model.parameters.count, 5)
        XCTAssertTrue(model.parameters[2] === (model.layers[2] as! Linear).weight)
    }

    func testNestedSequentialPrefixesNames() throws {
        let model = Sequential(Sequential(try Linear(2, 3), ReLU()), try Linear(3, 1))
        XCTAssertEqual(model.namedParameters.map(\.name), ["0.0.weight", "0.0.bias", "1.weight", "1.bias"])
    }

    func testBuffersAreNamedLikePyTorchAtAnyDepth() throws {
        let inner = try BatchNorm1d(3)
        let model: any Module = Sequential(Sequential(try Linear(2, 3), inner), ReLU(), try BatchNorm1d(3, affine: false),
                                           try BatchNorm1d(3, trackRunningStats: false))
        XCTAssertEqual(model.namedBuffers.map(\.name), ["0.1.running_mean", "0.1.running_var", "0.1.num_batches_tracked",
                                                        "2.running_mean", "2.running_var", "2.num_batches_tracked"])
        XCTAssertTrue(model.buffers[0] === inner.runningMean && model.buffers[2] === inner.batchesTracked)
        XCTAssertEqual(model.namedState.map(\.name), model.namedParameters.map(\.name) + model.namedBuffers.map(\.name))
        XCTAssertEqual((model as? any ModuleContainer)?.namedSubmodules.map(\.name), ["0", "1", "2", "3"])
        XCTAssertTrue(try Linear(2, 3).namedBuffers.isEmpty, "no buffers by default")
    }

    func testForwardMatchesAManualComputation() throws {
        manualSeed(3)
        let first = try Linear(3, 4), second = try Linear(4, 2)
        let model = Sequential([first, ReLU(), second])
        let x = try T([0.5, -1, 2, 1.5, 0, -0.5], [2, 3])
        // relu(x·W1ᵀ + b1)·W2ᵀ + b2, by hand in Double.
        let w1 = doubles(first.weight), b1 = doubles(first.bias!), w2 = doubles(second.weight), b2 = doubles(second.bias!)
        let input = doubles(x)
        var expected: [Double] = []
        for n in 0..<2 {
            var hidden = [Double](repeating: 0, count: 4)
            for j in 0..<4 {
                var total = b1[j]
                for i in 0..<3 { total += w1[j * 3 + i] * input[n * 3 + i] }
                hidden[j] = Swift.max(0, total)
            }
            for k in 0..<2 {
                var total = b2[k]
                for j in 0..<4 { total += w2[k * 4 + j] * hidden[j] }
                expected.append(total)
            }
        }
        assertClose(try model(x), expected, shape: [2, 2], tolerance: 1e-5)
    }

    func testBackwardAndZeroGrad() throws {
        let model = Sequential(try Linear(3, 4), Sigmoid(), try Linear(4, 1))
        try model(counting([2, 3])).sum().backward()
        XCTAssertTrue(model.parameters.allSatisfy { $0.grad != nil })
        model.zeroGrad()
        XCTAssertTrue(model.parameters.allSatisfy { $0.grad == nil })
    }

    func testEmptySequentialIsIdentity() throws {
        let x = try counting([2])
        XCTAssertTrue(try Sequential()(x) === x)
        XCTAssertTrue(Sequential().namedParameters.isEmpty)
    }

    func testErrorsPropagateFromInnerLayers() {
        let model = Sequential(try! Linear(3, 4), ReLU(), try! Linear(5, 1))
        assertThrows(.shapeMismatch, op: "linear", mentions: ["(2, 4)", "(1, 5)"]) { try model(Tensor.zeros([2, 3])) }
    }
}
