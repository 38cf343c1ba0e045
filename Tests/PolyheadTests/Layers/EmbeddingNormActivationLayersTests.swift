import XCTest
@testable import Polyhead

final class EmbeddingNormActivationLayersTests: XCTestCase {
    func testEmbeddingInitIsStandardNormalWithAZeroPaddingRow() throws {
        manualSeed(2)
        let layer = try Embedding(5, 3, paddingIndex: -1)
        XCTAssertEqual(layer.paddingIndex, 4)
        manualSeed(2)
        var expected = try Tensor.randn([5, 3]).scalars
        for i in 12..<15 { expected[i] = 0 }
        XCTAssertEqual(layer.weight.scalars, expected)
        XCTAssertTrue(layer.weight.requiresGrad)
        XCTAssertEqual(layer.namedParameters.map(\.name), ["weight"])
    }

    func testEmbeddingLooksUpFloatIndicesAndRejectsOthers() throws {
        let layer = try Embedding(4, 2)
        let y = try layer(T([3, 0, 1, 3], [2, 2]))
        XCTAssertEqual(y.shape, [2, 2, 2])
        XCTAssertEqual(Array(y.scalars[0..<2]), Array(layer.weight.scalars[6..<8]))
        try y.sum().backward()
        assertClose(gradient(of: layer.weight), [1, 1, 1, 1, 0, 0, 2, 2])
        assertThrows(.invalidArgument, op: "embedding", mentions: ["1.5"]) { try layer(T([1.5])) }
        assertThrows(.indexOutOfRange, op: "embedding", mentions: ["index 4"]) { try layer(T([4])) }
        assertThrows(.invalidArgument, op: "Embedding") { try Embedding(0, 2) }
        assertThrows(.indexOutOfRange, op: "Embedding", mentions: ["padding index 4"]) { try Embedding(4, 2, paddingIndex: 4) }
    }

    func testLayerNormLayer() throws {
        let layer = try LayerNorm([3])
        XCTAssertEqual(layer.namedParameters.map(\.name), ["weight", "bias"])
        XCTAssertEqual(layer.weight?.scalars, [1, 1, 1])
        let x = try T([1, 2, 3, 4, 4, 4], [2, 3])
        XCTAssertEqual(try layer(x).scalars, try x.layerNorm(normalizedShape: [3]).scalars)
        XCTAssertTrue(try LayerNorm([3], elementwiseAffine: false).namedParameters.isEmpty)
        XCTAssertEqual(try LayerNorm([3], bias: false).namedParameters.map(\.name), ["weight"])
        assertThrows(.invalidArgument, op: "LayerNorm") { try LayerNorm([]) }
    }

    func testActivationLayersAreTheOps() throws {
        let x = try T([-2, -0.5, 0, 1.5])
        XCTAssertEqual(try GELU()(x).scalars, try x.gelu().scalars)
        XCTAssertEqual(try GELU(approximation: .tanh)(x).scalars, try x.gelu(approximation: .tanh).scalars)
        XCTAssertEqual(try LeakyReLU(negativeSlope: 0.2)(x).scalars, try x.leakyRelu(negativeSlope: 0.2).scalars)
        XCTAssertEqual(try ELU(alpha: 0.5)(x).scalars, try x.elu(alpha: 0.5).scalars)
        XCTAssertEqual(try Softmax()(x).scalars, try x.softmax().scalars)
    }
}
