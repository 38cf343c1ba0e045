// Keras's Dense layer as one recorded operation: `x · kernel + bias`, optionally followed by a ReLU, with the
// kernel stored (in, out) as Keras stores it.

extension Tensor {
    /// `x · kernel + bias`, then `max(·, 0)` when `relu`, for `x` (N, in), `kernel` (in, out), `bias` (out).
    ///
    /// One node instead of three: the bias rows are written first and the GEMM accumulates onto them, the
    /// ReLU runs in place, and the pullback masks the output gradient once before the two GEMMs
    /// (dx = g · kernelᵀ, dKernel = xᵀ · g) and the bias's column sums.
    /// - Throws: `PolyheadError.shapeMismatch` if the input, kernel and bias do not fit.
    static func affine(_ x: Tensor, kernel: Tensor, bias: Tensor?, relu: Bool = false) throws -> Tensor {
        let op = "dense"
        guard x.rank == 2, kernel.rank == 2, x.shape[1] == kernel.shape[0] else {
            throw PolyheadError.shapeMismatch(
                op: op, message: "input \(describe(x.shape)) does not fit kernel \(describe(kernel.shape)) "
                    + "(expected input (N, in) and kernel (in, out))")
        }
        let (n, inFeatures, outFeatures) = (x.shape[0], kernel.shape[0], kernel.shape[1])
        if let bias, bias.shape != [outFeatures] {
            throw PolyheadError.shapeMismatch(
                op: op, message: "bias \(describe(bias.shape)) does not fit kernel \(describe(kernel.shape))")
        }
        try checkBlasDimensions(x.shape + kernel.shape, op: op)
        let result = try Tensor.empty([n, outFeatures], op: op)
        let out = result.storage.pointer
        if let bias {
            let b = bias.storage.pointer
            parallelRanges(n, grain: Swift.max(1, elementwiseGrain / Swift.max(outFeatures, 1))) { rows in
                for row in rows { (out + row * outFeatures).update(from: b, count: outFeatures) }
            }
        }
        gemm(x, kernel, into: result, m: n, n: outFeatures, k: inFeatures, transposeA: false, transposeB: false,
             accumulate: bias != nil)
        if relu {
            parallelRanges(result.count, grain: elementwiseGrain) { range in
                for i in range { out[i] = out[i] < 0 ? 0 : out[i] }
            }
        }
        let saved = result.storage  // the storage, not the tensor: the tensor owns this pullback
        let inputs = bias.map { [x, kernel, $0] } ?? [x, kernel]
        return try result.recorded(from: inputs, op: op) { g in
            let gz = relu ? try g.reluMasked(by: saved, op: op) : g
            return [x.requiresGrad ? try gz.matmul(kernel, transposeB: true) : nil,
                    kernel.requiresGrad ? try x.matmul(gz, transposeA: true) : nil,
                    bias?.requiresGrad == true ? try columnSums(gz.storage.pointer, rows: n, columns: outFeatures) : nil]
        }
    }
}
