import CBLAS

/// One row per task, as wide as the task Jacobian, that a gradient method keeps across steps (MoCo's
/// tracked gradients, DB-MTL's moving averages, ExcessMTL's sums of squared gradients), in Double.
///
/// The rows start at zero on the first step. They only make sense while the shared part keeps its size:
/// in the representation mode the width is batch × features, so a batch of another size (a last partial
/// batch) is refused with a clear error rather than silently restarting the state.
struct TaskRowState {
    /// `taskCount × width`, row-major.
    private(set) var values: [Double] = []
    /// The row length, 0 before the first step.
    private(set) var width = 0

    /// Makes the rows ready for `jacobian`: zeros on first use.
    /// - Throws: `PolyheadError.shapeMismatch` (prefixed `[op]`) when the Jacobian's shape changed.
    mutating func prepare(for jacobian: TaskJacobian, op: String) throws {
        if values.isEmpty && width == 0 {
            width = jacobian.width
            values = [Double](repeating: 0, count: jacobian.taskCount * jacobian.width)
        }
        guard jacobian.width == width, jacobian.taskCount * width == values.count else {
            throw PolyheadError.shapeMismatch(
                op: op, message: "the shared part has \(jacobian.width) entries but the method's state was built "
                    + "for \(width); its state follows the shared part across steps (in the representation mode "
                    + "keep every batch the same size, e.g. drop the last partial batch, or use the parameter mode)")
        }
    }

    /// Runs `body` on the rows of `tasks` alone (a state of `tasks.count` rows, ready for a Jacobian of the
    /// present tasks), then writes them back: the rows of the other tasks of the `taskCount` stay untouched.
    mutating func withRows<Result>(_ tasks: [Int], of taskCount: Int,
                                   _ body: (inout TaskRowState) throws -> Result) rethrows -> Result {
        guard tasks.count < taskCount else { return try body(&self) }
        var part = TaskRowState()
        if width > 0 {
            part.width = width
            part.values = tasks.flatMap { values[($0 * width)..<(($0 + 1) * width)] }
        }
        let result = try body(&part)
        if width == 0 && part.width > 0 {
            width = part.width
            values = [Double](repeating: 0, count: taskCount * width)
        }
        if part.width == width && width > 0 {
            for (k, task) in tasks.enumerated() {
                values.replaceSubrange((task * width)..<((task + 1) * width), with: part.values[(k * width)..<((k + 1) * width)])
            }
        }
        return result
    }

    /// `rowᵢ ← keep · rowᵢ + (1 − keep) · scales[i] · gᵢ` for every task (an exponential moving average
    /// towards the scaled task gradients).
    mutating func moveAverage(toward jacobian: TaskJacobian, scales: [Double], keep: Double) {
        _ = moveAverageAndGram(toward: jacobian, scales: scales, keep: keep)
    }

    /// `moveAverage(toward:scales:keep:)`, returning the Gram matrix of the updated rows, computed in the
    /// same pass over the state (block by block, while each block is in cache).
    mutating func moveAverageAndGram(toward jacobian: TaskJacobian, scales: [Double], keep: Double) -> [[Double]] {
        let (width, taskCount) = (self.width, jacobian.taskCount)
        guard width > 0 else { return [[Double]](repeating: [Double](repeating: 0, count: taskCount), count: taskCount) }
        return values.withUnsafeMutableBufferPointer { rows in
            jacobian.values.withUnsafeBufferPointer { g in
                blockedGram(rows: UnsafePointer(rows.baseAddress!), count: taskCount, width: width, prepare: { start, length in
                    for task in 0..<taskCount {
                        let scale = (1 - keep) * scales[task], base = task * width + start
                        for k in base..<(base + length) { rows[k] = keep * rows[k] + scale * Double(g[k]) }
                    }
                }, dot: { a, b, n in cblas_ddot(blasint(n), a, 1, b, 1) })
            }
        }
    }

    /// `rowᵢ ← rowᵢ + gᵢ ∘ gᵢ` for every task (AdaGrad-style sums of squared gradients).
    mutating func accumulateSquares(of jacobian: TaskJacobian) {
        values.withUnsafeMutableBufferPointer { rows in
            jacobian.values.withUnsafeBufferPointer { g in
                for index in 0..<rows.count { rows[index] += Double(g[index]) * Double(g[index]) }
            }
        }
    }

    /// The dot product of rows `i` and `j`.
    func dot(_ i: Int, _ j: Int) -> Double {
        guard width > 0 else { return 0 }
        return values.withUnsafeBufferPointer { rows in
            cblas_ddot(blasint(width), rows.baseAddress! + i * width, 1, rows.baseAddress! + j * width, 1)
        }
    }

    /// `Σ weights[i] · row i`, accumulated in Double and rounded to float32 (in one pass, block by block).
    func combination(_ weights: [Double]) -> [Float] {
        let width = self.width, block = 2048
        var sum = [Double](repeating: 0, count: Swift.min(block, width))
        return [Float](unsafeUninitializedCapacity: width) { out, count in
            values.withUnsafeBufferPointer { rows in
                sum.withUnsafeMutableBufferPointer { sum in
                    var start = 0
                    while start < width {
                        let n = Swift.min(block, width - start)
                        for k in 0..<n { sum[k] = 0 }
                        for (task, weight) in weights.enumerated() where weight != 0 {
                            let row = rows.baseAddress! + task * width + start
                            for k in 0..<n { sum[k] += weight * row[k] }
                        }
                        for k in 0..<n { out[start + k] = Float(sum[k]) }
                        start += n
                    }
                }
            }
            count = width
        }
    }
}
