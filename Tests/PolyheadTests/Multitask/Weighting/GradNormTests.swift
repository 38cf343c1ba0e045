import XCTest
@testable import Polyhead

/// GradNorm (Chen et al. 2018) on a fixed tiny model: trunk h = tanh(x W₁ᵀ + b₁) (2 → 3), heads
/// yᵢ = h vᵢᵀ + cᵢ, MSE losses. The reference redoes the forward in Double and takes ∇_{W₁} Lᵢ by
/// central finite differences.
final class GradNormTests: XCTestCase {
    private let x: [Double] = [0.5, -1.0, 1.5, 0.25, -0.75, 2.0, 0.0, -0.3]   // 4 × 2
    private let targets: [[Double]] = [[1.0, -2.0, 0.5, 3.0], [0.1, 0.2, -0.1, 0.05]]

    /// The model's parameters as leaves: W₁ (3×2), b₁ (3), v₁, v₂ (1×3), c₁, c₂ (1).
    private final class Model {
        let w1, b1: Tensor, v: [Tensor], c: [Tensor]
        init() throws {
            w1 = try Tensor([0.3, -0.2, 0.8, 0.1, -0.5, 0.4], shape: [3, 2], requiresGrad: true)
            b1 = try Tensor([0.05, -0.1, 0.2], shape: [3], requiresGrad: true)
            v = [try Tensor([1.2, -0.7, 0.4], shape: [1, 3], requiresGrad: true),
                 try Tensor([0.1, 0.3, -0.2], shape: [1, 3], requiresGrad: true)]
            c = [try Tensor([0.5], shape: [1], requiresGrad: true), try Tensor([-0.05], shape: [1], requiresGrad: true)]
        }
        var all: [Tensor] { [w1, b1] + v + c }
    }

    private func forward(_ model: Model) throws -> (h: Tensor, losses: [Tensor]) {
        let input = try Tensor(x.map(Float.init), shape: [4, 2])
        let h = try Tensor.linear(input, weight: model.w1, bias: model.b1).tanh()
        let losses = try (0..<2).map { i in
            try mseLoss(try Tensor.linear(h, weight: model.v[i], bias: model.c[i]),
                        try Tensor(targets[i].map(Float.init), shape: [4, 1]))
        }
        return (h, losses)
    }

    /// Task i's loss in Double for trunk weight `w1` (other parameters read from `model`).
    private func referenceLoss(_ model: Model, _ i: Int, w1: [Double]) -> Double {
        let b = doubles(model.b1), v = doubles(model.v[i]), c = doubles(model.c[i])[0]
        var total = 0.0
        for n in 0..<4 {
            var y = c
            for k in 0..<3 {
                let preActivation: Double = w1[2 * k] * x[2 * n] + w1[2 * k + 1] * x[2 * n + 1] + b[k]
                y += v[k] * Foundation.tanh(preActivation)
            }
            let error: Double = y - targets[i][n]
            total += error * error / 4
        }
        return total
    }

    /// ‖∇_{W₁} Lᵢ‖ by central differences in Double.
    private func referenceNorm(_ model: Model, _ i: Int) -> Double {
        let w = doubles(model.w1), h = 1e-6
        return w.indices.reduce(0.0) { total, j in
            var plus = w, minus = w
            plus[j] += h; minus[j] -= h
            let d = (referenceLoss(model, i, w1: plus) - referenceLoss(model, i, w1: minus)) / (2 * h)
            return total + d * d
        }.squareRoot()
    }

    /// `sign(wᵢnᵢ − Ḡ rᵢ^α) nᵢ` from the paper's definitions.
    private func referenceGradient(weights: [Double], norms: [Double], losses: [Double], initial: [Double],
                                   alpha: Double) -> [Double] {
        let g = zip(weights, norms).map(*), meanG = g.reduce(0, +) / 2
        let ratios = zip(losses, initial).map(/), meanRatio = ratios.reduce(0, +) / 2
        return (0..<2).map { i in
            let d = g[i] - meanG * Foundation.pow(ratios[i] / meanRatio, alpha)
            return d > 0 ? norms[i] : -norms[i]
        }
    }

