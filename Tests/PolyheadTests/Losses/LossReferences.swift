import Foundation
@testable import Polyhead

// Float64 formulas of every loss (PyTorch's definitions), used as references by the loss tests.

/// Applies a reduction to per-element losses.
func reduce(_ losses: Ref, _ reduction: Reduction) -> Ref {
    switch reduction {
    case .none: return losses
    case .sum: return losses.sum()
    case .mean: return losses.mean()
    }
}

/// `(x − t)²`.
func mseReference(_ x: Ref, _ t: Ref, _ reduction: Reduction) -> Ref {
    reduce(Ref.broadcast(x, t) { ($0 - $1) * ($0 - $1) }, reduction)
}

/// `|x − t|`.
func l1Reference(_ x: Ref, _ t: Ref, _ reduction: Reduction) -> Ref {
    reduce(Ref.broadcast(x, t) { abs($0 - $1) }, reduction)
}

/// `−[t·max(log p, −100) + (1−t)·max(log(1−p), −100)]`.
func bceReference(_ p: Ref, _ t: Ref, _ reduction: Reduction) -> Ref {
    reduce(Ref.broadcast(p, t) { p, t in -(t * max(log(p), -100) + (1 - t) * max(log(1 - p), -100)) }, reduction)
}

/// `−[t·log σ(x) + (1−t)·log(1−σ(x))]`, written stably.
func bceWithLogitsReference(_ x: Ref, _ t: Ref, _ reduction: Reduction) -> Ref {
    reduce(Ref.broadcast(x, t) { x, t in max(x, 0) - x * t + log1p(exp(-abs(x))) }, reduction)
}

/// `−log softmax(x)[label]` per row.
func crossEntropyReference(_ logits: Ref, _ labels: [Int], _ reduction: Reduction) -> Ref {
    nllReference(logits.logSoftmax(), labels, reduction)
}

/// `−logp[label]` per row.
func nllReference(_ logProbabilities: Ref, _ labels: [Int], _ reduction: Reduction) -> Ref {
    let classes = logProbabilities.shape[1]
    let losses = labels.enumerated().map { -logProbabilities.values[$0.offset * classes + $0.element] }
    return reduce(Ref(shape: [labels.count], values: losses), reduction)
}

let allReductions: [Reduction] = [.none, .mean, .sum]
