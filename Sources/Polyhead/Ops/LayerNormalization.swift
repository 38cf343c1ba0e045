// Layer normalization: (x − mean) / √(var + eps) over the trailing dimensions, then an optional elementwise
// affine map. The forward saves the normalized input x̂ and 1/√(var + eps) for the backward, which for
// statistics computed from the input itself is  dx = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)),
// dx̂ = g · weight (batch normalization uses the same formula per channel).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Tensor {
    /// Normalizes over the trailing dimensions `normalizedShape` (PyTorch's `layer_norm`): every slice of
    /// those dimensions gets mean 0 and (biased) variance 1, then `x̂ · weight + bias`.
    ///
    /// Shapes: input (*, normalizedShape), `weight` and `bias` `normalizedShape` (or `nil`) → input's shape.
    /// - Throws: `PolyheadError.shapeMismatch` unless the input ends with `normalizedShape` and the affine
    ///   tensors are shaped like it; `.invalidArgument` for an empty `normalizedShape` or a negative `epsilon`.
    public func layerNorm(
        normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil, epsilon: Float = 1e-5
    ) throws -> Tensor {
        guard !normalizedShape.isEmpty, epsilon >= 0, epsilon.isFinite else {
            throw PolyheadError.invalidArgument(
                op: "layer_norm", message: "need a non-empty normalized shape and a finite eps ≥ 0, "
                    + "got \(describe(normalizedShape)) and eps \(epsilon)")
        }
        guard rank >= normalizedShape.count, Array(shape.suffix(normalizedShape.count)) == normalizedShape else {
            throw PolyheadError.shapeMismatch(
                op: "layer_norm", message: "given normalized shape \(describe(normalizedShape)), expected an input "
                    + "with shape (*, \(normalizedShape.map(String.init).joined(separator: ", "))), got \(describe(shape))")
        }
        for (name, tensor) in [("weight", weight), ("bias", bias)] {
            if let tensor, tensor.shape != normalizedShape {
                throw PolyheadError.shapeMismatch(
                    op: "layer_norm", message: "\(name) \(describe(tensor.shape)) does not match normalized shape "
                        + "\(describe(normalizedShape))")
            }
        }
        // Without elements the normalized sizes may multiply past Int.max; nothing is read then anyway.
        let width = count == 0 ? 0 : normalizedShape.reduce(1, *), rows = width == 0 ? 0 : count / width
        let normalized = try Storage(count: count, op: "layer_norm"), rstd = try Storage(count: rows, op: "layer_norm")
        let result = try Tensor.empty(shape, op: "layer_norm")
        let input = storage.pointer, out = result.storage.pointer, xhat = normalized.pointer
        let pw = weight?.storage.pointer, pb = bias?.storage.pointer
        for r in 0..<rows {
            let x = input + r * width, y = out + r * width, h = xhat + r * width
            let inverse = normalizeSlice(x, count: width, step: 1, into: h, epsilon: epsilon)
            rstd.pointer[r] = inverse
            for i in 0..<width { y[i] = h[i] * (pw?[i] ?? 1) + (pb?[i] ?? 0) }
        }
        let inputs = [self] + [weight, bias].compactMap { $0 }
        return try result.recorded(from: inputs, op: "layer_norm") { grad in
            let pg = grad.storage.pointer, xhat = normalized.pointer
            let pw = weight?.storage.pointer
            let dx = self.requiresGrad ? try Tensor.empty(self.shape, op: "layer_norm") : nil
            let dw = weight?.requiresGrad == true ? try Tensor.zeros(normalizedShape) : nil
            let db = bias?.requiresGrad == true ? try Tensor.zeros(normalizedShape) : nil
            var scaled = [Float](repeating: 0, count: width)
            for r in 0..<rows {
                let g = pg + r * width, h = xhat + r * width
                if let dw { for i in 0..<width { dw.storage.pointer[i] += g[i] * h[i] } }
                if let db { for i in 0..<width { db.storage.pointer[i] += g[i] } }
                guard let dx else { continue }
                for i in 0..<width { scaled[i] = g[i] * (pw?[i] ?? 1) }
                scaled.withUnsafeBufferPointer { dh in
                    normalizationInputGradient(dh.baseAddress!, h, count: width, step: 1, rstd: rstd.pointer[r],
                                               into: dx.storage.pointer + r * width)
                }
            }
            return [dx] + [weight.map { _ in dw }, bias.map { _ in db }].compactMap { $0 }
        }
    }
}

/// Writes `(x − mean) / √(var + eps)` of `count` values read every `step` elements into `out` (same
/// layout), with the biased variance (two passes); returns `1 / √(var + eps)`.
@inline(__always)
func normalizeSlice(
    _ x: UnsafePointer<Float>, count: Int, step: Int, into out: UnsafeMutablePointer<Float>, epsilon: Float
) -> Float {
    var total: Float = 0
    for i in 0..<count { total += x[i * step] }
    let mean = total / Float(count)
    var squares: Float = 0
    for i in 0..<count { let d = x[i * step] - mean; squares += d * d }
    let inverse = 1 / (squares / Float(count) + epsilon).squareRoot()
    for i in 0..<count { out[i * step] = (x[i * step] - mean) * inverse }
    return inverse
}

/// The input gradient of a normalization whose statistics came from the same `count` values:
/// `rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂))`, with `dx̂` and `x̂` read every `step` elements.
@inline(__always)
func normalizationInputGradient(
    _ dh: UnsafePointer<Float>, _ h: UnsafePointer<Float>, count: Int, step: Int, rstd: Float,
    into dx: UnsafeMutablePointer<Float>
) {
    var meanGrad: Float = 0, meanProduct: Float = 0
    for i in 0..<count { meanGrad += dh[i * step]; meanProduct += dh[i * step] * h[i * step] }
    meanGrad /= Float(count)
    meanProduct /= Float(count)
    for i in 0..<count { dx[i * step] = rstd * (dh[i * step] - meanGrad - h[i * step] * meanProduct) }
}
