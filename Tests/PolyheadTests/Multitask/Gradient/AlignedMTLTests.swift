import XCTest
@testable import Polyhead

/// Aligned-MTL against its formula on gradients with a known spectrum, and the defining property: the
/// aligned gradients `B G` are orthogonal with equal norms (condition number 1).
final class AlignedMTLTests: XCTestCase {
    /// An orthogonal 3 × 3 matrix with rational entries.
    private let u: [[Double]] = [[2, 2, 1], [-2, 1, 2], [1, -2, 2]].map { $0.map { $0 / 3 } }
    private let singular: [Double] = [3, 2, 1]

    /// G = U Σ [I 0]: rows in R⁵ whose Gram matrix is U Σ² Uᵀ (eigenvalues 9, 4, 1, eigenvectors U's columns).
    private var rows: [[Float]] {
        u.map { row in (0..<3).map { Float(row[$0] * singular[$0]) } + [0, 0] }
    }

    func testWeightsFollowTheFormulaOnAKnownSpectrum() throws {
        // B = √σ U Σ⁻¹ Uᵀ, α = B·1, with σ = 1 (min), 4 (median), 14/3 (mean of 9, 4, 1).
        let modes: [(AlignedMTL.ScaleMode, Double)] = [(.min, 1), (.median, 4), (.rmse, 14.0 / 3)]
        for (mode, sigma) in modes {
            let inverseRoot = GramReference.multiply(
                u.map { row in (0..<3).map { row[$0] / singular[$0] } }, GramReference.transpose(u))
            let expected = inverseRoot.map { sigma.squareRoot() * $0.reduce(0, +) }
            let result = try AlignedMTL(taskCount: 3, scaleMode: mode).aggregate(try TaskJacobian(rows: rows))
            for (got, want) in zip(result.weights, expected) { XCTAssertEqual(got, want, accuracy: 1e-6, "\(mode)") }
            let d = GramReference.combination(rows, expected)
            for (got, want) in zip(result.direction, d) { XCTAssertEqual(Double(got), want, accuracy: 1e-5) }
        }
        let made = try MultiTaskMethods.make("aligned_mtl", taskCount: 3, options: ["scale_mode": 2]) as? AlignedMTL
        XCTAssertEqual(made?.scaleMode, .rmse)
        assertThrows(.invalidArgument, op: "aligned_mtl", mentions: ["scale_mode"]) {
            try MultiTaskMethods.make("aligned_mtl", taskCount: 3, options: ["scale_mode": 3])
        }
    }

    func testAlignedGradientsHaveConditionNumberOne() throws {
        for seed in UInt64(51)..<UInt64(55) {
            let rows = GramReference.rows(4, 9, seed: seed, scales: [1, 5, 0.2, 2])
            let gram = GramReference.gram(rows)
            let balance = AlignedMTL(taskCount: 4).balanceTransformation(gram)
            // (B G)(B G)ᵀ = B M B = σ I.
            let aligned = GramReference.multiply(GramReference.multiply(balance, gram), balance)
            let sigma = aligned[0][0]
            for i in 0..<4 {
                for j in 0..<4 { XCTAssertEqual(aligned[i][j], i == j ? sigma : 0, accuracy: 1e-9 * sigma, "seed \(seed)") }
            }
            // σ (min mode) is the smallest eigenvalue of M: M − σI is singular and positive semi-definite.
            let shifted = gram.indices.map { i in gram.indices.map { gram[i][$0] - (i == $0 ? sigma : 0) } }
            var random = TestRandom(seed: seed)
            for _ in 0..<200 {
                let x = (0..<4).map { _ in random.uniform(-1, 1) }
                XCTAssertGreaterThanOrEqual(GramReference.dot(x, shifted.map { GramReference.dot($0, x) }), -1e-9 * sigma)
            }
            let eigen = SymmetricEigen(shifted)
            XCTAssertEqual(eigen.values[0], 0, accuracy: 1e-9 * gram[1][1])
        }
    }

    func testRankDeficientAndDegenerateGradients() throws {
        // Identical gradients: one eigenvalue 2‖g‖² kept, B = ½ 11ᵀ, α = (1, 1), d = 2g.
        let g: [Float] = [1, -2, 0.5]
        var result = try AlignedMTL(taskCount: 2).aggregate(try TaskJacobian(rows: [g, g]))
        XCTAssertEqual(result.weights[0], 1, accuracy: 1e-9)
        XCTAssertEqual(result.weights[1], 1, accuracy: 1e-9)
        // A dependent third task: the aligned gradients are orthonormal-times-√σ on the range (B M B = σ P).
        let rows: [[Float]] = [[1, 0, 0], [0, 2, 0], [1, 2, 0]]
        let gram = GramReference.gram(rows)
        let balance = AlignedMTL(taskCount: 3).balanceTransformation(gram)
        let aligned = SymmetricEigen(GramReference.multiply(GramReference.multiply(balance, gram), balance))
        XCTAssertEqual(aligned.values[0], 0, accuracy: 1e-9)
        XCTAssertEqual(aligned.values[1], aligned.values[2], accuracy: 1e-9 * aligned.values[2])
        // All zero: B = I and d = 0.
        result = try AlignedMTL(taskCount: 2).aggregate(try TaskJacobian(rows: [[0, 0], [0, 0]]))
        XCTAssertEqual(result.weights, [1, 1])
        XCTAssertEqual(result.direction, [0, 0])
    }
}
