#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loss by its Keras name, computed as Keras does: probabilities are clamped to `[ε, 1 − ε]` with
/// ε = 1e-7 (the clamped elements get no gradient), categorical probabilities are first renormalised to
/// sum to 1, elementwise losses are averaged over the last axis, and the per-sample values are averaged
/// over the batch. A mask (one weight per sample, 0 = missing label) weights the samples and the mean
/// divides by the total weight, so missing labels drop out (a batch without labels gives 0).
public enum KerasLoss: Equatable {
    /// One-hot (or soft) targets `(N, C)`.
    case categoricalCrossentropy(fromLogits: Bool)
    /// Class-index targets `(N,)` or `(N, 1)`.
    case sparseCategoricalCrossentropy(fromLogits: Bool)
    /// Targets in [0, 1], shaped like the output.
    case binaryCrossentropy(fromLogits: Bool)
    case meanSquaredError
    case meanAbsoluteError
    case huber(delta: Double)

    /// Keras's clamp for probabilities.
    static let epsilon: Float = 1e-7

    /// The loss for a Keras name (`categorical_crossentropy`, `sparse_categorical_crossentropy`,
    /// `binary_crossentropy`, `mse`/`mean_squared_error`, `mae`/`mean_absolute_error`, `huber`).
    public init(name: String, fromLogits: Bool = false, delta: Double = 1) throws {
        switch name {
        case "categorical_crossentropy": self = .categoricalCrossentropy(fromLogits: fromLogits)
        case "sparse_categorical_crossentropy": self = .sparseCategoricalCrossentropy(fromLogits: fromLogits)
        case "binary_crossentropy": self = .binaryCrossentropy(fromLogits: fromLogits)
        case "mse", "mean_squared_error": self = .meanSquaredError
        case "mae", "mean_absolute_error": self = .meanAbsoluteError
        case "huber", "huber_loss":
            guard delta > 0, delta.isFinite else {
                throw PolyheadError.invalidArgument(op: "loss", message: "huber delta must be positive, got \(delta)")
            }
            self = .huber(delta: delta)
        default:
            throw PolyheadError.invalidArgument(op: "loss", message: "unknown loss '\(name)'; expected categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy, mse, mae or huber")
        }
    }

    /// The loss a JSON spec `{"loss": "mse", "from_logits": false, "delta": 1.0}` names (the last two optional).
    /// - Throws: `.invalidArgument` for malformed JSON or an unknown loss.
    public init(json: String) throws {
        try self.init(spec: try JSON.parse(text: json, op: "loss"), path: "loss_json", op: "loss")
    }

    /// Reads a loss spec `{"loss": "mse", "from_logits": false, "delta": 1.0}` (the last two optional) found at
    /// `path` of a config.
    /// - Throws: `.invalidArgument` naming `path` for a malformed spec or an unknown loss.
    init(spec: JSON, path: String, op: String) throws {
        try self.init(name: try (spec["loss"] ?? .null).string("\(path).loss", op: op),
                      fromLogits: try spec["from_logits"]?.bool("\(path).from_logits", op: op) ?? false,
                      delta: try spec["delta"]?.double("\(path).delta", op: op) ?? 1)
    }

    /// The mean loss of `output` `(N, ...)` against `target`, recorded for backward.
    /// - Throws: `.shapeMismatch` for targets that do not fit, `.indexOutOfRange` for a bad class index.
    public func callAsFunction(_ output: Tensor, _ target: Tensor, mask: Tensor? = nil) throws -> Tensor {
        guard output.rank >= 1 else { throw PolyheadError.shapeMismatch(op: "loss", message: "output must have a batch dimension") }
        let weights = try sampleWeights(mask, samples: output.shape[0], op: "loss")
        let (losses, derivative) = try terms(output, target, weights: weights)
        return try reducedLoss(losses, inputDerivative: derivative, input: output, reduction: .mean, weights: weights)
    }

    /// Keras's per-sample losses of `output` against `target`, as `keras.losses.<name>(y_true, y_pred)` gives
    /// them (not recorded): one cross-entropy per row `(N,)`, elementwise losses averaged over the last axis
    /// (the output's shape without it).
    /// - Throws: as `callAsFunction`.
    public func perSample(_ output: Tensor, _ target: Tensor) throws -> Tensor {
        guard output.rank >= 1 else { throw PolyheadError.shapeMismatch(op: "loss", message: "output must have a batch dimension") }
        return try withoutGrad {
            let losses = try terms(output, target, weights: nil).losses
            switch self {
            case .categoricalCrossentropy, .sparseCategoricalCrossentropy: return losses
            default: return try losses.reshaped(output.shape).mean(axis: output.rank - 1)
            }
        }
    }

