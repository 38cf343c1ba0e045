/// A per-output metric accumulated over an epoch as a weighted mean over samples (masked samples drop out),
/// with Keras's names and semantics.
public struct Metric: Equatable {
    /// How `accuracy` compares predictions with targets (inferred from the loss, as Keras does).
    public enum AccuracyKind: Equatable { case binary, categorical, sparse }

    public enum Kind: Equatable {
        case accuracy(AccuracyKind)
        case meanAbsoluteError
        case meanSquaredError
    }

    /// The name used in logs (`<output>_<name>`).
    public let name: String
    public let kind: Kind

    /// The metric for a Keras name (`accuracy`/`acc`, `mae`, `mse`), with accuracy's flavour from `loss`.
    public init(name: String, loss: KerasLoss, outputWidth: Int) throws {
        switch name {
        case "accuracy", "acc": self.name = "accuracy"; kind = .accuracy(loss.accuracyKind(outputWidth: outputWidth))
        case "binary_accuracy": self.name = name; kind = .accuracy(.binary)
        case "categorical_accuracy": self.name = name; kind = .accuracy(.categorical)
        case "sparse_categorical_accuracy": self.name = name; kind = .accuracy(.sparse)
        case "mae", "mean_absolute_error": self.name = "mae"; kind = .meanAbsoluteError
        case "mse", "mean_squared_error": self.name = "mse"; kind = .meanSquaredError
        default:
            throw PolyheadError.invalidArgument(op: "compile", message: "unknown metric '\(name)'; expected accuracy, mae or mse")
        }
    }

    /// The sum of `weight · value` over the samples of a batch and the sum of the weights.
    func accumulate(_ output: Tensor, _ target: Tensor, weights: [Float]?) -> (sum: Double, weight: Double) {
        let n = output.shape.first ?? 1
        guard n > 0 else { return (0, 0) }
        let width = output.count / n, targetWidth = target.count / n
        let o = output.storage.pointer, t = target.storage.pointer
        var sum = 0.0, total = 0.0
        for i in 0..<n {
            let w = Double(weights?[i] ?? 1)
            guard w != 0 else { continue }
            var value = 0.0
            switch kind {
            case let .accuracy(flavour):
                switch flavour {
                case .binary:
                    var hits = 0
                    for j in 0..<width where (o[i * width + j] > 0.5) == (t[i * width + j] > 0.5) { hits += 1 }
                    value = Double(hits) / Double(width)
                case .categorical:
                    value = argmax(o + i * width, width) == argmax(t + i * targetWidth, targetWidth) ? 1 : 0
                case .sparse:
                    value = Float(argmax(o + i * width, width)) == t[i * targetWidth] ? 1 : 0
                }
            case .meanAbsoluteError, .meanSquaredError:
                var s = 0.0
                for j in 0..<width {
                    let r = Double(o[i * width + j]) - Double(t[i * width + j])
                    s += kind == .meanAbsoluteError ? abs(r) : r * r
                }
                value = s / Double(width)
            }
            sum += w * value
            total += w
        }
        return (sum, total)
    }

    private func argmax(_ row: UnsafeMutablePointer<Float>, _ width: Int) -> Int {
        var best = 0
        for j in 1..<Swift.max(width, 1) where row[j] > row[best] { best = j }
        return best
    }
}
