import XCTest
@testable import Polyhead

// Helpers for the loss-level weighting tests: scalar leaf losses (so `.grad` after backward is
// ∂objective/∂Lᵢ) and an empty shared part.

/// One scalar leaf per value, requiring grad.
func leafLosses(_ values: [Double]) throws -> [Tensor] {
    try values.map { try Tensor([Float($0)], shape: [], requiresGrad: true) }
}

/// The gradients the leaves received, in Double.
func leafGradients(_ losses: [Tensor], file: StaticString = #filePath, line: UInt = #line) -> [Double] {
    losses.flatMap { gradient(of: $0, file: file, line: line) }
}

/// A shared part with no parameters (loss-level methods other than GradNorm ignore it).
let noSharedPart = SharedPart(parameters: [])

/// Runs `method.backward` on fresh leaves holding `values`; returns the step's weights and ∂objective/∂Lᵢ
/// (0 for a leaf the step left out: a loss of exactly 0 is an absent task, which gets no gradient).
func stepOnLeaves(_ method: any MultiTaskMethod, _ values: [Double]) throws -> (weights: [Double], gradients: [Double]) {
    let losses = try leafLosses(values)
    let step = try method.backward(losses: losses, shared: noSharedPart)
    return (step.weights, zip(values, losses).flatMap { $0 == 0 && $1.grad == nil ? [0] : leafGradients([$1]) })
}

/// `exp(xᵢ) / Σ exp(xⱼ)` written out plainly (the tests' own softmax).
func referenceSoftmax(_ x: [Double]) -> [Double] {
    let e = x.map { Foundation.exp($0) }
    let total = e.reduce(0, +)
    return e.map { $0 / total }
}

/// The values as the float32 leaves hold them (references start from what the method actually sees).
func f32(_ values: [Double]) -> [Double] { values.map { Double(Float($0)) } }
