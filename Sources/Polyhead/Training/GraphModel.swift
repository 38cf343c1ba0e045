/// A Keras-style functional model: named inputs, a directed acyclic graph of layer nodes, ordered outputs.
///
/// Built from a Keras-like JSON config:
/// ```json
/// {"inputs": [{"name": "x", "shape": [784]}],
///  "layers": [{"class_name": "Dense", "name": "h", "inbound": ["x"],
///              "config": {"units": 128, "activation": "relu", "use_bias": true,
///                         "kernel_initializer": "glorot_uniform", "kernel_regularizer": {"l2": 0.001}}},
///             {"class_name": "Dense", "name": "digit", "inbound": ["h"], "config": {"units": 10, "activation": "softmax"}}],
///  "outputs": ["digit"]}
/// ```
/// A layer called more than once (a shared layer, e.g. one `Dense` applied to two inputs) lists its calls
/// as Keras does, `"inbound_nodes": [[["a", 0]], [["b", 0]]]`: one list of references per call, each
/// reference a name (call 0) or `[name, call index]`; every call uses the same weights, so their gradients
/// add up. Every call of a layer takes inputs of the same shapes. Outputs name layers (their first call).
///
/// Layers: `Dense` (kernel `(in, out)` as Keras, applied to the last axis, `glorot_uniform` (default) /
/// `zeros` / `ones` kernel initialiser from the global generator, zero bias, optional activation),
/// `Activation`, `Dropout` (`rate`; only when training), `Concatenate` (`axis`, default −1), `Flatten`,
/// `LayerNormalization` (last axis, `epsilon` default 1e-3 as Keras; `gamma` ones, `beta` zeros),
/// `BatchNormalization` (`axis`, default the last; see `MovingNormalization`), channels-last `Conv2D`,
/// `MaxPooling2D`, `AveragePooling2D`, `GlobalAveragePooling2D`, `GlobalMaxPooling2D` (TensorFlow's
/// 'valid'/'same' padding), `Embedding` (`input_dim`, `output_dim`; indices given as floats).
/// Any layer's weight `w` may carry a regularizer `"w_regularizer": {"l1": λ₁, "l2": λ₂}`
/// (`kernel_regularizer`, `bias_regularizer`, …; see `WeightPenalty`), and any layer an
/// `"activity_regularizer"` penalising its outputs. Shapes exclude the batch dimension.
/// Weights are named `<layer>/kernel`, `<layer>/bias`, ….
public final class GraphModel {
    /// One named model input and its per-sample shape.
    public struct InputSpec: Equatable {
        public let name: String
        public let shape: [Int]
    }

    /// A layer: its operation (shared by all of its calls), and the per-sample shapes of its first call.
    struct Layer {
        let name: String
        let className: String
        let operation: Operation
        /// The penalties of the regularised weights.
        let penalties: [WeightPenalty]
        /// The penalty of every output the layer computes (Keras's `activity_regularizer`), or `nil`.
        let activity: Regularizer?
        let inboundShapes: [[Int]]
        let shape: [Int]
    }

    /// One call of a layer: the value slots it reads and its per-sample output shape.
    struct Node {
        let layer: Int
        let call: Int
        let inbound: [Int]
        let shape: [Int]
    }

    /// The inputs, in the order `callAsFunction` takes them.
    public let inputs: [InputSpec]
    /// The output layer names, in order.
    public let outputNames: [String]
    /// The layers in config order.
    let layers: [Layer]
    /// The nodes in topological order; value slot `inputs.count + i` is node `i`'s output.
    let nodes: [Node]
    /// The value slot of each output.
    let outputSlots: [Int]
    /// The trainable weights with their Keras-style names, in layer order.
    public let namedWeights: [(name: String, tensor: Tensor)]
    /// The non-trainable state (BatchNormalization's `moving_mean` / `moving_variance`), in layer order;
    /// saved with the weights, never given to an optimizer.
    public let namedBuffers: [(name: String, tensor: Tensor)]

    /// The trainable weights, in layer order.
    public var weights: [Tensor] { namedWeights.map(\.tensor) }
    /// The per-sample shape of each output.
    public var outputShapes: [[Int]] { outputSlots.map { shape(ofSlot: $0) } }
    /// Every layer as (name, class name, per-sample output shape of its first call, parameter count), for summaries.
    public var layerSummary: [(name: String, className: String, shape: [Int], parameters: Int)] {
        layers.map { layer in
            (layer.name, layer.className, layer.shape, (layer.operation.weights + layer.operation.buffers).reduce(0) { $0 + $1.tensor.count })
        }
    }

    /// Builds the model described by a JSON config (see the type's documentation).
    /// - Parameter sharing: weights to use instead of new ones, by Keras name (`<layer>/kernel`, …;
    ///   BatchNormalization's moving statistics too): a model over layers of another model shares them.
    /// - Throws: `PolyheadError.invalidArgument` for malformed JSON, unknown layers/activations/names,
    ///   duplicate names, a cycle or a shared weight the model lacks; `.shapeMismatch` for layers whose
    ///   inputs do not fit or a shared weight of another shape.
    public convenience init(json: String, sharing: [String: Tensor] = [:]) throws {
        try self.init(config: try JSON.parse(text: json, op: "model"), sharing: sharing)
    }

