#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Activations beyond ReLU/sigmoid/tanh, with PyTorch's definitions and derivatives (including the values at
// the kinks: the derivative at 0 is the negative branch's, as PyTorch computes it).

/// How `gelu` evaluates the Gaussian CDF (PyTorch's `approximate` argument).
public enum GELUApproximation: Int32 {
    /// The exact `x · Φ(x) = x/2 · (1 + erf(x/√2))` (PyTorch's default `'none'`).
    case none = 0
    /// `x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³)))` (PyTorch's `'tanh'`).
    case tanh = 1
}

extension Tensor {
    /// The Gaussian error linear unit `x · Φ(x)` elementwise (Hendrycks & Gimpel 2016), exactly or with the
    /// tanh approximation.
    public func gelu(approximation: GELUApproximation = .none) throws -> Tensor {
        switch approximation {
        case .none:
            let inverseRoot2: Float = 0.70710678118654752, inverseRoot2Pi: Float = 0.39894228040143268
            return try mapElements(op: "gelu", { 0.5 * $0 * (1 + erff($0 * inverseRoot2)) }, derivative: { x, _ in
                0.5 * (1 + erff(x * inverseRoot2)) + x * inverseRoot2Pi * expf(-0.5 * x * x)
            })
        case .tanh:
            let root2OverPi: Float = 0.79788456080286536, cubic: Float = 0.044715
            return try mapElements(op: "gelu", { x in
                0.5 * x * (1 + tanhf(root2OverPi * (x + cubic * x * x * x)))
            }, derivative: { x, _ in
                let t = tanhf(root2OverPi * (x + cubic * x * x * x))
                return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * root2OverPi * (1 + 3 * cubic * x * x)
            })
        }
    }

    /// `x` for `x > 0`, else `negativeSlope · x`, elementwise (PyTorch's `leaky_relu`).
    /// - Throws: `PolyheadError.invalidArgument` for a non-finite slope.
    public func leakyRelu(negativeSlope: Float = 0.01) throws -> Tensor {
        guard negativeSlope.isFinite else {
            throw PolyheadError.invalidArgument(op: "leaky_relu", message: "negative_slope must be finite, got \(negativeSlope)")
        }
        return try mapElements(op: "leaky_relu", { $0 > 0 ? $0 : negativeSlope * $0 },
                               derivative: { x, _ in x > 0 ? 1 : negativeSlope })
    }

    /// `x` for `x > 0`, else `alpha · (eˣ − 1)`, elementwise (Clevert et al. 2016; PyTorch's `elu`).
    /// - Throws: `PolyheadError.invalidArgument` for a non-finite alpha.
    public func elu(alpha: Float = 1) throws -> Tensor {
        guard alpha.isFinite else {
            throw PolyheadError.invalidArgument(op: "elu", message: "alpha must be finite, got \(alpha)")
        }
        return try mapElements(op: "elu", { $0 > 0 ? $0 : alpha * (expf($0) - 1) },
                               derivative: { x, _ in x > 0 ? 1 : alpha * expf(x) })
    }
}
