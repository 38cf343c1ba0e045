import XCTest
@testable import Polyhead

/// The dual-cone quadratic program UPGrad and DualProj share, against brute force over active sets.
final class DualConeTests: XCTestCase {
    func testActiveSetSolverMatchesBruteForceOnRandomProblems() {
        var random = TestRandom(seed: 11)
        for trial in 0..<40 {
            let n = 2 + trial % 4
            // G = A Aᵀ + small ridge from a random A (n × (n+1)), u with mixed signs.
            let a = (0..<n).map { _ in (0...n).map { _ in random.uniform(-1, 1) } }
            var gram = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
            for i in 0..<n {
                for j in 0..<n {
                    let product: Double = zip(a[i], a[j]).reduce(0.0) { $0 + $1.0 * $1.1 }
                    gram[i][j] = product + (i == j ? 1e-3 : 0)
                }
            }
            let u = (0..<n).map { _ in random.uniform(-1, 1) }
            let got = dualConeProjectionWeights(u, gram: gram)
            let want = bruteForceDualConeWeights(u, gram: gram)
            assertClose(got, want, tolerance: 1e-9, "trial \(trial)")
        }
    }

    func testSolverReturnsZeroForAZeroOrNonFiniteProblem() {
        XCTAssertEqual(nonNegativeQuadraticMinimum([[0, 0], [0, 0]], linear: [0, 0]), [0, 0])
        XCTAssertEqual(nonNegativeQuadraticMinimum([[Double.nan]], linear: [1]), [0])
    }

    func testNonFiniteGradientsAreRefusedWithoutTouchingTheState() throws {
        let names = ["upgrad", "dualproj", "gradvac", "graddrop", "fairgrad", "moco", "dbmtl", "excess_mtl", "sdmgrad"]
        for name in names {
            let method = try makeAggregator(name, taskCount: 2)
            let good = try TaskJacobian(rows: [[1, 2], [-1, 0.5]])
            let first = try method.aggregate(good)
            for bad: Float in [.nan, .infinity] {
                assertThrows(.invalidArgument, op: name, mentions: ["gradient of task 1 is not finite"]) {
                    try method.aggregate(try TaskJacobian(rows: [[1, 2], [bad, 0.5]]))
                }
            }
            // The method still works, with finite results, after the refused steps.
            let next = try method.aggregate(good)
            XCTAssertTrue(next.direction.allSatisfy(\.isFinite) && next.weights.allSatisfy(\.isFinite), name)
            XCTAssertEqual(first.direction.count, next.direction.count)
        }
    }

    func testProjectionOfAVectorAlreadyInTheConeIsItself() {
        // u ≥ 0 with G having non-negative entries: J u conflicts with nothing, so v = u.
        let gram = [[2.0, 0.5], [0.5, 1.0]]
        assertClose(dualConeProjectionWeights([0.3, 0.7], gram: gram), [0.3, 0.7], tolerance: 1e-12)
    }
}

/// `argmin vᵀ G v subject to v ≥ u` by enumerating every set S of active constraints (v_S = u_S, the rest
/// free: G_FF v_F = −G_FS u_S) and keeping the feasible candidate of least objective.
func bruteForceDualConeWeights(_ u: [Double], gram: [[Double]]) -> [Double] {
    let n = u.count
    var best: (value: Double, v: [Double])? = nil
    for mask in 0..<(1 << n) {
        let fixed = (0..<n).filter { mask & (1 << $0) != 0 }
        let free = (0..<n).filter { mask & (1 << $0) == 0 }
        var v = u
        if !free.isEmpty {
            let matrix = free.map { i in free.map { gram[i][$0] } }
            let rhs = free.map { i in -fixed.reduce(0.0) { $0 + gram[i][$1] * u[$1] } }
            guard let solution = gaussianSolve(matrix, rhs) else { continue }
            for (k, i) in free.enumerated() { v[i] = solution[k] }
        }
        guard zip(v, u).allSatisfy({ $0 >= $1 - 1e-12 }) else { continue }
        let value = (0..<n).reduce(0.0) { s, i in s + (0..<n).reduce(0.0) { $0 + v[i] * gram[i][$1] * v[$1] } }
        if best == nil || value < best!.value - 1e-15 { best = (value, v) }
    }
    return best!.v
}

