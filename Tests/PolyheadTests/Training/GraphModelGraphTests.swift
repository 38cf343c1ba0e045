import Foundation
@testable import Polyhead
import XCTest

/// `GraphModel` graphs beyond one call per layer: shared layers (Keras `inbound_nodes`), the representation
/// of the rep-grad mode, BatchNormalization's moving statistics and channels-first axis, and the `padded2d`
/// op under the 'same' layers.
final class GraphModelGraphTests: XCTestCase {
    /// A shared Dense "enc" applied to x and to a later layer's output, then both concatenated.
    private let sharedConfig = #"""
    {"inputs": [{"name": "x", "shape": [2]}],
     "layers": [{"class_name": "Dense", "name": "enc", "inbound_nodes": [["x"], [["mid", 0]]], "config": {"units": 2}},
                {"class_name": "Dense", "name": "mid", "inbound": ["enc"], "config": {"units": 2, "activation": "tanh"}},
                {"class_name": "Concatenate", "name": "cat", "inbound_nodes": [["enc", ["enc", 1]]]},
                {"class_name": "Dense", "name": "a", "inbound": ["cat"], "config": {"units": 1}},
                {"class_name": "Dense", "name": "b", "inbound": ["cat"], "config": {"units": 1}}],
     "outputs": ["a", "b"]}
    """#

    func testSharedLayerCallsUseOneSetOfWeightsAndSumTheirGradients() throws {
        manualSeed(3)
        let model = try GraphModel(json: sharedConfig)
        XCTAssertEqual(model.namedWeights.map(\.name), ["enc/kernel", "enc/bias", "mid/kernel", "mid/bias",
                                                        "a/kernel", "a/bias", "b/kernel", "b/bias"])
        XCTAssertEqual(model.layerSummary.map(\.parameters), [6, 6, 0, 5, 5])
        let x = try Tensor([0.5, -1, 2, 0.25], shape: [2, 2])
        let output = try model([x], training: true)[0]
        try output.sum().backward()
        // float64: e1 = x·W, m = tanh(e1·M + c), e2 = m·W, y = [e1, e2]·A; d(Σy)/dW from both calls
        let w = model.weights[0].scalars.map(Double.init), m = model.weights[2].scalars.map(Double.init)
        let a = model.weights[4].scalars.map(Double.init), xs = x.scalars.map(Double.init)
        func matmul(_ u: [Double], _ k: [Double]) -> [Double] { [u[0] * k[0] + u[1] * k[2], u[0] * k[1] + u[1] * k[3]] }
        var gradient = [Double](repeating: 0, count: 4), total = 0.0
        for row in 0..<2 {
            let input = Array(xs[2 * row..<2 * row + 2]), e1 = matmul(input, w)
            let mid = matmul(e1, m).map { tanh($0) }, e2 = matmul(mid, w)
            total += e1[0] * a[0] + e1[1] * a[1] + e2[0] * a[2] + e2[1] * a[3]
            let de2 = [a[2], a[3]], dmid = [de2[0] * w[0] + de2[1] * w[1], de2[0] * w[2] + de2[1] * w[3]]
            let dz = zip(dmid, mid).map { $0 * (1 - $1 * $1) }
            let de1 = [a[0] + dz[0] * m[0] + dz[1] * m[1], a[1] + dz[0] * m[2] + dz[1] * m[3]]
            for i in 0..<2 { for j in 0..<2 { gradient[i * 2 + j] += input[i] * de1[j] + mid[i] * de2[j] } }
        }
        XCTAssertEqual(Double(try output.sum().item()), total, accuracy: 1e-5)
        for (got, want) in zip(model.weights[0].grad!.scalars, gradient) { XCTAssertEqual(Double(got), want, accuracy: 1e-5) }
        XCTAssertEqual(try model.representationSlot(), model.inputs.count + 3)  // "cat", the last node both heads read
    }

    func testGraphErrorsNameTheProblem() {
        func error(_ json: String) -> String {
            do { _ = try GraphModel(json: json); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(error(sharedConfig.replacingOccurrences(of: #"["enc", 1]"#, with: #"["enc", 2]"#)).contains("call 2 of 'enc'"))
        XCTAssertTrue(error(sharedConfig.replacingOccurrences(of: #""inbound": ["enc"]"#, with: #""inbound": ["cat"]"#)).contains("cycle"))
        XCTAssertTrue(error(sharedConfig.replacingOccurrences(of: #""units": 2, "activation""#, with: #""units": 3, "activation""#))
            .contains("shared layer 'enc'"))
        let skip = #"""
        {"inputs": [{"name": "x", "shape": [2]}],
         "layers": [{"class_name": "Dense", "name": "t1", "inbound": ["x"], "config": {"units": 2}},
                    {"class_name": "Dense", "name": "t2", "inbound": ["t1"], "config": {"units": 2}},
                    {"class_name": "Dense", "name": "a", "inbound": ["t2"], "config": {"units": 1}},
                    {"class_name": "Concatenate", "name": "b", "inbound": ["t1", "t2"]}],
         "outputs": ["a", "b"]}
        """#
        let model = try! GraphModel(json: skip)
        XCTAssertThrowsError(try model.representationSlot(named: "t2")) { XCTAssertTrue("\($0)".contains("not a cut"), "\($0)") }
        XCTAssertEqual(try model.representationSlot(), 1)  // t1
        XCTAssertThrowsError(try model.representationSlot(named: "zz"))
    }

    func testBatchNormalizationMovesItsStatisticsOnlyWhenTraining() throws {
        let model = try GraphModel(json: #"""
        {"inputs": [{"name": "x", "shape": [1, 2]}],
         "layers": [{"class_name": "BatchNormalization", "name": "bn", "inbound": ["x"], "config": {"momentum": 0.5}}],
         "outputs": ["bn"]}
        """#)
        XCTAssertEqual(model.namedBuffers.map(\.name), ["bn/moving_mean", "bn/moving_variance"])
        let x = try Tensor([1, 10, 3, 20], shape: [2, 1, 2])
        // batch statistics: channel 0 (1, 3) → mean 2, biased variance 1; channel 1 (10, 20) → 15, 25
        let trained = try model([x], training: true)[0].scalars
        let expected = [-1 / 1.001.squareRoot(), -5 / 25.001.squareRoot(), 1 / 1.001.squareRoot(), 5 / 25.001.squareRoot()]
        for (got, want) in zip(trained, expected) { XCTAssertEqual(Double(got), want, accuracy: 1e-5) }
        XCTAssertEqual(model.namedBuffers[0].tensor.scalars, [1, 7.5])      // 0.5 · 0 + 0.5 · (2, 15)
        XCTAssertEqual(model.namedBuffers[1].tensor.scalars, [1, 13])       // 0.5 · 1 + 0.5 · (1, 25)
        let inferred = try model([x], training: false)[0].scalars
        XCTAssertEqual(Double(inferred[1]), (10 - 7.5) / (13 + 1e-3).squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(model.namedBuffers[0].tensor.scalars, [1, 7.5])
    }

    func testChannelsFirstBatchNormalizationUsesAxisOne() throws {
        func model(axis: Int) throws -> GraphModel {
            try GraphModel(json: #"""
            {"inputs": [{"name": "x", "shape": [2, 1, 2]}],
             "layers": [{"class_name": "BatchNormalization", "name": "bn", "inbound": ["x"], "config": {"momentum": 0.5, "axis": \#(axis)}}],
             "outputs": ["bn"]}
            """#)
        }
        let first = try model(axis: 1)
        XCTAssertEqual(first.namedBuffers[0].tensor.shape, [2])
        // (N, C, 1, W): channel 0 holds 1, 3, 5, 7 → mean 4, biased variance 5; channel 1 holds 10, 20, 30, 40 → 25, 125
        let x = try Tensor([1, 3, 10, 20, 5, 7, 30, 40], shape: [2, 2, 1, 2])
        let y = try first([x], training: true)[0]
        XCTAssertEqual(y.shape, [2, 2, 1, 2])
        let expected = [-3, -1, -15, -5, 1, 3, 5, 15].enumerated().map {
            $0.element / ($0.offset % 4 < 2 ? 5.001 : 125.001).squareRoot()
        }
        for (got, want) in zip(y.scalars, expected) { XCTAssertEqual(Double(got), want, accuracy: 1e-5) }
        XCTAssertEqual(first.namedBuffers[0].tensor.scalars, [2, 12.5])
        XCTAssertEqual(first.namedBuffers[1].tensor.scalars, [3, 63])
        for axis in [0, 4, -4] {
            XCTAssertThrowsError(try model(axis: axis)) {
                XCTAssertTrue("\($0)".contains("axis \(axis) is not a feature axis"), "\($0)")
            }
        }
    }

    func testPadded2dPutsValuesAroundAndPassesTheInteriorGradient() throws {
        let x = try Tensor([1, 2, 3, 4, 5, 6], shape: [1, 1, 2, 3])
        try x.setRequiresGrad(true)
        let padding = EdgePadding2d.same(input: Size2d(2, 3), kernel: Size2d(2, 2), stride: Size2d(1, 1))
        XCTAssertEqual(padding, EdgePadding2d(top: 0, bottom: 1, left: 0, right: 1))
        let y = try x.padded2d(EdgePadding2d(top: 1, bottom: 0, left: 0, right: 1), value: -1)
        XCTAssertEqual(y.shape, [1, 1, 3, 4])
        XCTAssertEqual(y.scalars, [-1, -1, -1, -1, 1, 2, 3, -1, 4, 5, 6, -1])
        try (y * (try Tensor((0..<12).map(Float.init), shape: [1, 1, 3, 4]))).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [4, 5, 6, 8, 9, 10])
        XCTAssertEqual(EdgePadding2d.same(input: Size2d(5, 7), kernel: Size2d(4, 3), stride: Size2d(3, 2)),
                       EdgePadding2d(top: 1, bottom: 1, left: 1, right: 1))
        XCTAssertThrowsError(try x.padded2d(EdgePadding2d(top: -1, bottom: 0, left: 0, right: 0)))
    }
}
