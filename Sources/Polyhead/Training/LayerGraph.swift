/// The output of one call of a layer (or of an input: call 0), as a `GraphModel` config names it.
struct NodeReference: Hashable {
    let name: String
    let call: Int
}

/// The `layers` of a `GraphModel` config before any weight exists: each layer's class and options, and
/// every call of every layer with the node references it reads (checked against the inputs and layers).
struct LayerGraph {
    /// One layer entry of the config.
    struct Spec {
        let name: String
        let className: String
        let config: JSON
    }

    /// One call of a layer: which layer, the how-many-th call, and what it reads.
    struct Call {
        let layer: Int
        let index: Int
        let references: [NodeReference]
    }

    let layers: [Spec]
    /// Every call, layer by layer in config order.
    let calls: [Call]

    /// Reads `config["layers"]`: each entry has `"inbound": [name, …]` (one call) or Keras's
    /// `"inbound_nodes": [[reference, …], …]` (one list per call; a reference is a name, or
    /// `[name, call index]` / `[name, call index, tensor index 0, …]`).
    /// - Throws: `PolyheadError.invalidArgument` for malformed entries, duplicate names, a layer without
    ///   calls or a call without inputs, and references to unknown names or calls.
    init(config: JSON, inputs: [GraphModel.InputSpec]) throws {
        let op = "model"
        var specs: [Spec] = [], callLists: [[[NodeReference]]] = []
        var callCounts: [String: Int] = Dictionary(uniqueKeysWithValues: inputs.map { ($0.name, 1) })
        guard callCounts.count == inputs.count else {
            throw PolyheadError.invalidArgument(op: op, message: "duplicate name among the inputs \(inputs.map(\.name))")
        }
        for (index, item) in try (config["layers"] ?? .array([])).elements("layers", op: op).enumerated() {
            let path = "layers[\(index)]"
            let name = try (item["name"] ?? .null).string("\(path).name", op: op)
            let className = try (item["class_name"] ?? .null).string("\(path).class_name", op: op)
            let calls: [[NodeReference]]
            if let nodes = item["inbound_nodes"] {
                calls = try nodes.elements("\(path).inbound_nodes", op: op).map { node in
                    try node.elements("\(path).inbound_nodes", op: op).map { try Self.reference($0, "\(path).inbound_nodes") }
                }
            } else {
                calls = [try (item["inbound"] ?? .null).elements("\(path).inbound", op: op).map {
                    NodeReference(name: try $0.string("\(path).inbound", op: op), call: 0)
                }]
            }
            guard !calls.isEmpty, calls.allSatisfy({ !$0.isEmpty }) else {
                throw PolyheadError.invalidArgument(op: op, message: "layer '\(name)' has no inbound nodes")
            }
            guard callCounts.updateValue(calls.count, forKey: name) == nil else {
                throw PolyheadError.invalidArgument(op: op, message: "duplicate name '\(name)'")
            }
            specs.append(Spec(name: name, className: className, config: item["config"] ?? .object([])))
            callLists.append(calls)
        }
        for (spec, calls) in zip(specs, callLists) {
            for reference in calls.joined() {
                guard let count = callCounts[reference.name] else {
                    throw PolyheadError.invalidArgument(
                        op: op, message: "layer '\(spec.name)' reads '\(reference.name)', which is not an input or a layer")
                }
                guard reference.call < count else {
                    throw PolyheadError.invalidArgument(
                        op: op, message: "layer '\(spec.name)' reads call \(reference.call) of '\(reference.name)', which has \(count) call(s)")
                }
            }
        }
        layers = specs
        calls = callLists.enumerated().flatMap { layer, calls in
            calls.enumerated().map { Call(layer: layer, index: $0.offset, references: $0.element) }
        }
    }

    /// Reads `"name"` or `[name, call, tensor index, …]`.
    private static func reference(_ value: JSON, _ path: String) throws -> NodeReference {
        let op = "model"
        if case let .string(name) = value { return NodeReference(name: name, call: 0) }
        let parts = try value.elements(path, op: op)
        guard parts.count >= 2 else {
            throw PolyheadError.invalidArgument(op: op, message: "\(path): a reference is a name or [name, call index], got \(parts.count) item(s)")
        }
        let call = try parts[1].int(path, op: op)
        guard call >= 0, parts.count < 3 || parts[2] == .integer(0) else {
            throw PolyheadError.invalidArgument(op: op, message: "\(path): call indices are ≥ 0 and tensor indices 0")
        }
        return NodeReference(name: try parts[0].string(path, op: op), call: call)
    }
}