    init(config: JSON, sharing: [String: Tensor] = [:]) throws {
        let op = "model"
        inputs = try (config["inputs"] ?? .array([])).elements("inputs", op: op).enumerated().map { index, item in
            let name = try (item["name"] ?? .null).string("inputs[\(index)].name", op: op)
            let shape = try (item["shape"] ?? .null).elements("inputs[\(index)].shape", op: op).map {
                try $0.int("inputs[\(index)].shape", op: op)
            }
            guard shape.allSatisfy({ $0 > 0 }) else {
                throw PolyheadError.invalidArgument(op: op, message: "input '\(name)' has a non-positive dimension in \(describe(shape))")
            }
            return InputSpec(name: name, shape: shape)
        }
        guard !inputs.isEmpty else { throw PolyheadError.invalidArgument(op: op, message: "the model has no inputs") }
        let graph = try LayerGraph(config: config, inputs: inputs)
        var slots: [NodeReference: Int] = [:], shapes: [[Int]] = inputs.map(\.shape)
        for (index, input) in inputs.enumerated() { slots[NodeReference(name: input.name, call: 0)] = index }
        var layers: [Layer?] = Array(repeating: nil, count: graph.layers.count), nodes: [Node] = []
        var pending = graph.calls
        while !pending.isEmpty {
            var waiting: [LayerGraph.Call] = []
            for call in pending {
                let inbound = call.references.compactMap { slots[$0] }
                guard inbound.count == call.references.count else { waiting.append(call); continue }
                let spec = graph.layers[call.layer], inboundShapes = inbound.map { shapes[$0] }
                if layers[call.layer] == nil {
                    let built = try Self.build(spec.className, name: spec.name, config: spec.config, inboundShapes: inboundShapes)
                    let operation = try built.operation.adopting({ sharing["\(spec.name)/\($0)"] }, layer: spec.name)
                    let penalties = try WeightPenalty.read(spec.config, weights: operation.weights, layer: spec.name)
                    layers[call.layer] = Layer(name: spec.name, className: spec.className, operation: operation,
                                               penalties: penalties,
                                               activity: try Regularizer.read(spec.config, "activity_regularizer", layer: spec.name),
                                               inboundShapes: inboundShapes, shape: built.shape)
                }
                // invariant: set just above or by an earlier call of the same layer.
                let layer = layers[call.layer]!
                guard inboundShapes == layer.inboundShapes else {
                    throw PolyheadError.shapeMismatch(
                        op: op, message: "shared layer '\(spec.name)' is called on \(inboundShapes.map(describe)) after \(layer.inboundShapes.map(describe)); every call needs the same input shapes")
                }
                slots[NodeReference(name: spec.name, call: call.index)] = inputs.count + nodes.count
                nodes.append(Node(layer: call.layer, call: call.index, inbound: inbound, shape: layer.shape))
                shapes.append(layer.shape)
            }
            guard waiting.count < pending.count else {
                let stuck = waiting.map { graph.layers[$0.layer].name }
                throw PolyheadError.invalidArgument(op: op, message: "the layers \(stuck) depend on each other in a cycle")
            }
            pending = waiting
        }
        let outputs = try (config["outputs"] ?? .null).elements("outputs", op: op).map { try $0.string("outputs", op: op) }
        guard !outputs.isEmpty else { throw PolyheadError.invalidArgument(op: op, message: "the model has no outputs") }
        guard Set(outputs).count == outputs.count else {
            throw PolyheadError.invalidArgument(op: op, message: "an output is listed twice in \(outputs)")
        }
        let inputCount = inputs.count
        outputSlots = try outputs.map { output in
            guard let slot = slots[NodeReference(name: output, call: 0)], slot >= inputCount else {
                throw PolyheadError.invalidArgument(op: op, message: "output '\(output)' is not a layer of the model")
            }
            return slot
        }
        outputNames = outputs
        self.nodes = nodes
        // invariant: every layer has at least one call, and every call was resolved above.
        self.layers = layers.map { $0! }
        namedWeights = self.layers.flatMap { layer in layer.operation.weights.map { ("\(layer.name)/\($0.name)", $0.tensor) } }
        namedBuffers = self.layers.flatMap { layer in layer.operation.buffers.map { ("\(layer.name)/\($0.name)", $0.tensor) } }
        let names = Set((namedWeights + namedBuffers).map(\.name))
        if let unknown = sharing.keys.sorted().first(where: { !names.contains($0) }) {
            throw PolyheadError.invalidArgument(op: op, message: "weight '\(unknown)' to share is not a weight of the model")
        }
    }

    func shape(ofSlot slot: Int) -> [Int] { slot < inputs.count ? inputs[slot].shape : nodes[slot - inputs.count].shape }

