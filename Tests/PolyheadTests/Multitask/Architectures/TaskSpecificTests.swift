import XCTest
@testable import Polyhead

final class TaskSpecificTests: XCTestCase {
    func testOneCopyPerTaskInTaskOrder() throws {
        var asked: [String] = []
        let layer = try TaskSpecific(tasks: ["x", "y"]) { task in asked.append(task); return try Linear(3, 2) }
        XCTAssertEqual(asked, ["x", "y"])
        XCTAssertFalse(layer.layers[0].layer === layer.layers[1].layer)
        let input = try Tensor.randn([4, 3])
        let outputs = try layer(input)
        XCTAssertEqual(outputs.tasks, ["x", "y"])
        XCTAssertEqual(outputs.map(\.output.shape), [[4, 2], [4, 2]])
        XCTAssertEqual(try layer(input, task: "y").scalars, outputs["y"]?.scalars)
        assertThrows(.invalidArgument, op: "TaskSpecific") { try layer(input, task: "z") }
    }

    func testPartitionAndGradients() throws {
        let layer = try TaskSpecific(tasks: ["x", "y"]) { _ in Sequential(try Linear(3, 2), ReLU()) }
        checkPartition(layer, inputShape: [2, 3], shared: [],
                       tasks: ["x": ["layers.x.0.weight", "layers.x.0.bias"], "y": ["layers.y.0.weight", "layers.y.0.bias"]],
                       scalars: 2 * (3 * 2 + 2))
        checkModelGradients(layer, inputShape: [3, 3]) { p, x in
            [x.linear(p, "layers.x.0").relu, x.linear(p, "layers.y.0").relu]
        }
    }

    /// Shared → task-specific → shared: the copies sit inside an otherwise shared model.
    func testInsideASharedModel() throws {
        let shared = try Linear(3, 4), adapters = try TaskSpecific(tasks: ["x", "y"]) { _ in try Linear(4, 4) }
        let head = try Linear(4, 1)
        let outputs = try adapters(try TaskOutputs(tasks: ["y", "x"], outputs: [try Tensor.randn([2, 4]), try shared(try Tensor.randn([2, 3]))]))
            .mapOutputs { _, h in try head(try h.relu()) }
        XCTAssertEqual(outputs.tasks, ["x", "y"])
        try outputs["x"]!.sum().backward()
        XCTAssertNotNil(shared.weight.grad)
        XCTAssertNotNil(adapters.layers[0].layer.parameters[0].grad)
        XCTAssertNil(adapters.layers[1].layer.parameters[0].grad)
        XCTAssertNotNil(head.weight.grad)
        assertThrows(.invalidArgument) { try adapters(try TaskOutputs(tasks: ["x"], outputs: [try Tensor.randn([2, 4])])) }
    }

    func testSeededReproducibility() {
        checkSeededReproducibility(inputShape: [2, 3]) { try TaskSpecific(tasks: ["x", "y"]) { _ in try Linear(3, 2) } }
    }
}
