import XCTest
@testable import Polyhead

final class LinearTests: XCTestCase {
    func testShapesNamesAndRequiresGrad() throws {
        let layer = try Linear(5, 3)
        XCTAssertEqual(layer.weight.shape, [3, 5], "PyTorch layout (out, in)")
        XCTAssertEqual(layer.bias?.shape, [3])
        XCTAssertEqual(layer.namedParameters.map(\.name), ["weight", "bias"])
        XCTAssertTrue(layer.namedParameters[0].tensor === layer.weight)
        XCTAssertTrue(layer.weight.requiresGrad && layer.bias!.requiresGrad)
        XCTAssertTrue(layer.weight.isLeaf)
        let noBias = try Linear(5, 3, bias: false)
        XCTAssertNil(noBias.bias)
        XCTAssertEqual(noBias.namedParameters.map(\.name), ["weight"])
        XCTAssertEqual(noBias.parameters.count, 1)
    }

    func testInitialisationBoundsAreOneOverRootFanIn() throws {
        manualSeed(7)
        let layer = try Linear(16, 32)
        let bound: Float = 1 / 4
        for (name, tensor) in layer.namedParameters {
            let values = tensor.scalars
            XCTAssertTrue(values.allSatisfy { $0 >= -bound && $0 <= bound }, "\(name) outside ±1/√16")
            XCTAssertGreaterThan(values.map(abs).max()!, 0.8 * bound, "\(name) does not fill its range")
            XCTAssertLessThan(values.min()!, 0, "\(name) has no negative values")
        }
        let wide = try Linear(400, 2)
        XCTAssertTrue(wide.weight.scalars.allSatisfy { abs($0) <= 0.05 })
    }

    func testInitialisationDrawsWeightThenBiasFromTheGlobalGenerator() throws {
        manualSeed(123)
        let layer = try Linear(3, 2)
        let bound = 1 / Float(3).squareRoot()
        manualSeed(123)
        let weight = try Tensor.uniform([2, 3], low: -bound, high: bound)
        let bias = try Tensor.uniform([2], low: -bound, high: bound)
        XCTAssertEqual(layer.weight.scalars, weight.scalars)
        XCTAssertEqual(layer.bias?.scalars, bias.scalars)
    }

    func testForwardMatchesLinear() throws {
        let layer = try Linear(3, 2)
        let x = try counting([4, 3])
        let expected = try Tensor.linear(x, weight: layer.weight, bias: layer.bias)
        XCTAssertEqual(try layer(x).scalars, expected.scalars)
        XCTAssertEqual(try layer(x).shape, [4, 2])
    }

    func testBackwardReachesBothParameters() throws {
        let layer = try Linear(3, 2)
        try layer(counting([4, 3])).sum().backward()
        assertClose(gradient(of: layer.weight), [22, 26, 30, 22, 26, 30])  // Σ rows of x, per output
        assertClose(gradient(of: layer.bias!), [4, 4])
        layer.zeroGrad()
        XCTAssertNil(layer.weight.grad)
        XCTAssertNil(layer.bias?.grad)
    }

    func testInvalidSizesThrow() {
        assertThrows(.invalidArgument, op: "Linear", mentions: ["(0, 3)"]) { try Linear(0, 3) }
        assertThrows(.invalidArgument, op: "Linear", mentions: ["(3, -1)"]) { try Linear(3, -1) }
        assertThrows(.outOfMemory) { try Linear(1 << 40, 1 << 40) }
    }

    func testWrongInputWidthThrows() {
        let layer = try! Linear(3, 2)
        assertThrows(.shapeMismatch, op: "linear", mentions: ["(4, 5)", "(2, 3)"]) { try layer(Tensor.zeros([4, 5])) }
    }
}
