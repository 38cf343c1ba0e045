@testable import Polyhead

/// Every architecture on (N, 5) inputs with `block(width)` (a layer from width to 4 features) in each of its
/// parts: trunks, experts, task layers, and towers `block(4)` → Linear(4, 1). Each recipe builds when called.
func architectureRecipes(
    block: @escaping (Int) throws -> any Layer
) -> [(String, () throws -> any MultiTaskModel)] {
    let towers = { try ["a", "b"].map { ($0, Sequential(try block(4), try Linear(4, 1)) as any Layer) } }
    return [
        ("HardSharing", { try HardSharing(trunk: try block(5), heads: try towers()) }),
        ("SoftSharing", { try SoftSharing(towers: try ["a", "b"].map { ($0, try block(5)) }) }),
        ("TaskSpecific", { try TaskSpecific(tasks: ["a", "b"]) { _ in try block(5) } }),
        ("CrossStitch", { try CrossStitch(columns: try ["a", "b"].map { ($0, [try block(5), try block(4)]) }) }),
        ("MMoE", { try MMoE(inputSize: 5, experts: [try block(5), try block(5)], towers: try towers()) }),
        ("CGC", {
            try CGC(inputSize: 5, sharedExperts: [try block(5)],
                    taskExperts: [("a", [try block(5)]), ("b", [try block(5)])], towers: try towers())
        }),
        ("PLE", {
            try PLE(inputSize: 5, expertSize: 4, levels: 2, sharedExperts: 1, taskExperts: 1, towers: try towers()) {
                try block($0)
            }
        }),
        ("DSelectK", { try DSelectK(inputSize: 5, experts: [try block(5), try block(5)], towers: try towers(), k: 1) }),
        ("ESMM", { ESMM(shared: try block(5), ctrTower: try block(4), cvrTower: try block(4)) }),
        ("TaskRelation", {
            try TaskRelation(trunk: try block(5), taskLayers: [("a", try block(4)), ("b", try block(4))],
                             outputLayers: [("a", try Linear(4, 1)), ("b", try Linear(4, 1))])
        }),
    ]
}