/// The Euclidean projection of `vector` onto the cone `{d : rows[j]·d ≥ 0 for all j}`, by brute force in
/// parameter space: for every set S of rows, project onto the subspace `{d : rows[S]·d = 0}` and keep the
/// feasible candidate closest to `vector`.
func bruteForceConeProjection(_ vector: [Double], rows: [[Double]]) -> [Double] {
    let m = rows.count
    let dot = { (a: [Double], b: [Double]) in zip(a, b).reduce(0.0) { $0 + $1.0 * $1.1 } }
    var best: (distance: Double, d: [Double])? = nil
    for mask in 0..<(1 << m) {
        let active = (0..<m).filter { mask & (1 << $0) != 0 }.map { rows[$0] }
        var d = vector
        if !active.isEmpty {
            // d = vector − Aᵀ (A Aᵀ)⁻¹ A vector.
            let aat = active.map { r in active.map { dot(r, $0) } }
            guard let y = gaussianSolve(aat, active.map { dot($0, vector) }) else { continue }
            for (k, r) in active.enumerated() { for i in d.indices { d[i] -= y[k] * r[i] } }
        }
        guard rows.allSatisfy({ dot($0, d) >= -1e-10 }) else { continue }
        let distance = dot(zip(d, vector).map { $0 - $1 }, zip(d, vector).map { $0 - $1 })
        if best == nil || distance < best!.distance { best = (distance, d) }
    }
    return best!.d
}

/// Gaussian elimination with partial pivoting; nil for a (numerically) singular matrix.
func gaussianSolve(_ matrix: [[Double]], _ rhs: [Double]) -> [Double]? {
    var a = matrix, b = rhs
    let n = b.count
    let scale = matrix.flatMap { $0 }.map(abs).max() ?? 0
    for c in 0..<n {
        let p = (c..<n).max { abs(a[$0][c]) < abs(a[$1][c]) }!
        guard abs(a[p][c]) > 1e-12 * max(scale, 1e-300) else { return nil }
        a.swapAt(c, p); b.swapAt(c, p)
        for r in (c + 1)..<n {
            let f = a[r][c] / a[c][c]
            for k in c..<n { a[r][k] -= f * a[c][k] }
            b[r] -= f * b[c]
        }
    }
    var x = [Double](repeating: 0, count: n)
    for r in stride(from: n - 1, through: 0, by: -1) {
        x[r] = (b[r] - ((r + 1)..<n).reduce(0.0) { $0 + a[r][$1] * x[$1] }) / a[r][r]
    }
    return x
}

/// A method made through the registry, as a gradient aggregator.
func makeAggregator(_ name: String, taskCount: Int, options: [String: Double] = [:]) throws -> any GradientAggregator {
    // invariant: every name the tests pass is a registered gradient method.
    try MultiTaskMethods.make(name, taskCount: taskCount, options: options) as! any GradientAggregator
}

/// Asserts that an aggregation is finite and its direction is the combination of the rows with its weights.
func assertConsistent(_ result: Aggregation, _ jacobian: TaskJacobian, exactWeights: Bool = true,
                      _ label: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(result.direction.allSatisfy(\.isFinite), "\(label): direction \(result.direction)", file: file, line: line)
    XCTAssertTrue(result.weights.allSatisfy(\.isFinite), "\(label): weights \(result.weights)", file: file, line: line)
    XCTAssertEqual(result.weights.count, jacobian.taskCount, file: file, line: line)
    if exactWeights {
        assertClose(jacobian.combination(result.weights).map(Double.init), result.direction.map(Double.init),
                    tolerance: 1e-5, "\(label): direction vs Σ wᵢ gᵢ", file: file, line: line)
    }
}

/// The degenerate Jacobians every method must survive: zero, identical and opposite gradients, one task,
/// no shared entries.
let degenerateJacobians: [(String, [[Float]])] = [
    ("zero", [[0, 0, 0], [0, 0, 0]]),
    ("one zero", [[1, -2, 0.5], [0, 0, 0]]),
    ("identical", [[1, -2, 0.5], [1, -2, 0.5]]),
    ("opposite", [[1, -2, 0.5], [-1, 2, -0.5]]),
    ("single task", [[1, -2, 0.5]]),
    ("single zero task", [[0, 0, 0]]),
    ("empty shared part", [[], []]),
]
