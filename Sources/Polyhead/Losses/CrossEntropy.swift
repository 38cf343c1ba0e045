#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks class-index targets against `(N, C)` scores and returns `(N, C)`.
private func checkClassTargets(_ scores: Tensor, _ labels: [Int], op: String) throws -> (Int, Int) {
    guard scores.rank == 2 else {
        throw PolyheadError.shapeMismatch(op: op, message: "expected (N, C) scores, got \(describe(scores.shape))")
    }
    let (n, classes) = (scores.shape[0], scores.shape[1])
    guard labels.count == n else {
        throw PolyheadError.shapeMismatch(
            op: op, message: "\(labels.count) targets for \(n) samples (scores \(describe(scores.shape)))")
    }
    if let bad = labels.first(where: { $0 < 0 || $0 >= classes }) {
        throw PolyheadError.indexOutOfRange(op: op, message: "target \(bad) is out of bounds for \(classes) classes")
    }
    return (n, classes)
}

/// The per-sample loss `−values[i, labels[i]]`, reduced, with derivative `softmax − onehot` when
/// `logProbabilities` is given (cross-entropy) or `−onehot` otherwise (negative log-likelihood).
private func negativePick(
    _ scores: Tensor, _ labels: [Int], values: UnsafePointer<Float>, n: Int, classes: Int,
    reduction: Reduction, op: String, logProbabilities: Storage?
) throws -> Tensor {
    let losses = try Tensor.empty([n], op: op)
    for i in 0..<n { losses.storage.pointer[i] = -values[i * classes + labels[i]] }
    let derivative = try Tensor.empty([n, classes], op: op)
    let d = derivative.storage.pointer
    if let logProbabilities {
        for i in 0..<(n * classes) { d[i] = expf(logProbabilities.pointer[i]) }
    } else {
        d.update(repeating: 0, count: n * classes)
    }
    for i in 0..<n { d[i * classes + labels[i]] -= 1 }
    return try reducedLoss(losses, inputDerivative: derivative, input: scores, reduction: reduction)
}

/// Cross-entropy of logits `(N, C)` against class indices in `0..<C` — log-softmax and negative
/// log-likelihood fused, stable via log-sum-exp (PyTorch's `cross_entropy`).
/// - Throws: `.shapeMismatch` for non-2-D logits or a label count ≠ N; `.indexOutOfRange` for a bad label.
public func crossEntropy(logits: Tensor, labels: [Int], reduction: Reduction = .mean) throws -> Tensor {
    let (n, classes) = try checkClassTargets(logits, labels, op: "cross_entropy")
    let logProbabilities = try Storage(count: n * classes, op: "cross_entropy")
    logSoftmaxRows(logits.storage.pointer, logProbabilities.pointer, rows: n, width: classes)
    return try negativePick(logits, labels, values: logProbabilities.pointer, n: n, classes: classes,
                            reduction: reduction, op: "cross_entropy", logProbabilities: logProbabilities)
}

/// Negative log-likelihood of log-probabilities `(N, C)` against class indices (PyTorch's `nll_loss`).
public func nllLoss(logProbabilities: Tensor, labels: [Int], reduction: Reduction = .mean) throws -> Tensor {
    let (n, classes) = try checkClassTargets(logProbabilities, labels, op: "nll_loss")
    return try negativePick(logProbabilities, labels, values: logProbabilities.storage.pointer, n: n,
                            classes: classes, reduction: reduction, op: "nll_loss", logProbabilities: nil)
}