    /// The unreduced losses (per row for cross-entropies, per element otherwise) and their derivatives with
    /// respect to `output`; samples of zero weight are not checked.
    private func terms(_ output: Tensor, _ target: Tensor, weights: [Float]?) throws -> (losses: Tensor, derivative: Tensor) {
        let op = "loss", n = output.shape[0]
        switch self {
        case let .sparseCategoricalCrossentropy(fromLogits):
            guard output.rank == 2, target.count == n, target.rank >= 1, target.shape[0] == n else {
                throw PolyheadError.shapeMismatch(op: op, message: "sparse_categorical_crossentropy needs (N, C) outputs and (N,) labels, got \(describe(output.shape)) and \(describe(target.shape))")
            }
            let classes = output.shape[1]
            let oneHot = try Tensor.zeros(output.shape)
            for i in 0..<n where weights?[i] != 0 {
                let label = target.storage.pointer[i]
                guard label >= 0, label < Float(classes), label == label.rounded() else {
                    throw PolyheadError.indexOutOfRange(op: op, message: "label \(label) is not a class index in 0..<\(classes)")
                }
                oneHot.storage.pointer[i * classes + Int(label)] = 1
            }
            return try categorical(output, oneHot, fromLogits: fromLogits)
        case let .categoricalCrossentropy(fromLogits):
            try checkSameShape(output, target, op: op)
            guard output.rank == 2 else {
                throw PolyheadError.shapeMismatch(op: op, message: "categorical_crossentropy needs (N, C) outputs, got \(describe(output.shape))")
            }
            return try categorical(output, target, fromLogits: fromLogits)
        default:
            try checkSameShape(output, target, op: op)
            return try elementwise(output, target)
        }
    }

    /// Cross-entropy over the last axis of `(N, C)` scores against a distribution per row.
    private func categorical(_ output: Tensor, _ target: Tensor, fromLogits: Bool) throws -> (losses: Tensor, derivative: Tensor) {
        let (n, classes) = (output.shape[0], output.shape[1])
        let losses = try Tensor.zeros([n]), derivative = try Tensor.zeros([n, classes])
        let o = output.storage.pointer, t = target.storage.pointer, l = losses.storage.pointer, d = derivative.storage.pointer
        if fromLogits {
            logSoftmaxRows(o, d, rows: n, width: classes)
            for i in 0..<n {
                var loss: Float = 0, targetSum: Float = 0
                for j in 0..<classes { loss -= t[i * classes + j] * d[i * classes + j]; targetSum += t[i * classes + j] }
                l[i] = loss
                for j in 0..<classes { d[i * classes + j] = expf(d[i * classes + j]) * targetSum - t[i * classes + j] }
            }
        } else {
            let eps = Self.epsilon
            for i in 0..<n {
                let row = o + i * classes, out = d + i * classes, tr = t + i * classes
                var sum: Float = 0
                for j in 0..<classes { sum += row[j] }
                var loss: Float = 0, dot: Float = 0
                for j in 0..<classes {
                    let p = row[j] / sum
                    let clamped = Swift.min(Swift.max(p, eps), 1 - eps)
                    loss -= tr[j] * logf(clamped)
                    out[j] = p > eps && p < 1 - eps ? -tr[j] / clamped : 0
                    dot += out[j] * p
                }
                l[i] = loss
                for j in 0..<classes { out[j] = (out[j] - dot) / sum }
            }
        }
        return (losses, derivative)
    }

    /// The elementwise losses (binary cross-entropy, mse, mae, huber), averaged over all elements of a sample.
    private func elementwise(_ output: Tensor, _ target: Tensor) throws -> (losses: Tensor, derivative: Tensor) {
        let count = output.count
        let losses = try Tensor.zeros([count]), derivative = try Tensor.zeros(output.shape)
        let o = output.storage.pointer, t = target.storage.pointer, l = losses.storage.pointer, d = derivative.storage.pointer
        let eps = Self.epsilon
        for i in 0..<count {
            let (x, y) = (o[i], t[i])
            switch self {
            case .binaryCrossentropy(fromLogits: true):
                l[i] = Swift.max(x, 0) - x * y + log1pf(expf(-abs(x)))
                d[i] = (x >= 0 ? 1 / (1 + expf(-x)) : expf(x) / (1 + expf(x))) - y
            case .binaryCrossentropy(fromLogits: false):
                let p = Swift.min(Swift.max(x, eps), 1 - eps)
                l[i] = -(y * logf(p) + (1 - y) * logf(1 - p))
                d[i] = x > eps && x < 1 - eps ? -y / p + (1 - y) / (1 - p) : 0
            case .meanSquaredError:
                l[i] = (x - y) * (x - y); d[i] = 2 * (x - y)
            case .meanAbsoluteError:
                l[i] = abs(x - y); d[i] = x > y ? 1 : (x < y ? -1 : 0)
            case let .huber(delta):
                let r = x - y, a = abs(r), dl = Float(delta)
                l[i] = a <= dl ? 0.5 * r * r : dl * (a - 0.5 * dl)
                d[i] = a <= dl ? r : (r > 0 ? dl : -dl)
            default: break
            }
        }
        return (losses, derivative)
    }

    /// Whether accuracy for this loss compares argmaxes (categorical) or thresholds at 0.5 (binary), as Keras infers it.
    func accuracyKind(outputWidth: Int) -> Metric.AccuracyKind {
        switch self {
        case .categoricalCrossentropy: return .categorical
        case .sparseCategoricalCrossentropy: return .sparse
        case .binaryCrossentropy: return .binary
        default: return outputWidth > 1 ? .categorical : .binary
        }
    }
}
