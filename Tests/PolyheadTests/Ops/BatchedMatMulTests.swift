import XCTest
@testable import Polyhead

/// `batchedMatmul` (PyTorch's `bmm`): values and gradients against a float64 per-matrix reference for every
/// transpose flag, the thread split, empty dimensions and shape errors.
final class BatchedMatMulTests: XCTestCase {
    /// The batched product of float64 references `a` (B, ·, ·) and `b` (B, ·, ·), one `Ref.matmul` per matrix.
    private func reference(_ a: Ref, _ b: Ref, transposeA: Bool, transposeB: Bool) -> Ref {
        let batch = a.shape[0]
        let (sizeA, sizeB) = (a.values.count / Swift.max(batch, 1), b.values.count / Swift.max(batch, 1))
        let products = (0..<batch).map { item in
            Ref.matmul(Ref(shape: Array(a.shape.dropFirst()), values: Array(a.values[item * sizeA..<(item + 1) * sizeA])),
                       Ref(shape: Array(b.shape.dropFirst()), values: Array(b.values[item * sizeB..<(item + 1) * sizeB])),
                       transposeA: transposeA, transposeB: transposeB)
        }
        let shape = [batch] + (products.first?.shape ?? [0, 0])
        return Ref(shape: shape, values: products.flatMap(\.values))
    }

    func testGradientsForEveryTransposeFlag() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let shapes = [ta ? [3, 4, 2] : [3, 2, 4], tb ? [3, 5, 4] : [3, 4, 5]]
            checkGradients(shapes: shapes, reference: { self.reference($0[0], $0[1], transposeA: ta, transposeB: tb) }) {
                try $0[0].batchedMatmul($0[1], transposeA: ta, transposeB: tb)
            }
        }
    }

    func testSameValuesOnOneAndTwoThreads() throws {
        var random = TestRandom(seed: 5)
        let a = try Tensor(Domain.symmetric(1).sample(16 * 40 * 50, &random), shape: [16, 40, 50])
        let b = try Tensor(Domain.symmetric(1).sample(16 * 50 * 60, &random), shape: [16, 50, 60])
        let saved = numThreads
        defer { try? setNumThreads(saved) }
        try setNumThreads(1)
        let one = try a.batchedMatmul(b).scalars
        try setNumThreads(2)
        XCTAssertEqual(try a.batchedMatmul(b).scalars, one)
        let expected = reference(Ref(shape: a.shape, values: doubles(a)), Ref(shape: b.shape, values: doubles(b)),
                                 transposeA: false, transposeB: false)
        XCTAssertLessThan(zip(one, expected.values).map { abs(Double($0) - $1) }.max() ?? 0, 1e-4)
    }

    func testEmptyDimensions() throws {
        assertClose(try Tensor.zeros([2, 3, 0]).batchedMatmul(Tensor.zeros([2, 0, 2])), [Double](repeating: 0, count: 12),
                    shape: [2, 3, 2])
        XCTAssertEqual(try Tensor.zeros([0, 3, 4]).batchedMatmul(Tensor.zeros([0, 4, 2])).shape, [0, 3, 2])
    }

    func testShapeErrorsNameTheShapes() {
        assertThrows(.shapeMismatch, op: "bmm", mentions: ["(2, 3, 4)", "(3, 4, 5)"]) {
            try Tensor.zeros([2, 3, 4]).batchedMatmul(Tensor.zeros([3, 4, 5]))
        }
        assertThrows(.shapeMismatch, op: "bmm", mentions: ["(2, 3, 4)", "(2, 5, 5)"]) {
            try Tensor.zeros([2, 3, 4]).batchedMatmul(Tensor.zeros([2, 5, 5]))
        }
        assertThrows(.shapeMismatch, op: "bmm", mentions: ["(3, 4)"]) {
            try Tensor.zeros([3, 4]).batchedMatmul(Tensor.zeros([4, 5]))
        }
    }
}
