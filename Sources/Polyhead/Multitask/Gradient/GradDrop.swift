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
///   parameters themselves, `∇ᵢ` is task i's gradient of each parameter entry, one draw per entry (the
///   purity in float32, as LibMTL's, in vectorised passes: about the cost of PCGrad's combination).
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
    public func backward(losses: [Tensor], shared: SharedPart, present: [Bool]?) throws -> MultiTaskStep {
        let units = shared.representation.map { representation in
            SignUnits(batch: representation.shape.first ?? 1, signs: representation.scalars.map(signum))
        }
        return try GradientPass(taskCount: taskCount) { jacobian, _ in try self.drop(jacobian, units: units) }
            .backward(losses: losses, shared: shared, present: present)
    }

    /// Sign dropout with every entry of the rows as its own unit (the parameter mode).
    /// - Throws: `PolyheadError.invalidArgument` for a task gradient holding NaN or ±∞.
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
        let gram = try jacobian.finiteGram(op: Self.methodName)
        let features = width / batch
        var direction = [Float](repeating: 0, count: width)
        jacobian.values.withUnsafeBufferPointer { g in
            direction.withUnsafeMutableBufferPointer { out in
                if let units {
                    let draws = randomUniforms(features)
                    var signal = [Double](repeating: 0, count: t)
                    units.signs.withUnsafeBufferPointer { s in
                        signal.withUnsafeMutableBufferPointer { signal in
                            for feature in 0..<features {
                                dropUnit(feature, stride: features, batch: batch, width: width, draw: draws[feature],
                                         gradients: g, signs: s, signal: signal, direction: out)
                            }
                        }
                    }
                } else {
                    dropEntries(taskCount: t, width: width, gradients: g, direction: out)
                }
            }
        }
        return Aggregation(direction: direction, weights: jacobian.effectiveWeights(of: direction, gram: gram))
    }

    /// Every entry its own unit (the parameter mode): the case of `dropUnit` with one sample and no signs,
    /// in blocks of entries small enough to stay in cache, each in row-wise SIMD passes (the comparisons
    /// with random draws defeat branch prediction) over three small work rows. The draws are taken from the
    /// seeded generator in entry order, exactly as `randomUniforms(width)` would (then rounded to float32 for
    /// the comparison with the float32 purity).
    private func dropEntries(taskCount t: Int, width: Int, gradients g: UnsafeBufferPointer<Float>,
                             direction: UnsafeMutableBufferPointer<Float>) {
        let block = 2048
        var positive = [Float](repeating: 0, count: block), negative = positive, draws = positive
        positive.withUnsafeMutableBufferPointer { positive in
            negative.withUnsafeMutableBufferPointer { negative in
                draws.withUnsafeMutableBufferPointer { draws in
                    globalGenerator.withLock { generator in
                        var start = 0
                        while start < width {
                            let n = Swift.min(block, width - start)
                            // Σ gᵢ and Σ |gᵢ| per entry, then, in place, the factors of its positive and
                            // negative gradients.
                            positive.update(repeating: 0)
                            negative.update(repeating: 0)
                            for task in 0..<t {
                                let row = g.baseAddress! + task * width + start
                                for k in 0..<n {
                                    positive[k] += row[k]
                                    negative[k] += abs(row[k])
                                }
                            }
                            for k in 0..<n { draws[k] = Float(generator.nextOpenUnitDouble() - 0x1p-53) }
                            signFactors(width: n, draws: draws, positive: positive, negative: negative)
                            for task in 0..<t {
                                applyFactors(width: n, row: g.baseAddress! + task * width + start, positive: positive,
                                             negative: negative, direction: direction.baseAddress! + start)
                            }
                            start += n
                        }
                    }
                }
            }
        }
    }

    /// Per entry: purity `½ (1 + total / magnitude)` (½ where the magnitude is 0) from `positive` (holding
    /// the total) and `negative` (the magnitude), replaced by the factors of the positive and negative
    /// gradients against the draw.
    private func signFactors(width: Int, draws: UnsafeMutableBufferPointer<Float>,
                             positive: UnsafeMutableBufferPointer<Float>, negative: UnsafeMutableBufferPointer<Float>) {
        typealias F8 = SIMD8<Float>
        let leak = F8(repeating: Float(self.leak)), one = F8(repeating: 1), half = F8(repeating: 0.5)
        let tiny = F8(repeating: .leastNormalMagnitude)
        func load(_ p: UnsafePointer<Float>) -> F8 { UnsafeRawPointer(p).loadUnaligned(as: F8.self) }
        var k = 0
        while k + 8 <= width {
            let magnitude = load(negative.baseAddress! + k)
            let purity = half * (one + load(positive.baseAddress! + k) / magnitude.replacing(with: tiny, where: magnitude .< tiny))
            let draw = load(draws.baseAddress! + k)
            UnsafeMutableRawPointer(positive.baseAddress! + k).storeBytes(
                of: leak.replacing(with: one, where: purity .> draw), as: F8.self)
            UnsafeMutableRawPointer(negative.baseAddress! + k).storeBytes(
                of: leak.replacing(with: one, where: purity .< draw), as: F8.self)
            k += 8
        }
        for k in k..<width {
            let purity = 0.5 * (1 + positive[k] / max(negative[k], .leastNormalMagnitude)), draw = draws[k]
            positive[k] = purity > draw ? 1 : Float(self.leak)
            negative[k] = purity < draw ? 1 : Float(self.leak)
        }
    }

    /// `direction += row ∘ factor`, the factor of each entry chosen by the sign of its gradient.
    private func applyFactors(width: Int, row: UnsafePointer<Float>, positive: UnsafeMutableBufferPointer<Float>,
                              negative: UnsafeMutableBufferPointer<Float>, direction: UnsafeMutablePointer<Float>) {
        typealias F8 = SIMD8<Float>
        func load(_ p: UnsafePointer<Float>) -> F8 { UnsafeRawPointer(p).loadUnaligned(as: F8.self) }
        var k = 0
        while k + 8 <= width {
            let value = load(row + k)
            let factor = load(negative.baseAddress! + k).replacing(with: load(positive.baseAddress! + k), where: value .> 0)
            let sum = load(direction + k) + value * factor
            UnsafeMutableRawPointer(direction + k).storeBytes(of: sum, as: F8.self)
            k += 8
        }
        for k in k..<width { direction[k] += row[k] * (row[k] > 0 ? positive[k] : negative[k]) }
    }

    /// One unit: its batch-separated signals `Σ_b sign(A)·g` per task, the purity, and the kept gradients
    /// (or `leak` of them) added to `direction` at every sample.
    private func dropUnit(
        _ feature: Int, stride: Int, batch: Int, width: Int, draw: Double, gradients g: UnsafeBufferPointer<Float>,
        signs s: UnsafeBufferPointer<Float>, signal: UnsafeMutableBufferPointer<Double>,
        direction: UnsafeMutableBufferPointer<Float>
    ) {
        var total = 0.0, magnitude = 0.0
        for task in 0..<signal.count {
            var sum = 0.0, index = feature
            for _ in 0..<batch {
                sum += Double(g[task * width + index]) * Double(s[index])
                index += stride
            }
            signal[task] = sum
            total += sum
            magnitude += abs(sum)
        }
        let purity = magnitude > 0 ? 0.5 * (1 + total / magnitude) : 0.5
        for task in 0..<signal.count {
            let kept = (purity > draw && signal[task] > 0) || (purity < draw && signal[task] < 0)
            let factor = kept ? 1 : Float(leak)
            guard factor != 0 else { continue }
            var index = feature
            for _ in 0..<batch {
                direction[index] += factor * g[task * width + index]
                index += stride
            }
        }
    }
}

/// -1, 0 or 1 (torch's `sign`).
private func signum(_ value: Float) -> Float { value > 0 ? 1 : value < 0 ? -1 : 0 }
