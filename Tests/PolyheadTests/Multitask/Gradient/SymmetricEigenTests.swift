import XCTest
@testable import Polyhead

/// The Jacobi eigen-solver behind IMTL and Aligned-MTL: V Λ Vᵀ reproduces the matrix, V is orthogonal,
/// eigenvalues ascend; the pseudo-inverse of a rank-deficient matrix satisfies the Penrose conditions.
final class SymmetricEigenTests: XCTestCase {
    func testDecompositionReproducesTheMatrix() {
        var random = TestRandom(seed: 61)
        for n in [1, 2, 3, 6, 12] {
            let a = (0..<n).map { _ in (0..<n).map { _ in random.uniform(-2, 2) } }
            let symmetric = (0..<n).map { i in (0..<n).map { j in a[i][j] + a[j][i] } }
            let eigen = SymmetricEigen(symmetric)
            XCTAssertEqual(eigen.values, eigen.values.sorted())
            for i in 0..<n {
                for j in 0..<n {
                    let rebuilt = (0..<n).reduce(0.0) { $0 + eigen.vectors[i][$1] * eigen.values[$1] * eigen.vectors[j][$1] }
                    XCTAssertEqual(rebuilt, symmetric[i][j], accuracy: 1e-12 * Double(n * n))
                    let orthogonality = (0..<n).reduce(0.0) { $0 + eigen.vectors[$1][i] * eigen.vectors[$1][j] }
                    XCTAssertEqual(orthogonality, i == j ? 1 : 0, accuracy: 1e-12 * Double(n))
                }
            }
        }
    }

    func testKnownSpectrumAndPseudoInverse() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
        XCTAssertEqual(SymmetricEigen([[2, 1], [1, 2]]).values.map { ($0 * 1e12).rounded() / 1e12 }, [1, 3])
        // A rank-2 Gram matrix in 3 × 3: A A⁺ A = A and A⁺ A A⁺ = A⁺.
        let rows: [[Float]] = [[1, 0, 2], [0, 1, 1], [1, 1, 3]]
        let a = GramReference.gram(rows)
        let pinv = SymmetricEigen(a).pseudoInverse(relativeTolerance: 1e-10)
        let apa = GramReference.multiply(GramReference.multiply(a, pinv), a)
        let pap = GramReference.multiply(GramReference.multiply(pinv, a), pinv)
        for i in 0..<3 {
            for j in 0..<3 {
                XCTAssertEqual(apa[i][j], a[i][j], accuracy: 1e-9)
                XCTAssertEqual(pap[i][j], pinv[i][j], accuracy: 1e-9)
            }
        }
    }
}
