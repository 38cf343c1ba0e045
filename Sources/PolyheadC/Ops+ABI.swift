import Polyhead

/// The C shape of a binary op: `(out, a, b)`.
typealias BinaryOp = (Tensor, Tensor) throws -> Tensor

/// Runs a binary op on two borrowed handles.
private func binary(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ b: OpaquePointer?,
                    _ op: BinaryOp) -> Int32 {
    produceTensor(out) { try op(try borrowTensor(a, "a"), try borrowTensor(b, "b")) }
}

/// Runs a unary op on a borrowed handle.
private func unary(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?,
                   _ op: (Tensor) throws -> Tensor) -> Int32 {
    produceTensor(out) { try op(try borrowTensor(a, "a")) }
}

@_cdecl("ph_add")
public func ph_add(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ b: OpaquePointer?) -> Int32 {
    binary(out, a, b, +)
}

@_cdecl("ph_sub")
public func ph_sub(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ b: OpaquePointer?) -> Int32 {
    binary(out, a, b, -)
}

@_cdecl("ph_mul")
public func ph_mul(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ b: OpaquePointer?) -> Int32 {
    binary(out, a, b, *)
}

@_cdecl("ph_div")
public func ph_div(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ b: OpaquePointer?) -> Int32 {
    binary(out, a, b, /)
}

@_cdecl("ph_neg")
public func ph_neg(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?) -> Int32 {
    unary(out, a) { try -$0 }
}

@_cdecl("ph_exp")
public func ph_exp(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?) -> Int32 {
    unary(out, a) { try $0.exp() }
}

@_cdecl("ph_log")
public func ph_log(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?) -> Int32 {
    unary(out, a) { try $0.log() }
}

@_cdecl("ph_sqrt")
public func ph_sqrt(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?) -> Int32 {
    unary(out, a) { try $0.sqrt() }
}

@_cdecl("ph_pow_scalar")
public func ph_pow_scalar(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ exponent: Float) -> Int32 {
    unary(out, a) { try $0.pow(exponent) }
}

@_cdecl("ph_relu")
public func ph_relu(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?) -> Int32 {
    unary(out, a) { try $0.relu() }
}

@_cdecl("ph_sigmoid")
public func ph_sigmoid(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?) -> Int32 {
    unary(out, a) { try $0.sigmoid() }
}

@_cdecl("ph_tanh")
public func ph_tanh(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?) -> Int32 {
    unary(out, a) { try $0.tanh() }
}

@_cdecl("ph_sin")
public func ph_sin(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?) -> Int32 {
    unary(out, a) { try $0.sin() }
}

@_cdecl("ph_cos")
public func ph_cos(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?) -> Int32 {
    unary(out, a) { try $0.cos() }
}

@_cdecl("ph_matmul")
public func ph_matmul(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ b: OpaquePointer?,
    _ transposeA: Int32, _ transposeB: Int32
) -> Int32 {
    binary(out, a, b) { try $0.matmul($1, transposeA: transposeA != 0, transposeB: transposeB != 0) }
}

@_cdecl("ph_bmm")
public func ph_bmm(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ b: OpaquePointer?,
    _ transposeA: Int32, _ transposeB: Int32
) -> Int32 {
    binary(out, a, b) { try $0.batchedMatmul($1, transposeA: transposeA != 0, transposeB: transposeB != 0) }
}

@_cdecl("ph_linear")
public func ph_linear(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ x: OpaquePointer?, _ weight: OpaquePointer?, _ bias: OpaquePointer?
) -> Int32 {
    produceTensor(out) {
        try Tensor.linear(try borrowTensor(x, "x"), weight: try borrowTensor(weight, "weight"),
                          bias: borrowOptionalTensor(bias))
    }
}

@_cdecl("ph_linear_init")
public func ph_linear_init(
    _ weightOut: UnsafeMutablePointer<OpaquePointer?>?, _ biasOut: UnsafeMutablePointer<OpaquePointer?>?,
    _ inFeatures: Int64, _ outFeatures: Int64, _ withBias: Int32
) -> Int32 {
    abiCall {
        let weightTarget = try checkOut(weightOut, "weight_out"), biasTarget = try checkOut(biasOut, "bias_out")
        let layer = try Linear(Int(inFeatures), Int(outFeatures), bias: withBias != 0)
        weightTarget.pointee = passRetained(layer.weight)
        biasTarget.pointee = layer.bias.map(passRetained)
    }
}

@_cdecl("ph_sum_all")
public func ph_sum_all(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?) -> Int32 {
    unary(out, a) { try $0.sum() }
}

@_cdecl("ph_sum")
public func ph_sum(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ axis: Int32, _ keepdim: Int32) -> Int32 {
    unary(out, a) { try $0.sum(axis: Int(axis), keepingDimension: keepdim != 0) }
}

@_cdecl("ph_mean_all")
public func ph_mean_all(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?) -> Int32 {
    unary(out, a) { try $0.mean() }
}

@_cdecl("ph_mean")
public func ph_mean(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ axis: Int32, _ keepdim: Int32) -> Int32 {
    unary(out, a) { try $0.mean(axis: Int(axis), keepingDimension: keepdim != 0) }
}

@_cdecl("ph_max")
public func ph_max(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ axis: Int32, _ keepdim: Int32) -> Int32 {
    unary(out, a) { try $0.max(axis: Int(axis), keepingDimension: keepdim != 0) }
}

@_cdecl("ph_argmax")
public func ph_argmax(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ axis: Int32, _ keepdim: Int32) -> Int32 {
    unary(out, a) { try $0.argmax(axis: Int(axis), keepingDimension: keepdim != 0) }
}

@_cdecl("ph_softmax")
public func ph_softmax(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ axis: Int32) -> Int32 {
    unary(out, a) { try $0.softmax(axis: Int(axis)) }
}

@_cdecl("ph_log_softmax")
public func ph_log_softmax(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ axis: Int32) -> Int32 {
    unary(out, a) { try $0.logSoftmax(axis: Int(axis)) }
}

@_cdecl("ph_reshape")
public func ph_reshape(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ shape: UnsafePointer<Int64>?, _ ndim: Int32
) -> Int32 {
    unary(out, a) { try $0.reshaped(try readShape(shape, ndim)) }
}

@_cdecl("ph_transpose")
public func ph_transpose(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?) -> Int32 {
    unary(out, a) { try $0.transposed() }
}

@_cdecl("ph_concat")
public func ph_concat(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ tensors: UnsafePointer<OpaquePointer?>?, _ count: Int32, _ axis: Int32
) -> Int32 {
    produceTensor(out) { try Tensor.concatenate(try borrowTensors(tensors, count: count, "tensors"), axis: Int(axis)) }
}

@_cdecl("ph_split")
public func ph_split(
    _ outs: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ sizes: UnsafePointer<Int64>?,
    _ count: Int32, _ axis: Int32
) -> Int32 {
    abiCall {
        let sizes = try readIndices(sizes, Int64(count), "sizes")
        guard !sizes.isEmpty else { throw ABIError(status: statusValue, message: "[split] need at least one size") }
        let target = try checkOut(outs, "outs")
        let pieces = try borrowTensor(a, "a").split(sizes: sizes, axis: Int(axis))
        for (i, piece) in pieces.enumerated() { target[i] = passRetained(piece) }
    }
}

@_cdecl("ph_index_select")
public func ph_index_select(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ a: OpaquePointer?, _ indices: UnsafePointer<Int64>?, _ count: Int64
) -> Int32 {
    unary(out, a) { try $0.indexSelect(try readIndices(indices, count, "indices")) }
}
