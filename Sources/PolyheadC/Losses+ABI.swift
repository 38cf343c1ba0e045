import Polyhead

/// Runs a loss over two borrowed tensors.
private func pairLoss(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ input: OpaquePointer?, _ target: OpaquePointer?,
    _ mask: OpaquePointer?, _ reduction: Int32, _ loss: (Tensor, Tensor, Reduction, Tensor?) throws -> Tensor
) -> Int32 {
    produceTensor(out) {
        try loss(try borrowTensor(input, "input"), try borrowTensor(target, "target"), try readReduction(reduction),
                 borrowOptionalTensor(mask))
    }
}

@_cdecl("ph_mse_loss")
public func ph_mse_loss(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ input: OpaquePointer?, _ target: OpaquePointer?, _ mask: OpaquePointer?,
    _ reduction: Int32
) -> Int32 {
    pairLoss(out, input, target, mask, reduction) { try mseLoss($0, $1, reduction: $2, mask: $3) }
}

@_cdecl("ph_l1_loss")
public func ph_l1_loss(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ input: OpaquePointer?, _ target: OpaquePointer?, _ mask: OpaquePointer?,
    _ reduction: Int32
) -> Int32 {
    pairLoss(out, input, target, mask, reduction) { try l1Loss($0, $1, reduction: $2, mask: $3) }
}

@_cdecl("ph_binary_cross_entropy")
public func ph_binary_cross_entropy(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ input: OpaquePointer?, _ target: OpaquePointer?, _ mask: OpaquePointer?,
    _ reduction: Int32
) -> Int32 {
    pairLoss(out, input, target, mask, reduction) { try binaryCrossEntropy($0, $1, reduction: $2, mask: $3) }
}

@_cdecl("ph_binary_cross_entropy_with_logits")
public func ph_binary_cross_entropy_with_logits(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ input: OpaquePointer?, _ target: OpaquePointer?, _ mask: OpaquePointer?,
    _ reduction: Int32
) -> Int32 {
    pairLoss(out, input, target, mask, reduction) { try binaryCrossEntropyWithLogits($0, $1, reduction: $2, mask: $3) }
}

@_cdecl("ph_cross_entropy")
public func ph_cross_entropy(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ logits: OpaquePointer?, _ targets: UnsafePointer<Int64>?,
    _ count: Int64, _ mask: OpaquePointer?, _ reduction: Int32
) -> Int32 {
    produceTensor(out) {
        try crossEntropy(logits: try borrowTensor(logits, "logits"), labels: try readIndices(targets, count, "targets"),
                         reduction: try readReduction(reduction), mask: borrowOptionalTensor(mask))
    }
}

@_cdecl("ph_nll_loss")
public func ph_nll_loss(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ logProbabilities: OpaquePointer?, _ targets: UnsafePointer<Int64>?,
    _ count: Int64, _ mask: OpaquePointer?, _ reduction: Int32
) -> Int32 {
    produceTensor(out) {
        try nllLoss(logProbabilities: try borrowTensor(logProbabilities, "log_probs"),
                    labels: try readIndices(targets, count, "targets"), reduction: try readReduction(reduction),
                    mask: borrowOptionalTensor(mask))
    }
}
