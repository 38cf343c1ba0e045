import Foundation
import XCTest
@testable import Polyhead

final class DSelectKTests: XCTestCase {
    /// Input 4, `experts` experts 4→3 (ReLU), k = 2, towers 3→1.
    private func model(experts: Int = 3, k: Int = 2, perExample: Bool = true) throws -> DSelectK {
        try DSelectK(inputSize: 4, experts: try (0..<experts).map { _ in Sequential(try Linear(4, 3), ReLU()) },
                     towers: try linearTowers(["a", "b"], 3, 1), k: k, perExample: perExample)
    }

    /// The smooth step in Double, straight from the paper.
    private func step(_ t: Double, _ gamma: Double) -> Double {
        t <= -gamma / 2 ? 0 : t >= gamma / 2 ? 1 : -2 / (gamma * gamma * gamma) * t * t * t + 3 / (2 * gamma) * t + 0.5
    }

    func testSmoothStepValuesAndGradient() throws {
        let t: [Float] = [-3, -1, -0.999, -0.5, 0, 0.25, 0.9, 1, 2]
        assertClose(try smoothStep(try T(t), gamma: 2), t.map { step(Double($0), 2) })
        checkGradients(shapes: [[12]], domain: .symmetric(1.5)) { try smoothStep($0[0], gamma: 2) }
    }

    /// Far from 0 the selector logits pick exactly one expert: code "10" is expert 2 (most significant
    /// bit first), and with k = 1 the gate is one-hot.
    func testSaturatedSelectorPicksOneExpert() throws {
        let gate = try DSelectKGate(inputSize: 2, experts: 4, k: 1)
        gate.zWeight!.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        gate.zBias.withUnsafeMutableBufferPointer { $0[0] = 5; $0[1] = -5 }
        assertClose(try gate(try Tensor.randn([3, 2])), [0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0], shape: [3, 4])
        assertScalar(try gate.entropy(try Tensor.randn([3, 2])), 3 * -log(1 + 1e-6), tolerance: 1e-6)
        let fixed = try DSelectKGate(inputSize: 2, experts: 4, k: 1, perExample: false)
        fixed.zBias.withUnsafeMutableBufferPointer { $0[0] = -5; $0[1] = 5 }  // code "01": expert 1
        assertClose(try fixed(try Tensor.randn([3, 2])), [0, 1, 0, 0], shape: [1, 4])
    }

    func testShapesInitialisationAndWeights() throws {
        manualSeed(0)
        let net = try model()
        let gate = net.gates[0].gate
        XCTAssertEqual([gate.bits, gate.zWeight?.shape, gate.alphaWeight?.shape] as [AnyHashable],
                       [2, [4, 4], [2, 4]] as [AnyHashable])
        XCTAssertTrue(gate.zWeight!.scalars.allSatisfy { abs($0) <= 0.01 })
        XCTAssertTrue(gate.alphaBias.scalars.allSatisfy { abs($0) <= 0.05 })
        let x = try Tensor.randn([5, 4])
        XCTAssertEqual(try net(x).map(\.output.shape), [[5, 1], [5, 1]])
        // At the start every code bit is ≈ ½, so each of the 4 codes gets ≈ ¼ and the 3 experts ≈ ¾ in all.
        for (_, weights) in try net.gateWeights(x) {
            XCTAssertEqual(weights.shape, [5, 3])
            for row in 0..<5 { XCTAssertEqual(weights.scalars[row * 3..<row * 3 + 3].reduce(0, +), 0.75, accuracy: 0.15) }
        }
    }

    func testPartition() throws {
        let experts = (0..<3).flatMap { ["experts.\($0).0.weight", "experts.\($0).0.bias"] }
        let task = { (t: String) in
            ["z_weight", "z_bias", "alpha_weight", "alpha_bias"].map { "gates.\(t).\($0)" } + ["towers.\(t).weight", "towers.\(t).bias"]
        }
        checkPartition(try model(), inputShape: [2, 4], shared: experts, tasks: ["a": task("a"), "b": task("b")],
                       scalars: 3 * 15 + 2 * (16 + 4 + 8 + 2) + 2 * 4)
        let staticTask = { (t: String) in ["gates.\(t).z_bias", "gates.\(t).alpha_bias", "towers.\(t).weight", "towers.\(t).bias"] }
        checkPartition(try model(perExample: false), inputShape: [2, 4], shared: experts,
                       tasks: ["a": staticTask("a"), "b": staticTask("b")], scalars: 3 * 15 + 2 * (4 + 2) + 2 * 4)
    }

    /// Static gates: one (1, n) weight row for every sample, and the whole forward against Double.
    func testStaticGatesShapesAndGradients() throws {
        manualSeed(1)
        let net = try model(perExample: false)
        XCTAssertEqual(try net.gateWeights(try Tensor.randn([5, 4])).map(\.output.shape), [[1, 3], [1, 3]])
        XCTAssertEqual(try net(try Tensor.randn([5, 4])).map(\.output.shape), [[5, 1], [5, 1]])
        for (_, gate) in net.gates {  // spread the selector logits over the linear and the flat parts
            XCTAssertFalse(gate.isPerExample)
            gate.zBias.withUnsafeMutableBufferPointer { $0[0] = 0.3; $0[1] = -0.8; $0[2] = 0.1; $0[3] = 0.9 }
            gate.alphaBias.withUnsafeMutableBufferPointer { $0[0] = 0.4 }
        }
        checkModelGradients(net, inputShape: [3, 4]) { p, x in
            let experts = (0..<3).map { x.linear(p, "experts.\($0).0").relu }
            return ["a", "b"].map { task in
                refMixExperts(gate: self.referenceWeights(p, task, x, experts: 3, k: 2), experts: experts)
                    .linear(p, "towers.\(task)")
            }
        }
    }

