// Inverted dropout: zeroes each element with probability p and scales the survivors by 1 / (1 − p), so the
// expected value is unchanged and evaluation needs no rescaling. The mask comes from the one global
// generator, so the same seed drops the same elements from Swift and from Python.

extension Tensor {
    /// `x` with each element zeroed with probability `p` (drawn from the global generator) and the rest
    /// scaled by `1 / (1 − p)`; the training-mode half of PyTorch's `dropout` (layers skip it in
    /// evaluation). `p = 1` gives zeros. The gradient uses the same mask and scale.
    ///
    /// Element `i` is kept when the generator's `i`-th uniform draw in [0, 1) (24 random bits) is ≥ `p`.
    /// - Throws: `PolyheadError.invalidArgument` unless `0 ≤ p ≤ 1`.
    public func dropout(_ p: Float) throws -> Tensor {
        guard p >= 0, p <= 1 else {
            throw PolyheadError.invalidArgument(
                op: "dropout", message: "dropout probability has to be between 0 and 1, but got \(p)")
        }
        let mask = try Storage(count: count, op: "dropout")
        let scale: Float = p < 1 ? 1 / (1 - p) : 0
        let factors = mask.pointer, n = count
        globalGenerator.withLock { generator in
            for i in 0..<n { factors[i] = generator.nextUnitFloat() >= p ? scale : 0 }
        }
        let result = try Tensor.empty(shape, op: "dropout")
        let input = storage.pointer, out = result.storage.pointer
        for i in 0..<n { out[i] = input[i] * factors[i] }
        return try result.recorded(from: [self], op: "dropout") { grad in
            let gradient = try Tensor.empty(grad.shape, op: "dropout")
            let pg = grad.storage.pointer, pd = gradient.storage.pointer
            for i in 0..<n { pd[i] = pg[i] * mask.pointer[i] }
            return [gradient]
        }
    }
}
