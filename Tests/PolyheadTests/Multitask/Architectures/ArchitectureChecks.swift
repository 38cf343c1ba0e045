// Shared checks for the multi-task architectures: float64 reference building blocks, a whole-model
// gradient check (analytic gradients of every parameter and the input against central differences of a
// float64 reference forward), the parameter-partition check (names, hand counts, and the dependency of
// each task's output on exactly shared ∪ its own parameters) and seeded reproducibility.

import Foundation
import XCTest
@testable import Polyhead

// MARK: - Float64 reference building blocks

/// The parameters of a model as float64 arrays, by dotted name.
typealias RefParameters = [String: Ref]

extension Ref {
    /// `x · Wᵀ + b` with `W = p[prefix.weight]`, `b = p[prefix.bias]`.
    func linear(_ p: RefParameters, _ prefix: String) -> Ref {
        Ref.matmul(self, p["\(prefix).weight"]!, transposeB: true) + p["\(prefix).bias"]!
    }
    var relu: Ref { map { Swift.max($0, 0) } }
    var sigmoid: Ref { map { 1 / (1 + Foundation.exp(-$0)) } }
}

/// `Σ_e gate[:, e] · experts[e]` for a (N, E) gate and E experts of shape (N, D).
func refMixExperts(gate: Ref, experts: [Ref]) -> Ref {
    let (n, e) = (gate.shape[0], gate.shape[1])
    let d = experts[0].shape[1]
    var values = [Double](repeating: 0, count: n * d)
    for row in 0..<n {
        for k in 0..<e {
            for column in 0..<d { values[row * d + column] += gate.values[row * e + k] * experts[k].values[row * d + column] }
        }
    }
    return Ref(shape: [n, d], values: values)
}

/// `y_i = Σ_j alpha[i, j] x_j`.
func refMixTasks(alpha: Ref, _ inputs: [Ref]) -> [Ref] {
    let t = inputs.count
    return (0..<t).map { i in
        var values = [Double](repeating: 0, count: inputs[0].values.count)
        for j in 0..<t {
            for index in values.indices { values[index] += alpha.values[i * t + j] * inputs[j].values[index] }
        }
        return Ref(shape: inputs[0].shape, values: values)
    }
}

// MARK: - Model-level checks

/// A float64 forward of a whole model: its parameters and input → its outputs, in output order.
typealias ReferenceForward = (_ parameters: RefParameters, _ input: Ref) -> [Ref]

/// The model's parameters as float64 references.
func referenceParameters(_ model: any Module) -> RefParameters {
    Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, Ref(shape: $0.tensor.shape, values: doubles($0.tensor))) })
}

/// Checks the forward of `model` against `reference` and the gradients of Σ_t Σ out_t · W_t (random W)
/// with respect to every parameter and the input against central differences of the reference in Double.
func checkModelGradients(
    _ model: any MultiTaskModel, inputShape: [Int], seed: UInt64 = 7, tolerance: Double = 1e-3,
    file: StaticString = #filePath, line: UInt = #line, reference: ReferenceForward
) {
    var random = TestRandom(seed: seed)
    let xValues = Domain.symmetric(1).sample(inputShape.reduce(1, *), &random)
    do {
        model.zeroGrad()
        let x = try Tensor(xValues, shape: inputShape, requiresGrad: true)
        let outputs = try model(x)
        let weights = outputs.map { out in (0..<out.output.count).map { _ in random.uniform(-1, 1) } }
        var objective = Tensor(0)
        for (out, w) in zip(outputs, weights) {
            objective = try objective + (out.output * (try Tensor(w.map(Float.init), shape: out.output.shape))).sum()
        }
        try objective.backward()

        let named = model.namedParameters
        var point = referenceParameters(model)
        let xRef = Ref(shape: inputShape, values: xValues.map(Double.init))
        func value(_ p: RefParameters, _ input: Ref) -> Double {
            zip(reference(p, input), weights).reduce(0) { total, pair in
                total + zip(pair.0.values, pair.1).reduce(0) { $0 + $1.0 * $1.1 }
            }
        }
        let expected = reference(point, xRef)
        XCTAssertEqual(expected.count, outputs.count, "reference output count", file: file, line: line)
        for (out, ref) in zip(outputs, expected) {
            XCTAssertEqual(out.output.shape, ref.shape, "shape of \(out.task)", file: file, line: line)
            assertClose(doubles(out.output), ref.values, tolerance: 1e-4, "forward of \(out.task) vs float64 reference",
                        file: file, line: line)
        }
        let h = 1e-6
        func compare(_ analytic: [Double], _ numeric: [Double], _ what: String) {
            for j in numeric.indices where !(abs(analytic[j] - numeric[j]) <= tolerance * max(abs(numeric[j]), 0.1)) {
                return XCTFail("\(what) element \(j): analytic \(analytic[j]) vs numeric \(numeric[j])", file: file, line: line)
            }
        }
        for (name, tensor) in named {
            let original = point[name]!
            let numeric = original.values.indices.map { j -> Double in
                var plus = original, minus = original
                plus.values[j] += h
                minus.values[j] -= h
                point[name] = plus
                let up = value(point, xRef)
                point[name] = minus
                let down = value(point, xRef)
                point[name] = original
                return (up - down) / (2 * h)
            }
            compare(tensor.grad.map(doubles) ?? Array(repeating: 0, count: tensor.count), numeric, "gradient of \(name)")
        }
        let numericX = xRef.values.indices.map { j -> Double in
            var plus = xRef, minus = xRef
            plus.values[j] += h
            minus.values[j] -= h
            return (value(point, plus) - value(point, minus)) / (2 * h)
        }
        compare(x.grad.map(doubles) ?? [], numericX, "gradient of the input")
    } catch {
        XCTFail("model gradient check threw \(error)", file: file, line: line)
    }
}

