/// A per-output metric accumulated over an epoch (masked samples drop out), with Keras's names and
/// semantics: `accuracy` (binary / categorical / sparse, inferred from the loss), `mae`, `mse` (weighted
/// means over samples), `f1` (binary at threshold 0.5 for one-unit outputs, else the macro average over
/// classes of argmax predictions) and `auc` (ROC AUC of probabilities over 200 thresholds, trapezoidal, as
/// Keras's `AUC()`).
public struct Metric: Equatable {
    /// How `accuracy` compares predictions with targets (inferred from the loss, as Keras does).
    public enum AccuracyKind: Equatable { case binary, categorical, sparse }

    public enum Kind: Equatable {
        case accuracy(AccuracyKind)
        case meanAbsoluteError
        case meanSquaredError
        case f1(AccuracyKind)
        case auc
    }

    /// The name used in logs (`<output>_<name>`): the name the metric was asked for, as Keras logs it.
    public let name: String
    public let kind: Kind
    /// The number of values per sample of the output.
    let width: Int

    /// Keras's AUC threshold count.
    static let thresholds = 200

    /// The metric for a Keras name (`accuracy`/`acc`, `mae`, `mse`, `f1`, `auc`), flavoured by `loss`.
    public init(name: String, loss: KerasLoss, outputWidth: Int) throws {
        width = outputWidth
        self.name = name
        switch name {
        case "accuracy", "acc": kind = .accuracy(loss.accuracyKind(outputWidth: outputWidth))
        case "binary_accuracy": kind = .accuracy(.binary)
        case "categorical_accuracy": kind = .accuracy(.categorical)
        case "sparse_categorical_accuracy": kind = .accuracy(.sparse)
        case "mae", "mean_absolute_error": kind = .meanAbsoluteError
        case "mse", "mean_squared_error": kind = .meanSquaredError
        case "f1", "f1_score":
            let flavour = loss.accuracyKind(outputWidth: outputWidth)
            kind = .f1(outputWidth == 1 ? .binary : flavour)
        case "auc": kind = .auc
        default:
            throw PolyheadError.invalidArgument(op: "compile", message: "unknown metric '\(name)'; expected accuracy, mae, mse, f1 or auc")
        }
    }

    /// Whether the metric reads one class index per sample (so sparse targets fit it).
    var acceptsSparseTargets: Bool { kind == .accuracy(.sparse) || kind == .f1(.sparse) }

    /// A zeroed accumulator.
    func makeState() -> [Double] {
        switch kind {
        case .accuracy, .meanAbsoluteError, .meanSquaredError: return [0, 0]
        case .f1(.binary): return [0, 0, 0]
        case .f1: return Array(repeating: 0, count: 3 * width)
        case .auc: return Array(repeating: 0, count: 2 * Self.thresholds + 2)
        }
    }

    /// The metric's value from an accumulator.
    func value(_ state: [Double]) -> Double {
        switch kind {
        case .accuracy, .meanAbsoluteError, .meanSquaredError: return state[1] > 0 ? state[0] / state[1] : 0
        case .f1:
            let classes = state.count / 3
            var total = 0.0
            for c in 0..<classes {
                let (tp, fp, fn) = (state[3 * c], state[3 * c + 1], state[3 * c + 2])
                total += tp > 0 ? 2 * tp / (2 * tp + fp + fn) : 0
            }
            return total / Double(classes)
        case .auc:
            let t = Self.thresholds, positives = state[2 * t], negatives = state[2 * t + 1]
            guard positives > 0, negatives > 0 else { return 0 }
            var area = 0.0
            for j in 0..<(t - 1) {
                let (tpr0, tpr1) = (state[j] / positives, state[j + 1] / positives)
                let (fpr0, fpr1) = (state[t + j] / negatives, state[t + j + 1] / negatives)
                area += (fpr0 - fpr1) * (tpr0 + tpr1) / 2
            }
            return area
        }
    }

    /// Adds one batch (`weights`: one per sample, 0 = missing) to `state`.
    func accumulate(_ output: Tensor, _ target: Tensor, weights: [Float]?, into state: inout [Double]) {
        let n = output.shape.first ?? 1
        guard n > 0 else { return }
        let width = output.count / n, targetWidth = target.count / n
        let o = output.storage.pointer, t = target.storage.pointer
        for i in 0..<n {
            let w = Double(weights?[i] ?? 1)
            guard w != 0 else { continue }
            let row = o + i * width, truth = t + i * targetWidth
            switch kind {
            case let .accuracy(flavour):
                var value = 0.0
                switch flavour {
                case .binary:
                    var hits = 0
                    for j in 0..<width where (row[j] > 0.5) == (truth[j] > 0.5) { hits += 1 }
                    value = Double(hits) / Double(width)
                case .categorical: value = argmax(row, width) == argmax(truth, targetWidth) ? 1 : 0
                case .sparse: value = Float(argmax(row, width)) == truth[0] ? 1 : 0
                }
                state[0] += w * value; state[1] += w
            case .meanAbsoluteError, .meanSquaredError:
                var s = 0.0
                for j in 0..<width {
                    let r = Double(row[j]) - Double(truth[j])
                    s += kind == .meanAbsoluteError ? abs(r) : r * r
                }
                state[0] += w * s / Double(width); state[1] += w
            case .f1(.binary):
                for j in 0..<width {
                    let (predicted, actual) = (row[j] > 0.5, truth[j] > 0.5)
                    if predicted && actual { state[0] += w } else if predicted { state[1] += w } else if actual { state[2] += w }
                }
            case let .f1(flavour):
                let predicted = argmax(row, width)
                if flavour == .sparse, !(truth[0] >= 0 && truth[0] < Float(width)) { continue }
                let actual = flavour == .sparse ? Int(truth[0]) : argmax(truth, targetWidth)
                if predicted == actual { state[3 * actual] += w } else {
                    state[3 * predicted + 1] += w
                    state[3 * actual + 2] += w
                }
            case .auc:
                let count = Self.thresholds
                for j in 0..<width {
                    let (p, positive) = (row[j], truth[j] > 0.5)
                    state[2 * count + (positive ? 0 : 1)] += w
                    for k in 0..<count where p > Self.threshold(k) { state[(positive ? 0 : count) + k] += w }
                }
            }
        }
    }

    /// Keras's AUC thresholds: −ε, 1/(T−1), …, (T−2)/(T−1), 1 + ε.
    static func threshold(_ k: Int) -> Float {
        k == 0 ? -1e-7 : (k == thresholds - 1 ? 1 + 1e-7 : Float(k) / Float(thresholds - 1))
    }

    private func argmax(_ row: UnsafeMutablePointer<Float>, _ width: Int) -> Int {
        var best = 0
        for j in 1..<Swift.max(width, 1) where row[j] > row[best] { best = j }
        return best
    }
}
