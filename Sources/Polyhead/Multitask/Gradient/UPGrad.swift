/// UPGrad — unconflicting projection of gradients (Quinton & Rey, "Jacobian Descent for Multi-Objective
/// Optimization", arXiv 2406.16232, 2024; torchjd's recommended aggregator). Each task gradient `gᵢ`,
/// scaled by its preference `uᵢ` (1/T by default), is projected onto the dual cone of all task gradients
/// `{d : gⱼ·d ≥ 0 for every j}` and the projections are summed: the update never conflicts with any
/// task, and equals the mean gradient when no two tasks conflict.
///
/// Each projection is the small quadratic program `min vᵀ G v subject to v ≥ uᵢ eᵢ` on the T × T Gram
/// matrix (Proposition 1 of the paper), solved in Double by an active-set method (`DualCone.swift`), on
/// torchjd's normalised and regularised Gram matrix. The weights reported are exact: the update is
/// `Σⱼ wⱼ gⱼ` with `w = Σᵢ vᵢ`.
///
/// Options (torchjd's defaults): `norm_eps` (1e-4; below this squared Frobenius norm of the task
/// Jacobian the Gram matrix counts as zero and the update is the preference-weighted sum), `reg_eps`
/// (1e-4, added to the diagonal of the trace-normalised Gram matrix), `pref0`, `pref1`, … (the
/// preference vector, 1/T each).
public final class UPGrad: PerTaskAggregator, NamedMultiTaskMethod {
    /// `"upgrad"`.
    public static let methodName = "upgrad"
    /// The number of tasks.
    public let taskCount: Int
    private let settings: DualConeSettings

    /// Creates the method for `taskCount` tasks, reading `norm_eps`, `reg_eps` and `pref0…`.
    /// - Throws: `PolyheadError.invalidArgument` for an option outside its range.
    public init(taskCount: Int, options: inout MethodOptions) throws {
        self.taskCount = taskCount
        settings = try DualConeSettings(taskCount: taskCount, options: &options)
    }

    /// Projects each preference-scaled gradient onto the dual cone and sums the projections.
    /// - Throws: `PolyheadError.invalidArgument` for a task gradient holding NaN or ±∞.
    /// Row k of `jacobian` is task `tasks[k]`; the present tasks' preferences are rescaled to the total of all.
    public func aggregate(_ jacobian: TaskJacobian, tasks: [Int]) throws -> Aggregation {
        let preference = settings.preference.restricted(to: tasks)
        let gram = try settings.preparedGram(jacobian, op: Self.methodName)
        var weights = [Double](repeating: 0, count: jacobian.taskCount)
        for task in 0..<jacobian.taskCount {
            var u = [Double](repeating: 0, count: jacobian.taskCount)
            u[task] = preference[task]
            let v = dualConeProjectionWeights(u, gram: gram)
            for j in weights.indices { weights[j] += v[j] }
        }
        return Aggregation(direction: jacobian.combination(weights), weights: weights)
    }
}
