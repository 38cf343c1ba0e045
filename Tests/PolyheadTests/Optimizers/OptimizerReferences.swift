import Foundation
import XCTest
@testable import Polyhead

// PyTorch's update rules written out in Double (torch.optim.SGD / Adam / AdamW documentation), used to check
// the first steps of the float32 optimizers.

/// The fixed gradients fed to the optimizers at steps 1, 2, 3.
let gradientSequence: [[Double]] = [[0.5, -1, 0.25], [0.2, 0.4, -0.6], [-0.3, 0.1, 0.05]]
/// The starting parameter.
let startParameter: [Double] = [1, -2, 0.5]

/// torch.optim.SGD: `d = g + λp; b = d (t = 1) or μb + (1−τ)d; d = d + μb (Nesterov) or b; p -= η d`.
func sgdReference(
    lr: Double, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false,
    steps: Int
) -> [[Double]] {
    var p = startParameter, b = [Double](repeating: 0, count: p.count)
    var trajectory: [[Double]] = []
    for t in 0..<steps {
        for i in p.indices {
            var d = gradientSequence[t][i] + weightDecay * p[i]
            if momentum != 0 {
                b[i] = t == 0 ? d : momentum * b[i] + (1 - dampening) * d
                d = nesterov ? d + momentum * b[i] : b[i]
            }
            p[i] -= lr * d
        }
        trajectory.append(p)
    }
    return trajectory
}

/// torch.optim.Adam (L2 decay) or AdamW (decoupled decay).
func adamReference(
    lr: Double, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, weightDecay: Double = 0,
    decoupled: Bool = false, steps: Int, start: [Double] = startParameter, gradients: [[Double]] = gradientSequence
) -> [[Double]] {
    var p = start
    var m = [Double](repeating: 0, count: p.count), v = m
    var trajectory: [[Double]] = []
    for t in 1...steps {
        for i in p.indices {
            var g = gradients[t - 1][i]
            if decoupled { p[i] *= 1 - lr * weightDecay } else { g += weightDecay * p[i] }
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            let mHat = m[i] / (1 - pow(beta1, Double(t))), vHat = v[i] / (1 - pow(beta2, Double(t)))
            p[i] -= lr * mHat / (vHat.squareRoot() + eps)
        }
        trajectory.append(p)
    }
    return trajectory
}

/// Runs `optimizer` over `parameter` for as many steps as `expected` has rows, feeding `gradientSequence`,
/// and compares the parameter after every step.
func assertTrajectory(
    _ optimizer: Optimizer, _ parameter: Tensor, _ expected: [[Double]], tolerance: Double = 1e-5,
    _ label: String = "", file: StaticString = #filePath, line: UInt = #line
) throws {
    for (t, values) in expected.enumerated() {
        try parameter.setGrad(Tensor(gradientSequence[t].map(Float.init), shape: [3]))
        optimizer.step()
        assertClose(parameter, values, tolerance: tolerance, "\(label) after step \(t + 1)", file: file, line: line)
    }
    XCTAssertEqual(optimizer.stepCount, expected.count, file: file, line: line)
}

/// A fresh parameter at `startParameter`.
func makeParameter() throws -> Tensor {
    try Tensor(startParameter.map(Float.init), shape: [3], requiresGrad: true)
}
