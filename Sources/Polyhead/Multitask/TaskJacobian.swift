import CBLAS

/// The per-task gradients of the shared part, one row per task, each flattened over all shared
/// tensors (the Jacobian of the task losses): what every gradient-level method combines.
public struct TaskJacobian {
    /// The number of rows (tasks).
    public let taskCount: Int
    /// The length of each row (the number of shared scalars).
    public let width: Int
    /// The rows, row-major: `taskCount × width`.
    public var values: [Float]
    /// The task losses at this step (for methods that also use the loss values, e.g. DB-MTL, MoCo).
    public var losses: [Double]

    /// A zero matrix of `taskCount` rows of `width`, for losses `losses`.
    public init(taskCount: Int, width: Int, losses: [Double]) {
        self.init(taskCount: taskCount, width: width, losses: losses, values: [Float](repeating: 0, count: taskCount * width))
    }

    /// The matrix whose rows `fill` writes, every entry of them (the buffer starts uninitialised: a
    /// Jacobian of a large model is megabytes, not worth zeroing first).
    init(taskCount: Int, width: Int, losses: [Double], filling fill: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        let values = try [Float](unsafeUninitializedCapacity: taskCount * width) { buffer, count in
            try fill(buffer)
            count = taskCount * width
        }
        self.init(taskCount: taskCount, width: width, losses: losses, values: values)
    }

    private init(taskCount: Int, width: Int, losses: [Double], values: [Float]) {
        self.taskCount = taskCount
        self.width = width
        self.losses = losses
        self.values = values
    }

    /// The matrix with the given rows (all of one width) and, optionally, the task losses.
    public init(rows: [[Float]], losses: [Double]? = nil) throws {
        guard let width = rows.first?.count, rows.allSatisfy({ $0.count == width }) else {
            throw PolyheadError.shapeMismatch(op: "TaskJacobian", message: "rows must be non-empty and of one length")
        }
        taskCount = rows.count
        self.width = width
        self.losses = losses ?? [Double](repeating: 1, count: rows.count)
        values = rows.flatMap { $0 }
    }

    /// The tasks that take part in this step, in order: all but those whose loss is exactly 0 and whose row
    /// is all zero — a masked loss whose batch has no labelled sample (the rule that tells an absent task;
    /// a task fitted exactly, loss and gradient 0, counts as absent too, which changes nothing it gives).
    public func presentTasks() -> [Int] {
        values.withUnsafeBufferPointer { v in
            (0..<taskCount).filter { task in
                losses[task] != 0 || v[(task * width)..<((task + 1) * width)].contains { $0 != 0 }
            }
        }
    }

    /// The matrix of rows `tasks` (in that order) and their losses.
    public func selecting(_ tasks: [Int]) -> TaskJacobian {
        TaskJacobian(taskCount: tasks.count, width: width, losses: tasks.map { losses[$0] }) { rows in
            values.withUnsafeBufferPointer { v in
                for (k, task) in tasks.enumerated() {
                    (rows.baseAddress! + k * width).initialize(from: v.baseAddress! + task * width, count: width)
                }
            }
        }
    }

    /// Row `task` as an array.
    public func row(_ task: Int) -> [Float] { Array(values[(task * width)..<((task + 1) * width)]) }

    /// The dot product of rows `i` and `j`, accumulated in Double.
    public func dot(_ i: Int, _ j: Int) -> Double {
        values.withUnsafeBufferPointer { v in
            cblas_dsdot(blasint(width), v.baseAddress! + i * width, 1, v.baseAddress! + j * width, 1)
        }
    }

    /// The dot product of row `i` with `vector` (length `width`), accumulated in Double.
    public func dot(_ i: Int, _ vector: [Float]) -> Double {
        values.withUnsafeBufferPointer { v in
            vector.withUnsafeBufferPointer { x in
                cblas_dsdot(blasint(width), v.baseAddress! + i * width, 1, x.baseAddress!, 1)
            }
        }
    }

    /// The Gram matrix `G Gᵀ` (task × task dot products) in Double.
    public func gram() -> [[Double]] {
        values.withUnsafeBufferPointer { v in
            guard let base = v.baseAddress else {
                return [[Double]](repeating: [Double](repeating: 0, count: taskCount), count: taskCount)
            }
            return blockedGram(rows: base, count: taskCount, width: width) { a, b, n in
                cblas_dsdot(blasint(n), a, 1, b, 1)
            }
        }
    }

    /// The combination `Σ weights[i] · row i`.
    public func combination(_ weights: [Double]) -> [Float] {
        var result = [Float](repeating: 0, count: width)
        values.withUnsafeBufferPointer { v in
            result.withUnsafeMutableBufferPointer { out in
                for task in 0..<taskCount where weights[task] != 0 {
                    cblas_saxpy(blasint(width), Float(weights[task]), v.baseAddress! + task * width, 1,
                                out.baseAddress!, 1)
                }
            }
        }
        return result
    }

    /// The effective weights of an arbitrary `direction`: the least-squares coefficients `w` with
    /// `Gᵀw ≈ direction` (solving `G Gᵀ w = G d`), for logging methods that build the direction directly.
    /// Pass `gram` when it is at hand (it is `gram()`), to save computing it again.
    public func effectiveWeights(of direction: [Float], gram: [[Double]]? = nil) -> [Double] {
        let rightHandSide = (0..<taskCount).map { dot($0, direction) }
        return solveSymmetric(gram ?? self.gram(), rightHandSide)
    }
}

/// Solves `matrix · x = vector` for a small symmetric positive semi-definite matrix by Gaussian
/// elimination with partial pivoting and a tiny ridge (so rank-deficient systems still give an answer).
public func solveSymmetric(_ matrix: [[Double]], _ vector: [Double]) -> [Double] {
    let n = vector.count
    let scale = max(matrix.indices.map { matrix[$0][$0] }.max() ?? 1, 1e-30)
    var a = matrix.enumerated().map { i, row in row.enumerated().map { j, v in v + (i == j ? 1e-12 * scale : 0) } }
    var b = vector
    for column in 0..<n {
        let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) }!
        a.swapAt(column, pivot)
        b.swapAt(column, pivot)
        guard a[column][column] != 0 else { continue }
        for row in (column + 1)..<n {
            let factor = a[row][column] / a[column][column]
            for k in column..<n { a[row][k] -= factor * a[column][k] }
            b[row] -= factor * b[column]
        }
    }
    var x = [Double](repeating: 0, count: n)
    for row in stride(from: n - 1, through: 0, by: -1) {
        let rest = ((row + 1)..<n).reduce(0.0) { $0 + a[row][$1] * x[$1] }
        x[row] = a[row][row] == 0 ? 0 : (b[row] - rest) / a[row][row]
    }
    return x
}
