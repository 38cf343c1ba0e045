/// Small helpers the gradient-level methods share: the checked Gram matrix, dense T × T products, the
/// Euclidean projection onto the probability simplex, integer-valued options, and the refusal of the
/// representation mode.

/// The relative eigenvalue cut-off for Gram matrices of float32 gradients: `T · ε_float32`, as torch's
/// default `pinv`/`matrix_rank` tolerance (`max(m, n) · eps`) and Aligned-MTL's rank rule.
func gramRankTolerance(_ taskCount: Int) -> Double { Double(taskCount) * Double(Float.ulpOfOne) }

/// `matrix · vector` for small dense matrices.
func matrixVector(_ matrix: [[Double]], _ vector: [Double]) -> [Double] {
    matrix.map { row in zip(row, vector).reduce(0.0) { $0 + $1.0 * $1.1 } }
}

extension TaskJacobian {
    /// The Gram matrix `G Gᵀ` in Double, checked to be finite.
    /// - Throws: `PolyheadError.invalidArgument` (prefixed `[op]`) when a task gradient holds NaN or ±∞,
    ///   naming the first such task (a finite diagonal makes every entry finite).
    func finiteGram(op: String) throws -> [[Double]] {
        let gram = gram()
        if let task = gram.indices.first(where: { !gram[$0][$0].isFinite }) {
            throw PolyheadError.invalidArgument(
                op: op, message: "the gradient of task \(task) is not finite (NaN or infinity)")
        }
        return gram
    }
}

/// The Euclidean projection of `point` onto the probability simplex `{w : wᵢ ≥ 0, Σ wᵢ = 1}` (the
/// sort-and-threshold algorithm of Held, Wolfe, Crowder 1974 / Duchi et al. 2008).
func projectOntoSimplex(_ point: [Double]) -> [Double] {
    let sorted = point.sorted(by: >)
    var running = 0.0, threshold = (point.reduce(0, +) - 1) / Double(max(point.count, 1))
    for (index, value) in sorted.enumerated() {
        running += value
        let candidate = (running - 1) / Double(index + 1)
        if value - candidate > 0 { threshold = candidate }
    }
    return point.map { max($0 - threshold, 0) }
}

extension Array where Element == Double {
    /// The entries `tasks` (the present tasks' share of per-task weights that sum to a total, such as
    /// MoCo's λ), rescaled to sum to that total: a fresh method for those tasks alone starts from the same.
    func restricted(to tasks: [Int]) -> [Double] {
        let part = tasks.map { self[$0] }
        let (whole, share) = (reduce(0, +), part.reduce(0, +))
        return share != 0 && share.isFinite && whole.isFinite ? part.map { $0 * whole / share } : part
    }

    /// Writes `part` (updated weights of `tasks`, from `restricted(to:)`) back into entries `tasks`, rescaled
    /// to the share those entries had: the other entries stay as they were.
    mutating func store(_ part: [Double], into tasks: [Int]) {
        let (share, total) = (tasks.reduce(0.0) { $0 + self[$1] }, part.reduce(0, +))
        let scale = tasks.count < count && total != 0 && total.isFinite && share.isFinite ? share / total : 1
        for (k, task) in tasks.enumerated() { self[task] = part[k] * scale }
    }
}

extension MethodOptions {
    /// Takes an integer-valued option (an enumeration code or a count) in `range`.
    /// - Throws: `PolyheadError.invalidArgument` naming the option when it is outside `range` or not whole.
    mutating func takeIntegerOption(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        let value = try take(name, default: Double(defaultValue), in: Double(range.lowerBound)...Double(range.upperBound))
        guard value == value.rounded() else {
            throw PolyheadError.invalidArgument(op: method, message: "option \(name)=\(value) must be a whole number")
        }
        return Int(value)
    }
}

/// Refuses the representation mode for a method whose update combines task gradients tracked across steps
/// (MoCo, DB-MTL; LibMTL refuses both): a representation gradient holds one row per sample of the batch, so
/// the tracked rows would mix different batches' samples entry by entry.
/// - Throws: `PolyheadError.invalidArgument` when `shared.representation` is set.
func refuseRepresentationMode(_ shared: SharedPart, method: String) throws {
    guard shared.representation == nil else {
        throw PolyheadError.invalidArgument(
            op: method, message: "\(method) does not support the representation mode (rep_grad): it combines task "
                + "gradients tracked across steps, which would mix different samples' representation gradients; "
                + "pass the shared parameters")
    }
}
