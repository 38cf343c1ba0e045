import CBLAS

/// The fewest multiply-adds of the matrices one worker of `batchedMatmul` takes: below it, threads cost more
/// than they save.
let batchedGemmPartWork = 1 << 20

extension Tensor {
    /// The batched matrix product `op(self[i]) · op(other[i])` of two 3-D tensors with the same batch length
    /// (PyTorch's `bmm`); `op` transposes the last two axes when its flag is set (a GEMM flag, not a copy).
    ///
    /// One `cblas_sgemm` per matrix; with more than one thread the matrices are split between workers, each
    /// part of at least `batchedGemmPartWork` multiply-adds, and every product runs on its worker's thread, so the
    /// result does not depend on the number of threads.
    /// - Throws: `PolyheadError.shapeMismatch` unless both tensors are 3-D with equal batch and inner dimensions.
    public func batchedMatmul(_ other: Tensor, transposeA: Bool = false, transposeB: Bool = false) throws -> Tensor {
        guard rank == 3, other.rank == 3, shape[0] == other.shape[0] else {
            throw PolyheadError.shapeMismatch(
                op: "bmm", message: "expected 3-D tensors with equal batch lengths, got \(describe(shape)) and "
                    + "\(describe(other.shape))")
        }
        let batch = shape[0]
        let (m, k) = transposeA ? (shape[2], shape[1]) : (shape[1], shape[2])
        let (k2, n) = transposeB ? (other.shape[2], other.shape[1]) : (other.shape[1], other.shape[2])
        guard k == k2 else {
            throw PolyheadError.shapeMismatch(
                op: "bmm", message: "inner dimensions differ: \(describe(shape))\(transposeA ? "ᵀ" : "") vs "
                    + "\(describe(other.shape))\(transposeB ? "ᵀ" : "")")
        }
        try checkBlasDimensions([m, n, k], op: "bmm")
        let result = try Tensor.empty([batch, m, n], op: "bmm")
        let (pa, pb, pc) = (storage.pointer, other.storage.pointer, result.storage.pointer)
        if k == 0 { pc.update(repeating: 0, count: batch * m * n) }
        /// The products of the matrices `items`.
        func products(_ items: Range<Int>) {
            guard m > 0, n > 0, k > 0 else { return }
            for item in items {
                cblas_sgemm(
                    CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), 1, pa + item * m * k, blasint(transposeA ? m : k),
                    pb + item * k * n, blasint(transposeB ? k : n), 0, pc + item * m * n, blasint(n))
            }
        }
        let work = Double(m) * Double(n) * Double(k)
        var parts = Swift.min(numThreads, batch)
        while parts > 1, Double(batch / parts) * work < Double(batchedGemmPartWork) { parts -= 1 }
        if parts > 1 {
            parallelWorkers(batch, workers: parts) { _, items in products(items) }
        } else if work * Double(batch) < Double(batchedGemmPartWork) {
            withOneBlasThread { products(0..<batch) }
        } else {
            products(0..<batch)
        }
        return try result.recorded(from: [self, other], op: "bmm", selectivePullback: { [self] g, needed in
            try productGradients(self, other, g, needed: needed, transposeA: transposeA, transposeB: transposeB) {
                try $0.batchedMatmul($1, transposeA: $2, transposeB: $3)
            }
        })
    }
}
