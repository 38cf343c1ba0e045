#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small helpers shared by the loss-level weighting methods: the detached loss values (checked), a
/// stable softmax in Double, and the task losses stacked into one recorded vector.
enum WeightingMath {
    /// The ε the methods add to (or clamp) zero and tiny losses before dividing by them or taking their
    /// logarithm (FAMO's and LibMTL's 1e-8), so that no method produces NaN or ∞ for a loss of 0.
    static let epsilon = 1e-8

    /// The values of the task losses in Double.
    /// - Throws: `PolyheadError.invalidArgument` for a non-finite loss, or, when `nonNegative`, a negative
    ///   one (methods that divide by the losses or take their logarithm need `Lᵢ ≥ 0`).
    static func values(_ losses: [Tensor], op: String, nonNegative: Bool) throws -> [Double] {
        try losses.enumerated().map { index, loss in
            let value = Double(try loss.item())
            guard value.isFinite, !nonNegative || value >= 0 else {
                let need = nonNegative ? "finite and ≥ 0" : "finite"
                throw PolyheadError.invalidArgument(op: op, message: "loss \(index) is \(value); losses must be \(need)")
            }
            return value
        }
    }

    /// `exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x)`: never overflows, sums to 1 (±∞ inputs are clamped to
    /// ±1e300 first, so an infinite input takes all the weight instead of giving NaN).
    static func softmax(_ input: [Double]) -> [Double] {
        let x = input.map { min(max($0, -1e300), 1e300) }
        let top = x.max() ?? 0
        let e = x.map { Glibc.exp($0 - top) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }

    /// The losses (one element each) as one recorded vector of shape `(T,)`.
    static func stack(_ losses: [Tensor]) throws -> Tensor {
        try Tensor.concatenate(try losses.map { try $0.reshaped([1]) }, axis: 0)
    }

    /// A constant vector of shape `(T,)` holding `values`.
    static func constant(_ values: [Double]) throws -> Tensor {
        try Tensor(values.map { Float($0) }, shape: [values.count])
    }

    /// Adds `increment` to the gradient of `tensor` (creating it when absent), outside the graph, under the
    /// tensor's lock.
    static func accumulateGradient(_ increment: [Double], into tensor: Tensor) throws {
        try tensor.accumulateGrad(try constant(increment).reshaped(tensor.shape), adopting: true)
    }
}
