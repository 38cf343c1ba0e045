#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Elements per thread below which an elementwise loop is not split between threads. A ReLU-like pass
/// over in-cache data takes ≈ 0.1–0.2 ns per element, and on the 2-core VMs (measured under load) two
/// threads only broke even from about 256k elements, so smaller arrays stay on the calling thread.
let elementwiseGrain = 1 << 17

extension Tensor {
    /// `forward` applied to every element, recorded with the pullback `g · derivative(x, y)`, where `x` is
    /// the input element and `y` the output element. The local derivatives are computed with the forward
    /// (only when recording), where both closures inline into vector loops: calling `derivative` per
    /// element from the pullback instead cost ≈ 4 ns/element. Large tensors are split between threads.
    @inline(__always)
    func mapElements(
        op: String, _ forward: (Float) -> Float, derivative: (_ x: Float, _ y: Float) -> Float
    ) throws -> Tensor {
        let result = try Tensor.empty(shape, op: op)
        let input = storage.pointer, output = result.storage.pointer
        parallelRanges(count, grain: elementwiseGrain) { range in
            for i in range { output[i] = forward(input[i]) }
        }
        guard GradMode.isEnabled, requiresGrad else { return result }
        let slopes = try Storage(count: count, op: op)
        let local = slopes.pointer
        parallelRanges(count, grain: elementwiseGrain) { range in
            for i in range { local[i] = derivative(input[i], output[i]) }
        }
        return try result.recorded(from: [self], op: op) { g in [try g.multiplied(elementwiseBy: slopes, op: op)] }
    }

    /// `self · factors` elementwise (`factors` holds `count` values), as a new tensor.
    func multiplied(elementwiseBy factors: Storage, op: String) throws -> Tensor {
        let product = try Tensor.empty(shape, op: op)
        let pg = storage.pointer, pd = product.storage.pointer, local = factors.pointer
        parallelRanges(count, grain: elementwiseGrain) { range in
            for i in range { pd[i] = pg[i] * local[i] }
        }
        return product
    }

    /// `e^x` elementwise.
    public func exp() throws -> Tensor {
        try mapElements(op: "exp", { expf($0) }, derivative: { _, y in y })
    }

    /// The natural logarithm elementwise.
    public func log() throws -> Tensor {
        try mapElements(op: "log", { logf($0) }, derivative: { x, _ in 1 / x })
    }

    /// The square root elementwise.
    public func sqrt() throws -> Tensor {
        try mapElements(op: "sqrt", { $0.squareRoot() }, derivative: { _, y in 0.5 / y })
    }

    /// `x ** exponent` elementwise.
    public func pow(_ exponent: Float) throws -> Tensor {
        if exponent == 0 {
            return try mapElements(op: "pow", { _ in 1 }, derivative: { _, _ in 0 })
        }
        if exponent == 2 {
            return try mapElements(op: "pow", { $0 * $0 }, derivative: { x, _ in 2 * x })
        }
        return try mapElements(
            op: "pow", { powf($0, exponent) }, derivative: { x, _ in exponent * powf(x, exponent - 1) })
    }

    /// `max(x, 0)` elementwise. The pullback reads the saved output (`y > 0` exactly where `x > 0`), so
    /// the forward writes one buffer instead of two.
    public func relu() throws -> Tensor {
        let op = "relu"
        let result = try Tensor.empty(shape, op: op)
        let input = storage.pointer, output = result.storage.pointer
        parallelRanges(count, grain: elementwiseGrain) { range in
            for i in range { output[i] = input[i] < 0 ? 0 : input[i] }
        }
        guard GradMode.isEnabled, requiresGrad else { return result }
        let saved = result.storage  // the storage, not the tensor: the tensor owns this pullback
        return try result.recorded(from: [self], op: op) { g in [try g.reluMasked(by: saved, op: op)] }
    }

    /// The pullback of a ReLU whose output is `output`: this gradient where the output is positive, else
    /// `g · 0` (so NaN stays NaN), as a new tensor.
    func reluMasked(by output: Storage, op: String) throws -> Tensor {
        let gradient = try Tensor.empty(shape, op: op)
        let pg = storage.pointer, pd = gradient.storage.pointer, py = output.pointer
        parallelRanges(count, grain: elementwiseGrain) { range in
            for i in range { pd[i] = pg[i] * (py[i] > 0 ? 1 : 0) }
        }
        return gradient
    }

    /// The logistic function `1 / (1 + e^-x)` elementwise.
    public func sigmoid() throws -> Tensor {
        try mapElements(op: "sigmoid", { 1 / (1 + expf(-$0)) }, derivative: { _, y in y * (1 - y) })
    }

    /// The hyperbolic tangent elementwise.
    public func tanh() throws -> Tensor {
        try mapElements(op: "tanh", { tanhf($0) }, derivative: { _, y in 1 - y * y })
    }
}
