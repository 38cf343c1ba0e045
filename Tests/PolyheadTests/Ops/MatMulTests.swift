import XCTest
@testable import Polyhead

// a = [[1, 2, 3], [4, 5, 6]] (2×3), b = [[1, 0, -1, 2], [0, 1, 1, -1], [2, -1, 0, 1]] (3×4), a·b by hand:
private let a: [Float] = [1, 2, 3, 4, 5, 6]
private let aT: [Float] = [1, 4, 2, 5, 3, 6]  // aᵀ stored (3, 2)
private let b: [Float] = [1, 0, -1, 2, 0, 1, 1, -1, 2, -1, 0, 1]
private let bT: [Float] = [1, 0, 2, 0, 1, -1, -1, 1, 0, 2, -1, 1]  // bᵀ stored (4, 3)
private let ab: [Double] = [7, -1, 1, 3, 16, -1, 1, 9]

final class MatMulTests: XCTestCase {
    func testMatmulAllTransposeFlags() throws {
        assertClose(try T(a, [2, 3]).matmul(T(b, [3, 4])), ab, shape: [2, 4], "NN")
        assertClose(try T(aT, [3, 2]).matmul(T(b, [3, 4]), transposeA: true), ab, shape: [2, 4], "TN")
        assertClose(try T(a, [2, 3]).matmul(T(bT, [4, 3]), transposeB: true), ab, shape: [2, 4], "NT")
        assertClose(try T(aT, [3, 2]).matmul(T(bT, [4, 3]), transposeA: true, transposeB: true), ab, shape: [2, 4], "TT")
    }