/// Checks the partition of `model`'s parameters: unique names and tensors, the expected shared and
/// per-task names, the hand-counted number of scalars, and that each task's output depends on all of
/// its own parameters, on none of another task's, and only otherwise on shared ones (by running one
/// backward pass per task).
func checkPartition(
    _ model: any MultiTaskModel, inputShape: [Int], shared: [String]?, tasks: [String: [String]]?, scalars: Int?,
    file: StaticString = #filePath, line: UInt = #line
) {
    let owned = model.ownedParameters
    XCTAssertEqual(Set(owned.map(\.name)).count, owned.count, "names repeat", file: file, line: line)
    XCTAssertEqual(Set(owned.map { ObjectIdentifier($0.tensor) }).count, owned.count, "a tensor is listed twice",
                   file: file, line: line)
    if let shared {
        XCTAssertEqual(model.namedSharedParameters.map(\.name), shared, "shared parameters", file: file, line: line)
    }
    if let tasks {
        XCTAssertEqual(Set(tasks.keys), Set(model.tasks), "tasks", file: file, line: line)
        for task in model.tasks {
            XCTAssertEqual(try model.namedTaskParameters(task).map(\.name), tasks[task] ?? [], "parameters of \(task)",
                           file: file, line: line)
        }
    }
    let listed = model.sharedParameters.count + model.tasks.reduce(0) { $0 + ((try? model.taskParameters($1).count) ?? 0) }
    XCTAssertEqual(listed, owned.count, "shared + task parameters cover every parameter once", file: file, line: line)
    if let scalars {
        XCTAssertEqual(model.parameters.reduce(0) { $0 + $1.count }, scalars, "hand count of scalars", file: file, line: line)
    }
    assertThrows(.invalidArgument, file: file, line: line) { try model.taskParameters("no such task") }

    var random = TestRandom(seed: 3)
    do {
        let x = try Tensor(Domain.symmetric(1).sample(inputShape.reduce(1, *), &random), shape: inputShape)
        var reachedBy: [String: Set<String>] = [:]
        for task in model.tasks {
            model.zeroGrad()
            try (try model(x).output(task)).sum().backward()
            for parameter in owned where parameter.tensor.grad != nil { reachedBy[parameter.name, default: []].insert(task) }
        }
        model.zeroGrad()
        for parameter in owned {
            let reached = reachedBy[parameter.name] ?? []
            if let task = parameter.task {
                XCTAssertEqual(reached, [task], "\(parameter.name) belongs to \(task) but reaches \(reached)",
                               file: file, line: line)
            } else {
                XCTAssertGreaterThanOrEqual(reached.count, 2, "shared \(parameter.name) reaches only \(reached)",
                                            file: file, line: line)
            }
        }
    } catch {
        XCTFail("partition check threw \(error)", file: file, line: line)
    }
}

/// Checks that building with `make` after `manualSeed(seed)` twice gives identical parameters and
/// outputs, and that another seed gives other parameters.
func checkSeededReproducibility(
    inputShape: [Int], file: StaticString = #filePath, line: UInt = #line, make: () throws -> any MultiTaskModel
) {
    do {
        var random = TestRandom(seed: 5)
        let x = try Tensor(Domain.symmetric(1).sample(inputShape.reduce(1, *), &random), shape: inputShape)
        func build(_ seed: UInt64) throws -> (parameters: [[Float]], outputs: [[Float]]) {
            manualSeed(seed)
            let model = try make()
            return (model.parameters.map(\.scalars), try model(x).map(\.output.scalars))
        }
        let first = try build(11), second = try build(11), other = try build(12)
        XCTAssertEqual(first.parameters, second.parameters, "same seed, same parameters", file: file, line: line)
        XCTAssertEqual(first.outputs, second.outputs, "same seed, same outputs", file: file, line: line)
        XCTAssertNotEqual(first.parameters, other.parameters, "another seed, other parameters", file: file, line: line)
    } catch {
        XCTFail("reproducibility check threw \(error)", file: file, line: line)
    }
}

/// `["a": Linear(inputs, outputs), …]`-style towers, one per task name.
func linearTowers(_ tasks: [String], _ inputs: Int, _ outputs: Int) throws -> [(String, any Layer)] {
    try tasks.map { ($0, try Linear(inputs, outputs)) }
}
