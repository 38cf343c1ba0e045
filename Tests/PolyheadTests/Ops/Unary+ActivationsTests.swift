import Foundation
import XCTest
@testable import Polyhead

final class UnaryActivationsTests: XCTestCase {
    private func geluExact(_ x: Double) -> Double { 0.5 * x * (1 + erf(x / 2.0.squareRoot())) }
    private func geluTanh(_ x: Double) -> Double {
        0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    }

    func testGELUValues() throws {
        // torch.nn.functional.gelu(torch.tensor([-3., -1., 0., 0.5, 2.])), exact and approximate='tanh'.
        let x = try T([-3, -1, 0, 0.5, 2])
        assertClose(try x.gelu(), [-0.0040497, -0.1586553, 0, 0.3457312, 1.9544997], tolerance: 1e-5)
        assertClose(try x.gelu(approximation: .tanh), [-0.0036374, -0.1588080, 0, 0.3457140, 1.9545977], tolerance: 1e-5)
    }

    func testGradientsAgainstFloat64Reference() {
        checkGradients(shapes: [[3, 4]], domain: .symmetric(4), reference: { $0[0].map(self.geluExact) }) { try $0[0].gelu() }
        checkGradients(shapes: [[3, 4]], domain: .symmetric(4), reference: { $0[0].map(self.geluTanh) }) {
            try $0[0].gelu(approximation: .tanh)
        }
        checkGradients(shapes: [[10]], domain: .awayFromZero(0.05, 3), reference: { $0[0].map { $0 > 0 ? $0 : 0.2 * $0 } }) {
            try $0[0].leakyRelu(negativeSlope: 0.2)
        }
        checkGradients(shapes: [[10]], domain: .awayFromZero(0.05, 3), reference: { $0[0].map { $0 > 0 ? $0 : 1.5 * (exp($0) - 1) } }) {
            try $0[0].elu(alpha: 1.5)
        }
    }

    func testDerivativesAtZeroFollowPyTorch() throws {
        let x = try T([0], requiresGrad: true)
        try x.leakyRelu(negativeSlope: 0.3).sum().backward()
        assertClose(gradient(of: x), [0.3])
        let y = try T([0], requiresGrad: true)
        try y.elu(alpha: 2).sum().backward()
        assertClose(gradient(of: y), [2])
        assertClose(try T([-1, 1]).leakyRelu(), [-0.01, 1])
        assertClose(try T([-1, 1]).elu(), [exp(-1.0) - 1, 1])
    }

    func testNonFiniteParametersThrow() {
        assertThrows(.invalidArgument, op: "leaky_relu") { try Tensor.ones([1]).leakyRelu(negativeSlope: .infinity) }
        assertThrows(.invalidArgument, op: "elu") { try Tensor.ones([1]).elu(alpha: .nan) }
    }
}
