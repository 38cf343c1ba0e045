import Polyhead

// The functions behind the layers of issue 4: convolution, pooling, dropout, embedding, normalization and
// the extra activations. Validation that needs no core knowledge (NULLs, counts, enum codes) happens here.

/// Reads a (height, width) pair of int64 values.
private func readPair(_ height: Int64, _ width: Int64) -> Size2d { Size2d(Int(height), Int(width)) }

/// Reads an optional row index: -1 means none; any other negative value is an error.
private func readOptionalIndex(_ value: Int64, _ argument: String) throws -> Int? {
    guard value >= -1 else {
        throw ABIError(status: statusIndex, message: "\(argument) must be ≥ 0, or -1 for none, got \(value)")
    }
    return value == -1 ? nil : Int(value)
}

@_cdecl("ph_conv2d")
public func ph_conv2d(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ x: OpaquePointer?, _ weight: OpaquePointer?, _ bias: OpaquePointer?,
    _ strideH: Int64, _ strideW: Int64, _ paddingH: Int64, _ paddingW: Int64
) -> Int32 {
    produceTensor(out) {
        try Tensor.conv2d(try borrowTensor(x, "x"), weight: try borrowTensor(weight, "weight"),
                          bias: borrowOptionalTensor(bias), stride: readPair(strideH, strideW),
                          padding: readPair(paddingH, paddingW))
    }
}

@_cdecl("ph_conv2d_init")
public func ph_conv2d_init(
    _ weightOut: UnsafeMutablePointer<OpaquePointer?>?, _ biasOut: UnsafeMutablePointer<OpaquePointer?>?,
    _ inChannels: Int64, _ outChannels: Int64, _ kernelH: Int64, _ kernelW: Int64, _ withBias: Int32
) -> Int32 {
    abiCall {
        let weightTarget = try checkOut(weightOut, "weight_out"), biasTarget = try checkOut(biasOut, "bias_out")
        let layer = try Conv2d(Int(inChannels), Int(outChannels), kernelSize: readPair(kernelH, kernelW),
                               bias: withBias != 0)
        weightTarget.pointee = passRetained(layer.weight)
        biasTarget.pointee = layer.bias.map(passRetained)
    }
}

@_cdecl("ph_max_pool2d")
public func ph_max_pool2d(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ x: OpaquePointer?, _ kernelH: Int64, _ kernelW: Int64,
    _ strideH: Int64, _ strideW: Int64, _ paddingH: Int64, _ paddingW: Int64
) -> Int32 {
    produceTensor(out) {
        try borrowTensor(x, "x").maxPool2d(kernel: readPair(kernelH, kernelW), stride: readPair(strideH, strideW),
                                           padding: readPair(paddingH, paddingW))
    }
}

@_cdecl("ph_avg_pool2d")
public func ph_avg_pool2d(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ x: OpaquePointer?, _ kernelH: Int64, _ kernelW: Int64,
    _ strideH: Int64, _ strideW: Int64, _ paddingH: Int64, _ paddingW: Int64, _ countIncludePad: Int32
) -> Int32 {
    produceTensor(out) {
        try borrowTensor(x, "x").avgPool2d(kernel: readPair(kernelH, kernelW), stride: readPair(strideH, strideW),
                                           padding: readPair(paddingH, paddingW), countIncludePad: countIncludePad != 0)
    }
}

@_cdecl("ph_dropout")
public func ph_dropout(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ x: OpaquePointer?, _ p: Float) -> Int32 {
    produceTensor(out) { try borrowTensor(x, "x").dropout(p) }
}

@_cdecl("ph_embedding")
public func ph_embedding(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ weight: OpaquePointer?, _ indices: UnsafePointer<Int64>?,
    _ count: Int64, _ indexShape: UnsafePointer<Int64>?, _ indexNdim: Int32, _ paddingIdx: Int64
) -> Int32 {
    produceTensor(out) {
        try Tensor.embedding(try borrowTensor(weight, "weight"), indices: try readIndices(indices, count, "indices"),
                             indexShape: try readShape(indexShape, indexNdim),
                             paddingIndex: try readOptionalIndex(paddingIdx, "padding_idx"))
    }
}

@_cdecl("ph_embedding_init")
public func ph_embedding_init(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ numEmbeddings: Int64, _ embeddingDim: Int64, _ paddingIdx: Int64
) -> Int32 {
    produceTensor(out) {
        try Embedding.initialWeight(Int(numEmbeddings), Int(embeddingDim),
                                    paddingIndex: try readOptionalIndex(paddingIdx, "padding_idx"))
    }
}

@_cdecl("ph_layer_norm")
public func ph_layer_norm(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ x: OpaquePointer?, _ normalizedShape: UnsafePointer<Int64>?,
    _ normalizedNdim: Int32, _ weight: OpaquePointer?, _ bias: OpaquePointer?, _ eps: Float
) -> Int32 {
    produceTensor(out) {
        try borrowTensor(x, "x").layerNorm(normalizedShape: try readShape(normalizedShape, normalizedNdim),
                                           weight: borrowOptionalTensor(weight), bias: borrowOptionalTensor(bias),
                                           epsilon: eps)
    }
}

@_cdecl("ph_batch_norm")
public func ph_batch_norm(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ x: OpaquePointer?, _ runningMean: OpaquePointer?,
    _ runningVar: OpaquePointer?, _ weight: OpaquePointer?, _ bias: OpaquePointer?, _ training: Int32,
    _ momentum: Float, _ eps: Float
) -> Int32 {
    produceTensor(out) {
        try Tensor.batchNorm(try borrowTensor(x, "x"), runningMean: borrowOptionalTensor(runningMean),
                             runningVariance: borrowOptionalTensor(runningVar), weight: borrowOptionalTensor(weight),
                             bias: borrowOptionalTensor(bias), training: training != 0, momentum: momentum, epsilon: eps)
    }
}

@_cdecl("ph_gelu")
public func ph_gelu(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ x: OpaquePointer?, _ approximate: Int32) -> Int32 {
    produceTensor(out) {
        guard let approximation = GELUApproximation(rawValue: approximate) else {
            throw ABIError(status: statusValue, message: "[gelu] invalid approximation \(approximate); expected 0 (none) or 1 (tanh)")
        }
        return try borrowTensor(x, "x").gelu(approximation: approximation)
    }
}

@_cdecl("ph_leaky_relu")
public func ph_leaky_relu(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ x: OpaquePointer?, _ negativeSlope: Float) -> Int32 {
    produceTensor(out) { try borrowTensor(x, "x").leakyRelu(negativeSlope: negativeSlope) }
}

@_cdecl("ph_elu")
public func ph_elu(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ x: OpaquePointer?, _ alpha: Float) -> Int32 {
    produceTensor(out) { try borrowTensor(x, "x").elu(alpha: alpha) }
}
