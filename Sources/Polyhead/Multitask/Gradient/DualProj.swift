/// DualProj — the preference-weighted mean gradient projected onto the dual cone of the task gradients
/// (torchjd, Quinton & Rey, arXiv 2406.16232, 2024; the projection of Gradient Episodic Memory, Lopez-Paz
/// & Ranzato, NeurIPS 2017, Eq. 11): the closest vector to `Σ uᵢ gᵢ` that conflicts with no task
/// (`gⱼ·d ≥ 0` for every j).
///
/// The projection is the quadratic program `min vᵀ G v subject to v ≥ u` on the T × T Gram matrix, solved
/// in Double by the active-set method UPGrad also uses (`DualCone.swift`), on torchjd's normalised and
/// regularised Gram matrix. The weights reported are exact: the update is `Σⱼ vⱼ gⱼ`.
///
/// Options (torchjd's defaults): `norm_eps` (1e-4), `reg_eps` (1e-4), `pref0`, `pref1`, … (1/T each) —
/// see `UPGrad`.
public final class DualProj: PerTaskAggregator, NamedMultiTaskMethod {
    /// `"dualproj"`.
    public static let methodName = "dualproj"
    /// The number of tasks.
    public let taskCount: Int
    private let settings: DualConeSettings

    /// Creates the method for `taskCount` tasks, reading `norm_eps`, `reg_eps` and `pref0…`.
    /// - Throws: `PolyheadError.invalidArgument` for an option outside its range.
    public init(taskCount: Int, options: inout MethodOptions) throws {
        self.taskCount = taskCount
        settings = try DualConeSettings(taskCount: taskCount, options: &options)
    }

    /// Projects the preference-weighted sum of the gradients onto the dual cone.
    /// - Throws: `PolyheadError.invalidArgument` for a task gradient holding NaN or ±∞.
    /// Row k of `jacobian` is task `tasks[k]`; the present tasks' preferences are rescaled to the total of all.
    public func aggregate(_ jacobian: TaskJacobian, tasks: [Int]) throws -> Aggregation {
        let gram = try settings.preparedGram(jacobian, op: Self.methodName)
        let weights = dualConeProjectionWeights(settings.preference.restricted(to: tasks), gram: gram)
        return Aggregation(direction: jacobian.combination(weights), weights: weights)
    }
}