    /// Runs the model on one batch per input (`(N, ...)`, shapes as declared) and returns the outputs in order.
    /// - Parameters:
    ///   - training: Dropout is active only when training.
    ///   - frozen: layers (by index, see `layerIndices`) that run in inference mode even while training (a
    ///     BatchNormalization whose `trainable` is false, as Keras).
    /// - Throws: `.invalidArgument` for a wrong input count, `.shapeMismatch` for a mis-shaped input or
    ///   inputs with different batch sizes.
    public func callAsFunction(_ batch: [Tensor], training: Bool = false, frozen: Set<Int> = []) throws -> [Tensor] {
        try forward(batch, training: training, frozen: frozen).outputs
    }

    /// The indices of the layers called `names`.
    /// - Throws: `.invalidArgument` (for `op`) naming a name that is not a layer of the model.
    public func layerIndices(named names: [String], op: String) throws -> Set<Int> {
        Set(try names.map { name in
            guard let index = layers.firstIndex(where: { $0.name == name }) else {
                throw PolyheadError.invalidArgument(op: op, message: "frozen layer '\(name)' is not a layer of the model")
            }
            return index
        })
    }

    /// What one forward pass gives: the outputs, the captured slot's value, and the activity penalty.
    struct ForwardPass {
        let outputs: [Tensor]
        let captured: Tensor?
        /// The sum of the activity regularizers' penalties of the layers' outputs (recorded), or `nil`.
        let activityPenalty: Tensor?
    }

    /// The outputs, the value of slot `captured` (when given) and the activity penalty for one batch.
    /// - Parameter frozen: layers (by index) that run in inference mode even while training, as Keras runs a
    ///   `BatchNormalization` whose `trainable` is false.
    func forward(_ batch: [Tensor], training: Bool, capturing captured: Int? = nil, frozen: Set<Int> = []) throws -> ForwardPass {
        try checkInputs(batch)
        var values: [Tensor?] = batch + Array(repeating: nil, count: nodes.count)
        var activity: [Tensor] = []
        for (index, node) in nodes.enumerated() {
            let arguments = node.inbound.map { values[$0]! }, layer = layers[node.layer]
            let value = try Self.run(layer.operation, arguments, training: training && !frozen.contains(node.layer))
            if let regularizer = layer.activity { activity.append(try regularizer(value)) }
            values[inputs.count + index] = value
        }
        // invariant: every slot is filled in topological order before any output is read.
        return ForwardPass(outputs: outputSlots.map { values[$0]! }, captured: captured.map { values[$0]! },
                           activityPenalty: try sumOfPenalties(activity))
    }

    /// Throws unless `batch` holds one tensor per input with the declared per-sample shape and one batch size.
    func checkInputs(_ batch: [Tensor]) throws {
        guard batch.count == inputs.count else {
            throw PolyheadError.invalidArgument(op: "model", message: "expected \(inputs.count) inputs, got \(batch.count)")
        }
        for (tensor, spec) in zip(batch, inputs) where Array(tensor.shape.dropFirst()) != spec.shape || tensor.rank == 0 {
            throw PolyheadError.shapeMismatch(
                op: "model", message: "input '\(spec.name)' expects (batch, \(spec.shape.map(String.init).joined(separator: ", "))), got \(describe(tensor.shape))")
        }
        if let first = batch.first, let other = batch.first(where: { $0.shape[0] != first.shape[0] }) {
            throw PolyheadError.shapeMismatch(op: "model", message: "inputs have different batch sizes: \(describe(first.shape)) vs \(describe(other.shape))")
        }
    }

    /// The sum of the weight penalties `l1·Σ|w| + l2·Σw²` of the regularised weights (recorded), or `nil`
    /// when none; the weights of `frozen` layers (by index) are not trainable and have none, as in Keras.
    public func regularizationLoss(frozen: Set<Int> = []) throws -> Tensor? {
        try sumOfPenalties(try layers.indices.filter { !frozen.contains($0) }.flatMap { layers[$0].penalties }.map { try $0() })
    }

    /// The weights of the layers that feed more than one output (the shared part for multi-task methods),
    /// in layer order. A layer feeding exactly one output (through all of its calls) belongs to that
    /// output's head.
    public var sharedWeights: [Tensor] {
        var reach = Array(repeating: Set<Int>(), count: layers.count)
        for (node, outputs) in zip(nodes, reachingOutputs()) { reach[node.layer].formUnion(outputs) }
        return layers.indices.filter { reach[$0].count > 1 }.flatMap { layers[$0].operation.weights.map(\.tensor) }
    }

    /// For every node, the outputs that read it (directly or through other nodes).
    func reachingOutputs() -> [Set<Int>] {
        var reach = Array(repeating: Set<Int>(), count: nodes.count)
        for (output, slot) in outputSlots.enumerated() { reach[slot - inputs.count].insert(output) }
        for index in nodes.indices.reversed() {
            for source in nodes[index].inbound where source >= inputs.count {
                reach[source - inputs.count].formUnion(reach[index])
            }
        }
        return reach
    }
}

