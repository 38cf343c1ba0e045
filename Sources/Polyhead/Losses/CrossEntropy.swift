#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Class-index targets checked against `(N, C)` scores, with optional per-sample weights; labels of
/// samples whose weight is 0 (missing) are not checked and do not contribute.
private struct ClassTargets {
    let labels: [Int]
    let weights: [Float]?
    let n: Int, classes: Int

    init(_ scores: Tensor, _ labels: [Int], mask: Tensor?, op: String) throws {
        guard scores.rank == 2 else {
            throw PolyheadError.shapeMismatch(op: op, message: "expected (N, C) scores, got \(describe(scores.shape))")
        }
        (n, classes) = (scores.shape[0], scores.shape[1])
        guard labels.count == n else {
            throw PolyheadError.shapeMismatch(
                op: op, message: "\(labels.count) targets for \(n) samples (scores \(describe(scores.shape)))")
        }
        weights = try sampleWeights(mask, samples: n, op: op)
        for (i, label) in labels.enumerated() where (label < 0 || label >= classes) && weights?[i] != 0 {
            throw PolyheadError.indexOutOfRange(op: op, message: "target \(label) is out of bounds for \(classes) classes")
        }
        self.labels = labels
    }

    /// Whether sample `i` takes part (weight ≠ 0).
    func counts(_ i: Int) -> Bool { weights?[i] != 0 }
}

/// The per-sample loss `−values[i, labels[i]]`, reduced, with derivative `softmax − onehot` when
/// `logProbabilities` is given (cross-entropy) or `−onehot` otherwise (negative log-likelihood).
private func negativePick(
    _ scores: Tensor, _ targets: ClassTargets, values: UnsafePointer<Float>,
    reduction: Reduction, op: String, logProbabilities: Storage?
) throws -> Tensor {
    let (n, classes) = (targets.n, targets.classes)
    let losses = try Tensor.empty([n], op: op)
    for i in 0..<n { losses.storage.pointer[i] = targets.counts(i) ? -values[i * classes + targets.labels[i]] : 0 }
    let derivative = try Tensor.empty([n, classes], op: op)
    let d = derivative.storage.pointer
    if let logProbabilities {
        for i in 0..<(n * classes) { d[i] = expf(logProbabilities.pointer[i]) }
    } else {
        d.update(repeating: 0, count: n * classes)
    }
    for i in 0..<n where targets.counts(i) { d[i * classes + targets.labels[i]] -= 1 }
    return try reducedLoss(losses, inputDerivative: derivative, input: scores, reduction: reduction,
                           weights: targets.weights)
}

/// Cross-entropy of logits `(N, C)` against class indices in `0..<C` — log-softmax and negative
/// log-likelihood fused, stable via log-sum-exp (PyTorch's `cross_entropy`). `mask` (N weights, 0 =
/// missing label) weights the samples; a missing sample's label may be anything.
/// - Throws: `.shapeMismatch` for non-2-D logits or a label count ≠ N; `.indexOutOfRange` for a bad label.
public func crossEntropy(
    logits: Tensor, labels: [Int], reduction: Reduction = .mean, mask: Tensor? = nil
) throws -> Tensor {
    let targets = try ClassTargets(logits, labels, mask: mask, op: "cross_entropy")
    let logProbabilities = try Storage(count: logits.count, op: "cross_entropy")
    logSoftmaxRows(logits.storage.pointer, logProbabilities.pointer, rows: targets.n, width: targets.classes)
    return try negativePick(logits, targets, values: logProbabilities.pointer, reduction: reduction,
                            op: "cross_entropy", logProbabilities: logProbabilities)
}

/// Negative log-likelihood of log-probabilities `(N, C)` against class indices (PyTorch's `nll_loss`),
/// with an optional per-sample `mask` as in `crossEntropy`.
public func nllLoss(
    logProbabilities: Tensor, labels: [Int], reduction: Reduction = .mean, mask: Tensor? = nil
) throws -> Tensor {
    let targets = try ClassTargets(logProbabilities, labels, mask: mask, op: "nll_loss")
    return try negativePick(logProbabilities, targets, values: logProbabilities.storage.pointer,
                            reduction: reduction, op: "nll_loss", logProbabilities: nil)
}