    /// The gradient check spreads the selector logits over the linear and the flat parts of the step.
    func testGradientsAgainstFloat64Reference() throws {
        let net = try model()
        for (_, gate) in net.gates {
            gate.zWeight!.withUnsafeMutableBufferPointer { w in for i in w.indices { w[i] *= 60 } }
            gate.alphaWeight!.withUnsafeMutableBufferPointer { w in for i in w.indices { w[i] *= 20 } }
        }
        checkModelGradients(net, inputShape: [3, 4]) { p, x in
            let experts = (0..<3).map { x.linear(p, "experts.\($0).0").relu }
            return ["a", "b"].map { task in
                refMixExperts(gate: self.referenceWeights(p, task, x, experts: 3, k: 2), experts: experts)
                    .linear(p, "towers.\(task)")
            }
        }
    }

    /// Σ_e w_e for 3 experts and the penalty Σ 1/Σ_e r against Double; no penalty for 4 experts.
    func testSelectorPenalty() throws {
        let net = try model()
        let x = try Tensor.randn([4, 4])
        let p = referenceParameters(net), xRef = Ref(shape: [4, 4], values: doubles(x))
        var expected = 0.0
        for task in ["a", "b"] {
            let r = referenceSelectors(p, task, xRef, experts: 3, k: 2)
            for row in 0..<4 { for i in 0..<2 { expected += 1 / (0..<3).reduce(0.0) { $0 + r[row][i][$1] } } }
        }
        assertScalar(try net.selectorPenalty(x), expected, tolerance: 1e-4)
        assertScalar(try model(experts: 4).selectorPenalty(x), 0)
    }

    /// The entropy regulariser Σ −r log(r + 10⁻⁶) against Double, per-example and static, and its
    /// gradient through the whole gate (w.r.t. the input) against central differences of that reference.
    func testEntropyPenalty() throws {
        for perExample in [true, false] {
            let net = try model(perExample: perExample)
            for (_, gate) in net.gates { gate.zBias.withUnsafeMutableBufferPointer { $0[1] = 0.7; $0[2] = -0.4 } }
            let x = try Tensor.randn([4, 4])
            let p = referenceParameters(net), xRef = Ref(shape: [4, 4], values: doubles(x))
            let expected = ["a", "b"].reduce(0.0) { $0 + entropy(referenceSelectors(p, $1, xRef, experts: 3, k: 2)) }
            assertScalar(try net.entropyPenalty(x), perExample ? expected : expected / 4, tolerance: 1e-4)
        }
        let net = try model(experts: 4)
        let gate = net.gates[0].gate
        gate.zWeight!.withUnsafeMutableBufferPointer { w in for i in w.indices { w[i] *= 60 } }
        let p = referenceParameters(net)
        checkGradients(shapes: [[3, 4]], reference: { x in
            Ref(shape: [], values: [self.entropy(self.referenceSelectors(p, "a", x[0], experts: 4, k: 2))])
        }) { try gate.entropy($0[0]) }
    }

    func testSeededReproducibility() {
        checkSeededReproducibility(inputShape: [2, 4]) { try self.model() }
    }

    func testRejectsBadArguments() throws {
        assertThrows(.invalidArgument, op: "DSelectK") { try self.model(experts: 1, k: 1) }
        assertThrows(.invalidArgument, op: "DSelectK") { try self.model(experts: 3, k: 4) }
        assertThrows(.invalidArgument, op: "DSelectK") { try self.model(k: 0) }
    }

    // MARK: - Float64 reference of the gate

    /// `x Wᵀ + b` of the gate's `name` logits, or `b` in every row for a static gate.
    private func referenceLogits(_ p: RefParameters, _ task: String, _ name: String, _ x: Ref) -> Ref {
        let bias = p["gates.\(task).\(name)_bias"]!
        guard let weight = p["gates.\(task).\(name)_weight"] else {
            return Ref(shape: [x.shape[0], bias.values.count], values: (0..<x.shape[0]).flatMap { _ in bias.values })
        }
        return Ref.matmul(x, weight, transposeB: true) + bias
    }

    /// Σ −r log(r + 10⁻⁶) over samples, selectors and experts.
    private func entropy(_ r: [[[Double]]]) -> Double {
        r.joined().joined().reduce(0.0) { $0 - $1 * Foundation.log($1 + 1e-6) }
    }

    /// r[n][i][e] = Π_j (bit j of e ? S(z) : 1 − S(z)).
    private func referenceSelectors(_ p: RefParameters, _ task: String, _ x: Ref, experts: Int, k: Int) -> [[[Double]]] {
        let bits = Int(ceil(log2(Double(experts))))
        let z = referenceLogits(p, task, "z", x)
        return (0..<x.shape[0]).map { n in
            (0..<k).map { i in
                (0..<experts).map { e in
                    (0..<bits).reduce(1.0) { product, j in
                        let s = step(z.values[n * k * bits + i * bits + j], 1)
                        return product * ((e >> (bits - 1 - j)) & 1 == 1 ? s : 1 - s)
                    }
                }
            }
        }
    }

    /// w = Σ_i softmax(A x)_i r_i, (N, experts).
    private func referenceWeights(_ p: RefParameters, _ task: String, _ x: Ref, experts: Int, k: Int) -> Ref {
        let r = referenceSelectors(p, task, x, experts: experts, k: k)
        let a = referenceLogits(p, task, "alpha", x).softmax()
        let values = (0..<x.shape[0]).flatMap { n in
            (0..<experts).map { e in (0..<k).reduce(0.0) { $0 + a.values[n * k + $1] * r[n][$1][e] } }
        }
        return Ref(shape: [x.shape[0], experts], values: values)
    }
}

