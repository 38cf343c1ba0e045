import CBLAS

/// The widest `m`, `n` or `k` of a product that `gemm` keeps on one OpenBLAS thread.
let narrowProduct = 16

/// The fewest multiply-adds of a narrow product that `gemm` keeps on one thread; OpenBLAS runs smaller
/// ones on one thread (its small-matrix kernel) anyway.
let narrowProductWork = 1 << 20

/// `C = op(A) · op(B)` (+ `C` when `accumulate`) through `cblas_sgemm`; shapes are already checked.
/// `op` transposes when the flag is set; `a` is stored (m, k) or (k, m), `b` is (k, n) or (n, k).
///
/// A product of more than `narrowProductWork` multiply-adds with a dimension of at most `narrowProduct`
/// (a 10-class head: 64 × 10 × 16384, 512 × 10 × 1024) runs on one thread: OpenBLAS's two threads took
/// 0.9× (quiet VM) to 0.35–0.5× (busy) its one-thread time on those shapes (conv-hard at 2 threads:
/// 1,485–1,740 → 1,667–1,862 samples/s). Switching threads for the small heads of mlp-hard cost 2–9 %,
/// hence the size floor. The result is the same either way.
func gemm(
    _ a: Tensor, _ b: Tensor, into c: Tensor, m: Int, n: Int, k: Int,
    transposeA: Bool, transposeB: Bool, accumulate: Bool = false
) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        if !accumulate { c.storage.pointer.update(repeating: 0, count: m * n) }
        return
    }
    func product() {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), 1,
            a.storage.pointer, blasint(transposeA ? m : k),
            b.storage.pointer, blasint(transposeB ? k : n),
            accumulate ? 1 : 0, c.storage.pointer, blasint(n))
    }
    let narrow = Swift.min(m, n, k) <= narrowProduct && Double(m) * Double(n) * Double(k) > Double(narrowProductWork)
    if narrow { withOneBlasThread(product) } else { product() }
}

/// Throws unless every dimension fits BLAS's 32-bit integers.
func checkBlasDimensions(_ dimensions: [Int], op: String) throws {
    if let big = dimensions.first(where: { $0 > Int(Int32.max) }) {
        throw PolyheadError.invalidArgument(op: op, message: "dimension \(big) exceeds the BLAS limit 2^31-1")
    }
}

extension Tensor {
    /// The matrix product `op(self) · op(other)` of two 2-D tensors; the transposes are GEMM flags,
    /// not copies.
    /// - Throws: `PolyheadError.shapeMismatch` if a tensor is not 2-D or the inner dimensions differ.
    public func matmul(_ other: Tensor, transposeA: Bool = false, transposeB: Bool = false) throws -> Tensor {
        guard rank == 2, other.rank == 2 else {
            throw PolyheadError.shapeMismatch(
                op: "matmul", message: "expected 2-D tensors, got \(describe(shape)) and \(describe(other.shape))")
        }
        let (m, k) = transposeA ? (shape[1], shape[0]) : (shape[0], shape[1])
        let (k2, n) = transposeB ? (other.shape[1], other.shape[0]) : (other.shape[0], other.shape[1])
        guard k == k2 else {
            throw PolyheadError.shapeMismatch(
                op: "matmul", message: "inner dimensions differ: \(describe(shape))"
                    + "\(transposeA ? "ᵀ" : "") vs \(describe(other.shape))\(transposeB ? "ᵀ" : "")")
        }
        try checkBlasDimensions([m, n, k], op: "matmul")
        let result = try Tensor.empty([m, n], op: "matmul")
        gemm(self, other, into: result, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
        return try result.recorded(from: [self, other], op: "matmul", selectivePullback: { [self] g, needed in
            try productGradients(self, other, g, needed: needed, transposeA: transposeA, transposeB: transposeB) {
                try $0.matmul($1, transposeA: $2, transposeB: $3)
            }
        })
    }

    /// `x · weightᵀ + bias` for `x` (N, in), `weight` (out, in) and `bias` (out) — PyTorch's linear layer,
    /// one GEMM forward and up to two backward.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) throws -> Tensor {
        guard x.rank == 2, weight.rank == 2, x.shape[1] == weight.shape[1] else {
            throw PolyheadError.shapeMismatch(
                op: "linear", message: "input \(describe(x.shape)) does not fit weight \(describe(weight.shape)) "
                    + "(expected input (N, \(weight.rank == 2 ? weight.shape[1] : -1)))")
        }
        let (n, outFeatures) = (x.shape[0], weight.shape[0])
        if let bias, bias.shape != [outFeatures] {
            throw PolyheadError.shapeMismatch(
                op: "linear", message: "bias \(describe(bias.shape)) does not fit weight \(describe(weight.shape))")
        }
        try checkBlasDimensions(x.shape + weight.shape, op: "linear")
        let result = try Tensor.empty([n, outFeatures], op: "linear")
        if let bias {
            for row in 0..<n {
                (result.storage.pointer + row * outFeatures).update(from: bias.storage.pointer, count: outFeatures)
            }
        }
        gemm(x, weight, into: result, m: n, n: outFeatures, k: x.shape[1],
             transposeA: false, transposeB: true, accumulate: bias != nil)
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        // Only the gradients the backward pass needs: a pass asking for the weight's alone (GradNorm's
        // per-task norms) skips the input gradient's GEMM.
        return try result.recorded(from: inputs, op: "linear", selectivePullback: { g, needed in
            [needed[0] ? try g.matmul(weight) : nil,
             needed[1] ? try g.matmul(x, transposeA: true) : nil,
             bias != nil && needed[2] ? try g.sum(axis: 0) : nil]
        })
    }
}

/// The gradients of `C = op(A)·op(B)` from `G = dC`, for the inputs `needed` (nil otherwise): dA = G·op(B)ᵀ and
/// dB = op(A)ᵀ·G, each written in its operand's stored form (transposed back when the operand was transposed).
/// `product(x, y, tx, ty)` is `op(x)·op(y)` — the plain or the batched GEMM.
func productGradients(
    _ a: Tensor, _ b: Tensor, _ g: Tensor, needed: NeededInputs, transposeA: Bool, transposeB: Bool,
    product: (Tensor, Tensor, Bool, Bool) throws -> Tensor
) throws -> [Tensor?] {
    let gradA = try needed[0] ? (transposeA ? product(b, g, transposeB, true) : product(g, b, false, !transposeB)) : nil
    let gradB = try needed[1] ? (transposeB ? product(g, a, true, transposeA) : product(a, g, !transposeA, false)) : nil
    return [gradA, gradB]
}
