import XCTest
@testable import Polyhead

/// MoCo against its tracking and weight updates written out on plain vectors in Double, over steps.
final class MoCoTests: XCTestCase {
    /// MoCo's state and update, as in LibMTL, on explicit vectors.
    private struct Reference {
        var y: [[Double]], lambda: [Double], step = 0
        let beta: Double, betaSigma: Double, gamma: Double, gammaSigma: Double, rho: Double

        mutating func update(_ g: [[Double]], losses: [Double]) -> [Double] {
            step += 1
            let t = g.count, k = Double(step)
            let b = beta / pow(k, betaSigma), c = gamma / pow(k, gammaSigma)
            for i in 0..<t {
                let norm = g[i].reduce(0) { $0 + $1 * $1 }.squareRoot()
                y[i] = (0..<g[i].count).map { y[i][$0] - b * (y[i][$0] - g[i][$0] / (norm + 1e-8) * losses[i]) }
            }
            let gram = y.map { a in y.map { zip(a, $0).reduce(0) { $0 + $1.0 * $1.1 } } }
            let z = (0..<t).map { i in lambda[i] - c * ((0..<t).reduce(0) { $0 + gram[i][$1] * lambda[$1] } + rho * lambda[i]) }
            let e = z.map { exp($0) }
            lambda = e.map { $0 / e.reduce(0, +) }
            return (0..<g[0].count).map { k in (0..<t).reduce(0) { $0 + lambda[$1] * y[$1][k] } }
        }
    }

    func testTwoStepsFollowTheTrackedGradientsAndTheSoftmaxWeights() throws {
        let steps: [([[Float]], [Double])] = [
            ([[1, 0, 2], [-1, 1, 0]], [0.7, 2.0]),
            ([[0.5, -1, 1], [2, 1, -0.5]], [0.6, 1.5]),
            ([[3, 0, -1], [-0.5, 2, 1]], [0.4, 1.2]),
        ]
        let options = ["beta": 0.6, "beta_sigma": 0.5, "gamma": 0.3, "gamma_sigma": 0.25, "rho": 0.1]
        let method = try makeAggregator("moco", taskCount: 2, options: options) as! MoCo
        var reference = Reference(y: [[0, 0, 0], [0, 0, 0]], lambda: [0.5, 0.5], beta: 0.6, betaSigma: 0.5,
                                  gamma: 0.3, gammaSigma: 0.25, rho: 0.1)
        for (rows, losses) in steps {
            let jacobian = try TaskJacobian(rows: rows, losses: losses)
            let result = try method.aggregate(jacobian)
            let want = reference.update(rows.map { $0.map(Double.init) }, losses: losses)
            assertClose(result.direction.map(Double.init), want, tolerance: 1e-6)
            assertClose(method.lambda, reference.lambda, tolerance: 1e-12)
            // The reported weights are the least-squares coefficients of d on this step's gradients.
            assertClose(result.weights, bruteForceLeastSquares(rows, want), tolerance: 1e-6)
        }
    }

    func testWideRowsSpanningSeveralBlocks() throws {
        // 9001 entries: the state's fused update-and-Gram pass and the combination run over several blocks.
        var random = TestRandom(seed: 9)
        let method = try makeAggregator("moco", taskCount: 3, options: ["gamma": 0.5]) as! MoCo
        var reference = Reference(y: [[Double]](repeating: [Double](repeating: 0, count: 9001), count: 3),
                                  lambda: [Double](repeating: 1.0 / 3, count: 3), beta: 0.5, betaSigma: 0.5,
                                  gamma: 0.5, gammaSigma: 0.5, rho: 0)
        for losses in [[0.7, 2.0, 1.1], [0.6, 1.5, 0.9]] {
            let rows: [[Float]] = (0..<3).map { _ in (0..<9001).map { _ in Float(random.uniform(-1, 1)) } }
            let result = try method.aggregate(try TaskJacobian(rows: rows, losses: losses))
            let want = reference.update(rows.map { $0.map(Double.init) }, losses: losses)
            assertClose(result.direction.map(Double.init), want, tolerance: 1e-6)
            assertClose(method.lambda, reference.lambda, tolerance: 1e-10)
        }
    }

    func testFirstStepByHand() throws {
        // Defaults: y = ½ ĝ with ĝᵢ = gᵢ/‖gᵢ‖·Lᵢ = (2, 0) and (0, 1); Y Yᵀ = diag(1, ¼);
        // λ = softmax(½ − 0.1·(½, ⅛)) ; d = λ₁ (1, 0) + λ₂ (0, ½).
        let method = try makeAggregator("moco", taskCount: 2) as! MoCo
        let result = try method.aggregate(try TaskJacobian(rows: [[3, 0], [0, 5]], losses: [2, 1]))
        let a = exp(-0.05), b = exp(-0.0125)
        let lambda = [a / (a + b), b / (a + b)]
        assertClose(method.lambda, lambda, tolerance: 1e-9)
        assertClose(result.direction.map(Double.init), [lambda[0], 0.5 * lambda[1]], tolerance: 1e-7)
    }

    func testDegenerateGradientsAndAChangedWidth() throws {
        for (label, rows) in degenerateJacobians {
            let method = try makeAggregator("moco", taskCount: rows.count)
            for _ in 0..<3 {
                let jacobian = try TaskJacobian(rows: rows)
                assertConsistent(try method.aggregate(jacobian), jacobian, exactWeights: false, label)
            }
        }
        let method = try makeAggregator("moco", taskCount: 2)
        _ = try method.aggregate(try TaskJacobian(rows: [[1, 2], [3, 4]]))
        assertThrows(.shapeMismatch, op: "moco", mentions: ["3 entries", "built for 2", "representation mode"]) {
            try method.aggregate(try TaskJacobian(rows: [[1, 2, 3], [3, 4, 5]]))
        }
    }
}

/// The least-squares coefficients w minimising ‖Σ wᵢ rowsᵢ − target‖ (normal equations, rows independent).
func bruteForceLeastSquares(_ rows: [[Float]], _ target: [Double]) -> [Double] {
    let g = rows.map { $0.map(Double.init) }
    let dot = { (a: [Double], b: [Double]) in zip(a, b).reduce(0.0) { $0 + $1.0 * $1.1 } }
    // invariant: the tests pass linearly independent rows.
    return gaussianSolve(g.map { a in g.map { dot(a, $0) } }, g.map { dot($0, target) })!
}
