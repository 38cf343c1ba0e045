import XCTest
@testable import Polyhead

/// The fused Keras Dense operation (`x · kernel + bias`, optional ReLU) against float64 references.
final class AffineTests: XCTestCase {
    func testForwardAndGradientsAgainstFloat64Reference() {
        for (n, inFeatures, outFeatures) in [(4, 3, 5), (1, 6, 2), (7, 1, 3)] {
            let shapes = [[n, inFeatures], [inFeatures, outFeatures], [outFeatures]]
            for relu in [false, true] {
                func reference(_ r: [Ref]) -> Ref {
                    let z = Ref.matmul(r[0], r[1]) + (r.count > 2 ? r[2] : Ref(0))
                    return relu ? z.map { Swift.max($0, 0) } : z
                }
                // Inputs away from zero keep the pre-activations off the ReLU's kink for the finite differences.
                checkGradients(shapes: shapes, domain: .awayFromZero(0.3, 1), reference: reference) { t in
                    try Tensor.affine(t[0], kernel: t[1], bias: t[2], relu: relu)
                }
                checkGradients(shapes: Array(shapes.prefix(2)), domain: .awayFromZero(0.3, 1), reference: reference) { t in
                    try Tensor.affine(t[0], kernel: t[1], bias: nil, relu: relu)
                }
            }
        }
    }

    func testReluKeepsNaNAndMasksTheGradient() throws {
        XCTAssertTrue(try Tensor.affine(T([.nan, 1], [1, 2]), kernel: Tensor.ones([2, 1]), bias: nil, relu: true).scalars[0].isNaN)
        // Pre-activations [1, −5]: only the first row passes gradient; the input needs none.
        let x = try T([1, 2, -3, 0], [2, 2]), kernel = try Tensor.ones([2, 1], requiresGrad: true)
        let bias = try T([-2], requiresGrad: true)
        let y = try Tensor.affine(x, kernel: kernel, bias: bias, relu: true)
        assertClose(y, [1, 0], shape: [2, 1])
        try y.sum().backward()
        assertClose(gradient(of: kernel), [1, 2])
        assertClose(gradient(of: bias), [1])
        XCTAssertNil(x.grad)
    }

    func testErrorsNameShapes() {
        assertThrows(.shapeMismatch, op: "dense", mentions: ["(2, 3)", "(4, 5)"]) {
            try Tensor.affine(Tensor.zeros([2, 3]), kernel: Tensor.zeros([4, 5]), bias: nil)
        }
        assertThrows(.shapeMismatch, op: "dense", mentions: ["bias (4,)"]) {
            try Tensor.affine(Tensor.zeros([2, 3]), kernel: Tensor.zeros([3, 5]), bias: Tensor.zeros([4]))
        }
    }
}