    func testMatmulGradientsAllTransposeFlags() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let shapes = [ta ? [3, 2] : [2, 3], tb ? [4, 3] : [3, 4]]
            checkGradients(shapes: shapes, reference: { Ref.matmul($0[0], $0[1], transposeA: ta, transposeB: tb) }) {
                try $0[0].matmul($0[1], transposeA: ta, transposeB: tb)
            }
        }
    }

    func testMatmulOfATensorWithItself() {
        checkGradients(shapes: [[2, 3]], reference: { Ref.matmul($0[0], $0[0], transposeB: true) }) { try $0[0].matmul($0[0], transposeB: true) }
        checkGradients(shapes: [[2, 3]], reference: { Ref.matmul($0[0], $0[0], transposeA: true) }) { try $0[0].matmul($0[0], transposeA: true) }
        checkGradients(shapes: [[3, 3]], reference: { Ref.matmul($0[0], $0[0]) }) { try $0[0].matmul($0[0]) }
    }

    func testMatmulGradientWhenOnlyOneSideRequiresIt() throws {
        let a = try T([1, 2, 3, 4, 5, 6], [3, 2], requiresGrad: true), b = try T([1, 0, -1, 2], [2, 2])
        try a.matmul(b, transposeB: true).sum().backward()  // ∂/∂a = 1·b (row sums of bᵀ columns)
        assertClose(gradient(of: a), [0, 2, 0, 2, 0, 2])
        XCTAssertNil(b.grad)
        let c = try T([1, 2, 3, 4, 5, 6], [3, 2]), d = try T([1, 0, -1, 2], [2, 2], requiresGrad: true)
        try c.matmul(d, transposeA: false, transposeB: true).sum().backward()  // ∂/∂d[j, k] = Σᵢ c[i, k]
        assertClose(gradient(of: d), [9, 12, 9, 12])
    }

    func testMatmulVectorShapes() throws {
        assertClose(try T([1, 2, 3], [1, 3]).matmul(T([4, 5, 6], [3, 1])), [32], shape: [1, 1])
        assertClose(try T([1, 2, 3], [3, 1]).matmul(T([4, 5], [1, 2])), [4, 5, 8, 10, 12, 15], shape: [3, 2])
        checkGradients(shapes: [[1, 5], [5, 1]], reference: { Ref.matmul($0[0], $0[1]) }) { try $0[0].matmul($0[1]) }
    }

    func testMatmulEmptyDimensions() throws {
        assertClose(try Tensor.ones([2, 0]).matmul(Tensor.ones([0, 3])), [0, 0, 0, 0, 0, 0], shape: [2, 3])
        XCTAssertEqual(try Tensor.ones([0, 4]).matmul(Tensor.ones([4, 3])).shape, [0, 3])
    }

    func testMatmulShapeErrors() {
        assertThrows(.shapeMismatch, op: "matmul", mentions: ["(2, 3)", "(4, 5)"]) {
            try Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5]))
        }
        assertThrows(.shapeMismatch, op: "matmul", mentions: ["(2, 3)", "(2, 3)"], "transpose flags are applied") {
            try Tensor.zeros([2, 3]).matmul(Tensor.zeros([2, 3]), transposeA: true, transposeB: true)
        }
        assertThrows(.shapeMismatch, op: "matmul", mentions: ["(3,)"]) { try Tensor.zeros([3]).matmul(Tensor.zeros([3, 1])) }
        assertThrows(.shapeMismatch, op: "matmul", mentions: ["(2, 2, 2)"]) {
            try Tensor.zeros([2, 2]).matmul(Tensor.zeros([2, 2, 2]))
        }
    }

    // MARK: linear

    func testLinearWithBias() throws {
        // x·wᵀ with w = bᵀ stored (4, 3) is a·b; plus the bias per column.
        let out = try Tensor.linear(T(a, [2, 3]), weight: T(bT, [4, 3]), bias: T([0.5, -0.5, 1, 0]))
        assertClose(out, [7.5, -1.5, 2, 3, 16.5, -1.5, 2, 9], shape: [2, 4])
    }

    func testLinearWithoutBias() throws {
        assertClose(try Tensor.linear(T(a, [2, 3]), weight: T(bT, [4, 3]), bias: nil), ab, shape: [2, 4])
    }

    func testLinearGradients() {
        checkGradients(shapes: [[2, 3], [4, 3], [4]], reference: { Ref.matmul($0[0], $0[1], transposeB: true) + $0[2] }) {
            try Tensor.linear($0[0], weight: $0[1], bias: $0[2])
        }
        checkGradients(shapes: [[5, 3], [2, 3]], reference: { Ref.matmul($0[0], $0[1], transposeB: true) }) {
            try Tensor.linear($0[0], weight: $0[1], bias: nil)
        }
    }

    func testLinearEmptyBatch() throws {
        XCTAssertEqual(try Tensor.linear(Tensor.zeros([0, 3]), weight: Tensor.ones([2, 3]), bias: Tensor.ones([2])).shape, [0, 2])
    }

    func testLinearShapeErrors() {
        assertThrows(.shapeMismatch, op: "linear", mentions: ["(2, 3)", "(4, 5)"]) {
            try Tensor.linear(Tensor.zeros([2, 3]), weight: Tensor.zeros([4, 5]), bias: nil)
        }
        assertThrows(.shapeMismatch, op: "linear", mentions: ["(3,)", "(4, 3)"]) {
            try Tensor.linear(Tensor.zeros([3]), weight: Tensor.zeros([4, 3]), bias: nil)
        }
        assertThrows(.shapeMismatch, op: "linear", mentions: ["(3,)", "(4, 3)"], "bias of the wrong length") {
            try Tensor.linear(Tensor.zeros([2, 3]), weight: Tensor.zeros([4, 3]), bias: Tensor.zeros([3]))
        }
        assertThrows(.shapeMismatch, op: "linear", mentions: ["(1, 4)"], "2-D bias") {
            try Tensor.linear(Tensor.zeros([2, 3]), weight: Tensor.zeros([4, 3]), bias: Tensor.zeros([1, 4]))
        }
        assertThrows(.shapeMismatch, op: "linear", mentions: ["(4,)"], "1-D weight") {
            try Tensor.linear(Tensor.zeros([2, 4]), weight: Tensor.zeros([4]), bias: nil)
        }
    }

    func testNarrowProductsRunOnOneThreadAndGiveTheSameBits() throws {
        let previous = numThreads
        defer { try? setNumThreads(previous) }
        manualSeed(5)
        let x = try Tensor.randn([64, 2000]), kernel = try Tensor.randn([2000, 10])  // n = 10, 1.3M multiply-adds: one thread
        try setNumThreads(1)
        let one = try x.matmul(kernel).scalars
        try setNumThreads(2)
        XCTAssertEqual(try x.matmul(kernel).scalars, one)
        XCTAssertEqual(numThreads, 2, "the thread count is restored after a narrow product")
        let reference = Ref.matmul(Ref(shape: x.shape, values: x.scalars.map(Double.init)),
                                   Ref(shape: kernel.shape, values: kernel.scalars.map(Double.init))).values
        XCTAssertLessThan(zip(one, reference).map { abs(Double($0) - $1) }.max() ?? 0, 1e-2)
    }
}
