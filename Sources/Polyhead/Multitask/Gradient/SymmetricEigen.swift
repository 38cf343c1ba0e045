/// The eigen-decomposition `A = V Λ Vᵀ` of a small symmetric matrix (a task Gram matrix, T × T), by the
/// cyclic Jacobi method in Double: accurate to rounding for the sizes multi-task methods see (T ≲ 50),
/// no external solver, and always terminating (a bounded number of sweeps, also for NaN input).
struct SymmetricEigen {
    /// The eigenvalues, ascending.
    let values: [Double]
    /// The matching unit eigenvectors as columns: `vectors[i][k]` is component `i` of eigenvector `k`.
    let vectors: [[Double]]

    /// Decomposes `matrix` (square and symmetric; only what the rotations read is used).
    init(_ matrix: [[Double]]) {
        let n = matrix.count
        var a = matrix
        var v = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        let total = a.reduce(0.0) { $0 + $1.reduce(0.0) { $0 + $1 * $1 } }
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<n { off += a[p][q] * a[p][q] } }
            guard off > 1e-32 * total else { break }
            for p in 0..<n {
                for q in (p + 1)..<n where a[p][q] != 0 {
                    Self.rotate(&a, &v, p, q)
                }
            }
        }
        let order = (0..<n).sorted { a[$0][$0] < a[$1][$1] }
        values = order.map { a[$0][$0] }
        vectors = (0..<n).map { i in order.map { v[i][$0] } }
    }

    /// One Jacobi rotation `A ← Jᵀ A J` zeroing `a[p][q]`, accumulated into `V ← V J`.
    private static func rotate(_ a: inout [[Double]], _ v: inout [[Double]], _ p: Int, _ q: Int) {
        let n = a.count
        let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
        let t = abs(theta) > 1e150 ? 1 / (2 * theta)
            : (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
        let c = 1 / (t * t + 1).squareRoot(), s = t * c
        for k in 0..<n {
            let akp = a[k][p], akq = a[k][q]
            a[k][p] = c * akp - s * akq
            a[k][q] = s * akp + c * akq
        }
        for k in 0..<n {
            let apk = a[p][k], aqk = a[q][k]
            a[p][k] = c * apk - s * aqk
            a[q][k] = s * apk + c * aqk
        }
        for k in 0..<n {
            let vkp = v[k][p], vkq = v[k][q]
            v[k][p] = c * vkp - s * vkq
            v[k][q] = s * vkp + c * vkq
        }
    }

    /// The indices of the eigenvalues above `max(λ) · relativeTolerance` (the numerical range), largest
    /// first; empty when no eigenvalue is positive.
    func rangeIndices(relativeTolerance: Double) -> [Int] {
        guard let largest = values.last, largest > 0 else { return [] }
        return values.indices.reversed().filter { values[$0] > largest * relativeTolerance }
    }

    /// `Σₖ f(λₖ) vₖ vₖᵀ` over the eigenpairs `indices`: a spectral function of the matrix on its range.
    func spectral(_ indices: [Int], _ f: (Double) -> Double) -> [[Double]] {
        let n = values.count
        var result = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for k in indices {
            let scale = f(values[k])
            for i in 0..<n {
                for j in 0..<n { result[i][j] += scale * vectors[i][k] * vectors[j][k] }
            }
        }
        return result
    }

    /// The Moore–Penrose pseudo-inverse: `Σ vₖ vₖᵀ / λₖ` over the eigenvalues above
    /// `max(λ) · relativeTolerance` (as `numpy.linalg.pinv(rcond:)` / `torch.linalg.pinv(rtol:)` for a
    /// symmetric positive semi-definite matrix).
    func pseudoInverse(relativeTolerance: Double) -> [[Double]] {
        spectral(rangeIndices(relativeTolerance: relativeTolerance)) { 1 / $0 }
    }
}