    func testWeightUpdateOverTwoStepsMatchesTheReference() throws {
        let model = try Model()
        let method = try XCTUnwrap(try MultiTaskMethods.make("gradnorm", taskCount: 2, options: ["alpha": 1.5]) as? GradNorm)
        let optimizer = try SGD(parameters: model.all + method.parameters, learningRate: 0.1)
        let shared = SharedPart(parameters: [model.w1, model.b1])      // W₁ (rank 2) is measured, not b₁

        // Step 1: r = 1, so the target is the mean norm.
        let norms0 = (0..<2).map { referenceNorm(model, $0) }
        let losses0 = (0..<2).map { referenceLoss(model, $0, w1: doubles(model.w1)) }
        let step0 = try method.backward(losses: try forward(model).losses, shared: shared)
        XCTAssertEqual(step0.weights, [1, 1])
        let g0 = referenceGradient(weights: [1, 1], norms: norms0, losses: losses0, initial: losses0, alpha: 1.5)
        assertClose(gradient(of: method.lossWeights), g0, tolerance: 1e-5)
        assertClose(method.initialLosses.map { $0 ?? .nan }, losses0, tolerance: 1e-6)
        optimizer.step()
        optimizer.zeroGrad()

        // Step 2: the weights were stepped by SGD, then renormalised to sum to 2; r from L(1)/L(0).
        let stepped = zip([1.0, 1.0], g0).map { $0 - 0.1 * $1 }
        let renormalised = stepped.map { 2 * $0 / stepped.reduce(0, +) }
        let norms1 = (0..<2).map { referenceNorm(model, $0) }
        let losses1 = (0..<2).map { referenceLoss(model, $0, w1: doubles(model.w1)) }
        let step1 = try method.backward(losses: try forward(model).losses, shared: shared)
        assertClose(step1.weights, renormalised, tolerance: 1e-5)
        let g1 = referenceGradient(weights: renormalised, norms: norms1, losses: losses1, initial: losses0, alpha: 1.5)
        assertClose(gradient(of: method.lossWeights), g1, tolerance: 1e-4)
        // The model's gradient is that of Σ wᵢLᵢ with the weights held constant.
        let h = 1e-6, w = doubles(model.w1)
        let numeric = w.indices.map { j -> Double in
            var plus = w, minus = w
            plus[j] += h; minus[j] -= h
            var total = 0.0
            for i in 0..<2 {
                let difference = referenceLoss(model, i, w1: plus) - referenceLoss(model, i, w1: minus)
                total += renormalised[i] * difference / (2 * h)
            }
            return total
        }
        assertClose(gradient(of: model.w1), numeric, tolerance: 1e-4)
    }

    func testStepEqualsBackPropagatingItsObjective() throws {
        // The step reuses the task gradients of W₁ and stops its pass there; every parameter must still get
        // exactly the gradient of the objective Σ wᵢLᵢ.
        let (reused, plain) = (try Model(), try Model())
        let (first, second) = (try GradNorm(taskCount: 2), try GradNorm(taskCount: 2))
        _ = try first.backward(losses: try forward(reused).losses, shared: SharedPart(parameters: [reused.w1, reused.b1]))
        try second.objective(losses: try forward(plain).losses, shared: SharedPart(parameters: [plain.w1, plain.b1]))
            .objective.backward()
        for (a, b) in zip(reused.all + first.parameters, plain.all + second.parameters) {
            assertClose(try XCTUnwrap(a.grad), doubles(try XCTUnwrap(b.grad)), tolerance: 1e-6)
        }
    }

    func testRepresentationModeMeasuresTheRepresentationGradient() throws {
        let model = try Model()
        let method = try GradNorm(taskCount: 2, alpha: 0.5)
        let (h, losses) = try forward(model)
        _ = try method.backward(losses: losses, shared: SharedPart(parameters: [], representation: h))
        // ∂Lᵢ/∂h[n, k] = (2/4)(yᵢₙ − tᵢₙ) vᵢₖ.
        let hv = doubles(h)
        let norms = (0..<2).map { i -> Double in
            let v = doubles(model.v[i]), c = doubles(model.c[i])[0]
            var total = 0.0
            for n in 0..<4 {
                var y = c
                for k in 0..<3 { y += v[k] * hv[3 * n + k] }
                for k in 0..<3 {
                    let d: Double = 0.5 * (y - targets[i][n]) * v[k]
                    total += d * d
                }
            }
            return total.squareRoot()
        }
        let g = referenceGradient(weights: [1, 1], norms: norms, losses: [1, 1], initial: [1, 1], alpha: 0.5)
        assertClose(gradient(of: method.lossWeights), g, tolerance: 1e-5)
    }

    func testWeightsAreKeptPositiveAndFourTasksWork() throws {
        let method = try GradNorm(taskCount: 4)
        let (weights, _) = try stepOnLeavesWithShared(method, [1, 2, 0.5, 3])
        XCTAssertEqual(weights, [1, 1, 1, 1])
        method.lossWeights.withUnsafeMutableBufferPointer { w in w[0] = -3; w[1] = .nan; w[2] = 2; w[3] = 2 }
        let renormalised = method.renormalizedWeights()
        XCTAssertEqual(renormalised.reduce(0, +), 4, accuracy: 1e-5)
        XCTAssertTrue(renormalised.allSatisfy { $0 > 0 })
        assertThrows(.invalidArgument, op: "gradnorm", mentions: ["shared"]) {
            try method.backward(losses: try leafLosses([1, 1, 1, 1]), shared: noSharedPart)
        }
        assertThrows(.invalidArgument, op: "gradnorm", mentions: ["alpha=-1"]) {
            try MultiTaskMethods.make("gradnorm", taskCount: 2, options: ["alpha": -1])
        }
    }

    /// Leaf losses that depend on one shared leaf `p` (Lᵢ = value·p, p = 1), so the norms are the values.
    private func stepOnLeavesWithShared(_ method: GradNorm, _ values: [Double]) throws -> (weights: [Double], gradients: [Double]) {
        let p = try Tensor([1], shape: [1], requiresGrad: true)
        let losses = try values.map { try (p * Float($0)).sum() }
        let step = try method.backward(losses: losses, shared: SharedPart(parameters: [p]))
        // Norms (1, 2, 0.5, 3), mean Ḡ = 1.625, r = 1: signs (−, +, −, +).
        assertClose(gradient(of: method.lossWeights), [-1, 2, -0.5, 3], tolerance: 1e-6)
        return (step.weights, [])
    }
}
