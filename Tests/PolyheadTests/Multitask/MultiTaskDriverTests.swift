import XCTest
@testable import Polyhead

/// The machinery every multi-task method stands on: targeted gradients, stopping passes, the
/// gradient-method driver in both modes, and the registry.
final class MultiTaskDriverTests: XCTestCase {
    /// A tiny hard-sharing model: trunk Linear(3, 4)+ReLU, heads Linear(4, 1) each, MSE losses.
    private struct TinyModel {
        let trunk: Linear, heads: [Linear], x: Tensor, targets: [Tensor]
        init() throws {
            manualSeed(7)
            trunk = try Linear(3, 4)
            heads = [try Linear(4, 1), try Linear(4, 1)]
            x = try Tensor.randn([5, 3])
            targets = [try Tensor.randn([5, 1]), try Tensor.randn([5, 1])]
        }
        func forward() throws -> (representation: Tensor, losses: [Tensor]) {
            let h = try trunk(x).relu()
            return (h, try zip(heads, targets).map { try mseLoss(try $0(h), $1) })
        }
        var all: [Tensor] { trunk.parameters + heads.flatMap(\.parameters) }
        func clear() { for p in all { p.grad = nil } }
    }

    func testGradientsWithRespectToLeavesLeaveGradUntouched() throws {
        let model = try TinyModel()
        let (_, losses) = try model.forward()
        let direct = try losses[0].gradients(withRespectTo: model.trunk.parameters, retainGraph: true)
        XCTAssertTrue(model.all.allSatisfy { $0.grad == nil })
        try losses[0].backward()
        for (gradient, parameter) in zip(direct, model.trunk.parameters) {
            assertClose(gradient, doubles(parameter.grad!))
        }
        XCTAssertNil(model.heads[1].weight.grad)
    }

    func testUnreachableTargetGetsZeros() throws {
        let model = try TinyModel()
        let (_, losses) = try model.forward()
        let gradients = try losses[0].gradients(withRespectTo: [model.heads[1].weight])
        assertClose(gradients[0], [0, 0, 0, 0])
    }

    func testBackwardStoppingAtTheTrunkReachesOnlyTheHeads() throws {
        let model = try TinyModel()
        let (_, losses) = try model.forward()
        try totalLoss(losses).backward(stoppingAt: model.trunk.parameters)
        XCTAssertNil(model.trunk.weight.grad)
        XCTAssertNotNil(model.heads[0].weight.grad)
        XCTAssertNotNil(model.heads[1].bias!.grad)
    }

    func testEqualLinearWeightingMatchesTheSummedLoss() throws {
        let model = try TinyModel()
        try totalLoss(try model.forward().losses).backward()
        let expected = model.all.map { doubles($0.grad!) }
        model.clear()
        let method = try MultiTaskMethods.make("linear", taskCount: 2)
        let step = try method.backward(losses: try model.forward().losses, shared: SharedPart(parameters: model.trunk.parameters))
        XCTAssertEqual(step.weights, [1, 1])
        for (parameter, want) in zip(model.all, expected) { assertClose(parameter.grad!, want) }
    }

    func testGradientDriverGivesHeadsTheirOwnGradientAndTheTrunkTheDirection() throws {
        let model = try TinyModel()
        var (_, losses) = try model.forward()
        let jacobian = try taskJacobian(losses, targets: model.trunk.parameters)
        let headGradients = try model.heads.indices.map { i in
            try losses[i].gradients(withRespectTo: model.heads[i].parameters, retainGraph: true)
        }
        let expected = try PCGrad(taskCount: 2).aggregate(jacobian).direction
        losses = try model.forward().losses
        _ = try PCGrad(taskCount: 2).backward(losses: losses, shared: SharedPart(parameters: model.trunk.parameters))
        let trunkGradient = model.trunk.parameters.flatMap { doubles($0.grad!) }
        XCTAssertEqual(trunkGradient.count, expected.count)
        for (got, want) in zip(trunkGradient, expected) { XCTAssertEqual(got, Double(want), accuracy: 1e-5) }
        for (head, want) in zip(model.heads, headGradients) {
            for (parameter, gradient) in zip(head.parameters, want) { assertClose(parameter.grad!, doubles(gradient)) }
        }
    }

