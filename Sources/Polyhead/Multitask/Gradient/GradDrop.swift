/// GradDrop — gradient sign dropout (Chen, Ngiam, Huang, Luong, Kretzschmar, Chai, Anguelov, "Just Pick a
/// Sign: Optimizing Deep Multitask Models with Gradient Sign Dropout", NeurIPS 2020). At every unit the
/// task gradients are reduced to their positive sign purity `P = ½ (1 + Σᵢ ∇ᵢ / Σᵢ |∇ᵢ|)`; one uniform
/// draw `U` per unit then keeps, for every task, only the gradients of one sign — positive ones when
/// `P > U`, negative ones when `P < U` — and the kept gradients are summed. A `leak` ℓ ∈ [0, 1] lets
/// `ℓ` of every dropped gradient through (LibMTL's scalar leak).
///
/// Two modes, by what the units are:
/// - **Representation mode** (as the paper and LibMTL): the units are the features of the shared
///   representation A (shape `[batch, …]`); the purity uses the batch-separated signals
///   `∇ᵢ = Σ_batch sign(A) ∘ ∂Lᵢ/∂A` (Algorithm 1), the mask is drawn once per feature and applied to every
///   sample's gradient.
/// - **Parameter mode** (LibMTL refuses it; torchjd's `GradDrop` does this): the units are the shared
///   parameters themselves, `∇ᵢ` is task i's gradient of each parameter entry, one draw per entry.
///
/// A unit where every task gradient is zero has purity ½ (LibMTL adds 1e-7 to the denominator instead).
/// The random draws come from the library's seeded generator. The weights reported are the effective
/// weights of the update (least squares on the task gradients), since the mask acts per unit.
///
/// Option: `leak` (LibMTL's default 0.0, in [0, 1]).
public final class GradDrop: GradientAggregator, NamedMultiTaskMethod {
    /// `"graddrop"`.
    public static let methodName = "graddrop"
    /// The number of tasks.
    public let taskCount: Int
    /// The share of every dropped gradient let through.
    public let leak: Double

    /// Creates the method for `taskCount` tasks with the given leak.
    public init(taskCount: Int, leak: Double = 0) {
        self.taskCount = taskCount
        self.leak = leak
    }

    /// Creates the method, reading `leak`.
    /// - Throws: `PolyheadError.invalidArgument` for `leak` outside [0, 1].
    public convenience init(taskCount: Int, options: inout MethodOptions) throws {
        self.init(taskCount: taskCount, leak: try options.take("leak", default: 0, in: 0...1))
    }

    /// Runs the gradient driver, with the representation's batch-separated signs in the representation
    /// mode and per-entry units in the parameter mode.
    public func backward(losses: [Tensor], shared: SharedPart) throws -> MultiTaskStep {
        let units = shared.representation.map { representation in
            SignUnits(batch: representation.shape.first ?? 1, signs: representation.scalars.map(signum))
        }
        return try GradientPass(taskCount: taskCount) { try self.drop($0, units: units) }
            .backward(losses: losses, shared: shared)
    }

    /// Sign dropout with every entry of the rows as its own unit (the parameter mode).
    public func aggregate(_ jacobian: TaskJacobian) throws -> Aggregation {
        try drop(jacobian, units: nil)
    }

    /// How the entries of a row map to units: `batch` blocks of features, each entry's signal weighted
    /// by the sign of the representation there.
    struct SignUnits {
        let batch: Int
        let signs: [Float]
    }

    /// The sign-dropout update of `jacobian`; `units` nil for per-entry units.
    func drop(_ jacobian: TaskJacobian, units: SignUnits?) throws -> Aggregation {
        let t = jacobian.taskCount, width = jacobian.width
        let batch = max(units?.batch ?? 1, 1)
        guard width % batch == 0, units.map({ $0.signs.count == width }) ?? true else {
            throw PolyheadError.shapeMismatch(
                op: Self.methodName, message: "representation gradients of width \(width) do not split into \(batch) samples")
        }
        let features = width / batch
        let draws = randomUniforms(features)
        var direction = [Float](repeating: 0, count: width)
        jacobian.values.withUnsafeBufferPointer { g in
            var signal = [Double](repeating: 0, count: t)
            for feature in 0..<features {
                for task in 0..<t {
                    var sum = 0.0
                    for sample in 0..<batch {
                        let index = sample * features + feature
                        sum += Double(g[task * width + index]) * Double(units?.signs[index] ?? 1)
                    }
                    signal[task] = sum
                }
                let total = signal.reduce(0, +), magnitude = signal.reduce(0) { $0 + abs($1) }
                let purity = magnitude > 0 ? 0.5 * (1 + total / magnitude) : 0.5
                for task in 0..<t {
                    let kept = (purity > draws[feature] && signal[task] > 0) || (purity < draws[feature] && signal[task] < 0)
                    let factor = Float(kept ? 1 : leak)
                    guard factor != 0 else { continue }
                    for sample in 0..<batch {
                        let index = sample * features + feature
                        direction[index] += factor * g[task * width + index]
                    }
                }
            }
        }
        return Aggregation(direction: direction, weights: jacobian.effectiveWeights(of: direction))
    }
}

/// -1, 0 or 1 (torch's `sign`).
private func signum(_ value: Float) -> Float { value > 0 ? 1 : value < 0 ? -1 : 0 }