    func testRepresentationModeSendsTheCombinedRepresentationGradientThroughTheTrunk() throws {
        let model = try TinyModel()
        let (h, losses) = try model.forward()
        let rows = try losses.map { try $0.gradients(withRespectTo: [h], retainGraph: true)[0].scalars }
        let weights = try PCGrad(taskCount: 2).aggregate(try TaskJacobian(rows: rows)).weights
        let combined = try Tensor(TaskJacobian(rows: rows).combination(weights), shape: h.shape)
        try h.backward(seed: combined)
        let expected = model.trunk.parameters.map { doubles($0.grad!) }
        model.clear()
        let (h2, losses2) = try model.forward()
        _ = try PCGrad(taskCount: 2).backward(losses: losses2, shared: SharedPart(parameters: [], representation: h2))
        for (parameter, want) in zip(model.trunk.parameters, expected) { assertClose(parameter.grad!, want) }
        XCTAssertNotNil(model.heads[0].weight.grad)
    }

    /// MoCo and DB-MTL combine gradients tracked across steps (as LibMTL, they refuse the representation
    /// mode); the parameter mode still works after the refusal.
    func testMethodsTrackingGradientsRefuseTheRepresentationMode() throws {
        for name in ["moco", "dbmtl"] {
            let model = try TinyModel()
            let (h, losses) = try model.forward()
            let method = try MultiTaskMethods.make(name, taskCount: 2)
            assertThrows(.invalidArgument, op: name, mentions: ["representation mode"]) {
                try method.backward(losses: losses, shared: SharedPart(parameters: [], representation: h))
            }
            let step = try method.backward(losses: losses, shared: SharedPart(parameters: model.trunk.parameters))
            XCTAssertEqual(step.weights.count, 2, name)
            XCTAssertNotNil(model.trunk.parameters[0].grad, name)
        }
    }

    func testDriverValidatesItsInputs() throws {
        let model = try TinyModel()
        let losses = try model.forward().losses
        let method = try MultiTaskMethods.make("pcgrad", taskCount: 2)
        assertThrows(.invalidArgument, op: "mtl_backward", mentions: ["expected 2 task losses, got 1"]) {
            try method.backward(losses: [losses[0]], shared: SharedPart(parameters: model.trunk.parameters))
        }
        assertThrows(.invalidArgument, op: "mtl_backward", mentions: ["shared"]) {
            try method.backward(losses: losses, shared: SharedPart(parameters: []))
        }
        assertThrows(.shapeMismatch, op: "mtl_backward", mentions: ["(5, 1)"]) {
            try method.backward(losses: [try model.heads[0](try model.trunk(model.x)), losses[1]],
                                shared: SharedPart(parameters: model.trunk.parameters))
        }
    }

    func testRegistryRejectsUnknownNamesAndOptions() {
        assertThrows(.invalidArgument, op: "mtl_method", mentions: ["unknown method \"nope\"", "pcgrad"]) {
            try MultiTaskMethods.make("nope", taskCount: 2)
        }
        assertThrows(.invalidArgument, op: "pcgrad", mentions: ["unknown option(s) c"]) {
            try MultiTaskMethods.make("pcgrad", taskCount: 2, options: ["c": 1])
        }
        assertThrows(.invalidArgument, op: "linear", mentions: ["weight1=-1"]) {
            try MultiTaskMethods.make("linear", taskCount: 2, options: ["weight1": -1])
        }
        assertThrows(.invalidArgument, op: "linear", mentions: ["task count"]) {
            try MultiTaskMethods.make("linear", taskCount: 0)
        }
    }
}
