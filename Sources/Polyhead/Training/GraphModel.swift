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
/// Layers: `Dense` (kernel `(in, out)` as Keras, `glorot_uniform` (default) / `zeros` / `ones` kernel
/// initialiser from the global generator, zero bias, optional activation and l2 kernel regulariser),
/// `Activation`, `Dropout` (`rate`; only when training), `Concatenate` (`axis`, default −1), `Flatten`,
/// `LayerNormalization` (last axis, `epsilon` default 1e-3 as Keras; `gamma` ones, `beta` zeros),
/// channels-last `Conv2D` / `MaxPooling2D`, `Embedding` (`input_dim`, `output_dim`; indices given as floats).
/// Shapes exclude the batch dimension. Weights are named `<layer>/kernel` and `<layer>/bias`.
public final class GraphModel {
    /// One named model input and its per-sample shape.
    public struct InputSpec: Equatable {
        public let name: String
        public let shape: [Int]
    }

    /// What a node computes.
    enum Operation {
        case dense(kernel: Tensor, bias: Tensor?, activation: Activation, l2: Float)
        case activation(Activation)
        case dropout(rate: Float)
        case concatenate(axis: Int)
        case flatten
        case layerNormalization(gamma: Tensor, beta: Tensor, epsilon: Float)
        /// Channels-last convolution: Keras kernel `(KH, KW, C, O)`.
        case conv2d(kernel: Tensor, bias: Tensor?, stride: Size2d, padding: Size2d, activation: Activation)
        /// Channels-last max pooling.
        case maxPooling2d(pool: Size2d, stride: Size2d)
        /// A lookup table `(input_dim, output_dim)` read at integer-valued float indices.
        case embedding(table: Tensor)

        /// The trainable tensors of the operation, with their Keras names.
        var weights: [(name: String, tensor: Tensor)] {
            switch self {
            case let .dense(kernel, bias, _, _): return [("kernel", kernel)] + (bias.map { [("bias", $0)] } ?? [])
            case let .layerNormalization(gamma, beta, _): return [("gamma", gamma), ("beta", beta)]
            case let .conv2d(kernel, bias, _, _, _): return [("kernel", kernel)] + (bias.map { [("bias", $0)] } ?? [])
            case let .embedding(table): return [("embeddings", table)]
            default: return []
            }
        }
    }

    /// An activation by its Keras name.
    enum Activation: String {
        case linear, relu, sigmoid, tanh, softmax, gelu, elu

        init(name: String?, op: String) throws {
            guard let name else { self = .linear; return }
            guard let value = Activation(rawValue: name == "none" ? "linear" : name) else {
                throw PolyheadError.invalidArgument(
                    op: op, message: "unknown activation '\(name)'; expected one of linear, relu, sigmoid, tanh, softmax, gelu, elu")
            }
            self = value
        }

        func apply(_ x: Tensor) throws -> Tensor {
            switch self {
            case .linear: return x
            case .relu: return try x.relu()
            case .sigmoid: return try x.sigmoid()
            case .tanh: return try x.tanh()
            case .softmax: return try x.softmax(axis: -1)
            case .gelu: return try x.gelu()
            case .elu: return try x.elu()
            }
        }
    }

    /// A layer node: its operation, the value slots it reads and its per-sample output shape.
    struct Node {
        let name: String
        let className: String
        let operation: Operation
        let inbound: [Int]
        let shape: [Int]
    }

    /// The inputs, in the order `callAsFunction` takes them.
    public let inputs: [InputSpec]
    /// The output layer names, in order.
    public let outputNames: [String]
    /// The nodes in topological order; value slot `inputs.count + i` is node `i`'s output.
    let nodes: [Node]
    /// The value slot of each output.
    let outputSlots: [Int]
    /// The trainable weights with their Keras-style names, in layer order.
    public let namedWeights: [(name: String, tensor: Tensor)]

    /// The trainable weights, in layer order.
    public var weights: [Tensor] { namedWeights.map(\.tensor) }
    /// The per-sample shape of each output.
    public var outputShapes: [[Int]] { outputSlots.map { shape(ofSlot: $0) } }
    /// Every layer as (name, class name, per-sample output shape, parameter count), for summaries.
    public var layerSummary: [(name: String, className: String, shape: [Int], parameters: Int)] {
        nodes.map { node in (node.name, node.className, node.shape, node.operation.weights.reduce(0) { $0 + $1.tensor.count }) }
    }

    /// Builds the model described by a JSON config (see the type's documentation).
    /// - Throws: `PolyheadError.invalidArgument` for malformed JSON, unknown layers/activations/names,
    ///   duplicate names or a cycle; `.shapeMismatch` for layers whose inputs do not fit.
    public convenience init(json: String) throws {
        try self.init(config: try JSON.parse(text: json, op: "model"))
    }

    init(config: JSON) throws {
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
        var slots: [String: Int] = [:], shapes: [[Int]] = inputs.map(\.shape)
        for (index, input) in inputs.enumerated() {
            guard slots.updateValue(index, forKey: input.name) == nil else {
                throw PolyheadError.invalidArgument(op: op, message: "duplicate name '\(input.name)'")
            }
        }
        var nodes: [Node] = [], named: [(name: String, tensor: Tensor)] = []
        let layers = try (config["layers"] ?? .array([])).elements("layers", op: op)
        for (index, item) in layers.enumerated() {
            let name = try (item["name"] ?? .null).string("layers[\(index)].name", op: op)
            let className = try (item["class_name"] ?? .null).string("layers[\(index)].class_name", op: op)
            let inbound = try (item["inbound"] ?? .null).elements("layers[\(index)].inbound", op: op).map { entry in
                let source = try entry.string("layers[\(index)].inbound", op: op)
                guard let slot = slots[source] else {
                    throw PolyheadError.invalidArgument(
                        op: op, message: "layer '\(name)' reads '\(source)', which is not an input or an earlier layer")
                }
                return slot
            }
            guard !inbound.isEmpty else {
                throw PolyheadError.invalidArgument(op: op, message: "layer '\(name)' has no inbound nodes")
            }
            let built = try Self.build(className, name: name, config: item["config"] ?? .object([]),
                                       inboundShapes: inbound.map { shapes[$0] })
            guard slots.updateValue(inputs.count + nodes.count, forKey: name) == nil else {
                throw PolyheadError.invalidArgument(op: op, message: "duplicate name '\(name)'")
            }
            for (kind, tensor) in built.operation.weights { named.append(("\(name)/\(kind)", tensor)) }
            nodes.append(Node(name: name, className: className, operation: built.operation, inbound: inbound, shape: built.shape))
            shapes.append(built.shape)
        }
        let outputs = try (config["outputs"] ?? .null).elements("outputs", op: op).map { try $0.string("outputs", op: op) }
        guard !outputs.isEmpty else { throw PolyheadError.invalidArgument(op: op, message: "the model has no outputs") }
        guard Set(outputs).count == outputs.count else {
            throw PolyheadError.invalidArgument(op: op, message: "an output is listed twice in \(outputs)")
        }
        let inputCount = inputs.count
        outputSlots = try outputs.map { output in
            guard let slot = slots[output], slot >= inputCount else {
                throw PolyheadError.invalidArgument(op: op, message: "output '\(output)' is not a layer of the model")
            }
            return slot
        }
        outputNames = outputs
        self.nodes = nodes
        namedWeights = named
    }

    /// Makes one layer's operation and output shape.
    private static func build(
        _ className: String, name: String, config: JSON, inboundShapes: [[Int]]
    ) throws -> (operation: Operation, shape: [Int]) {
        let op = "model"
        func single() throws -> [Int] {
            guard inboundShapes.count == 1 else {
                throw PolyheadError.invalidArgument(op: op, message: "layer '\(name)' (\(className)) takes one input, got \(inboundShapes.count)")
            }
            return inboundShapes[0]
        }
        switch className {
        case "Dense":
            let shape = try single()
            guard shape.count == 1 else {
                throw PolyheadError.shapeMismatch(op: op, message: "Dense '\(name)' needs (batch, features) inputs, got per-sample shape \(describe(shape))")
            }
            let units = try (config["units"] ?? .null).int("\(name).units", op: op)
            guard units > 0 else { throw PolyheadError.invalidArgument(op: op, message: "Dense '\(name)': units must be positive, got \(units)") }
            let activation = try Activation(name: try config["activation"]?.string("\(name).activation", op: op), op: op)
            let useBias = try config["use_bias"]?.bool("\(name).use_bias", op: op) ?? true
            let initializer = try config["kernel_initializer"]?.string("\(name).kernel_initializer", op: op) ?? "glorot_uniform"
            let kernel: Tensor
            switch initializer {
            case "glorot_uniform":
                let limit = Float((6.0 / (Double(shape[0]) + Double(units))).squareRoot())
                kernel = try Tensor.uniform([shape[0], units], low: -limit, high: limit)
            case "zeros": kernel = try Tensor.zeros([shape[0], units])
            case "ones": kernel = try Tensor.ones([shape[0], units])
            default:
                throw PolyheadError.invalidArgument(op: op, message: "Dense '\(name)': unknown kernel_initializer '\(initializer)'; expected glorot_uniform, zeros or ones")
            }
            try kernel.setRequiresGrad(true)
            let bias = useBias ? try Tensor.zeros([units], requiresGrad: true) : nil
            let l2 = try config["kernel_regularizer"]?["l2"]?.double("\(name).kernel_regularizer.l2", op: op) ?? 0
            guard l2 >= 0, l2.isFinite else {
                throw PolyheadError.invalidArgument(op: op, message: "Dense '\(name)': l2 must be finite and ≥ 0, got \(l2)")
            }
            return (.dense(kernel: kernel, bias: bias, activation: activation, l2: Float(l2)), [units])
        case "Activation":
            let activation = try Activation(name: try config["activation"]?.string("\(name).activation", op: op), op: op)
            return (.activation(activation), try single())
        case "Dropout":
            let rate = try (config["rate"] ?? .null).double("\(name).rate", op: op)
            guard rate >= 0, rate < 1 else {
                throw PolyheadError.invalidArgument(op: op, message: "Dropout '\(name)': rate must be in [0, 1), got \(rate)")
            }
            return (.dropout(rate: Float(rate)), try single())
        case "Concatenate":
            let rank = inboundShapes[0].count
            var axis = try config["axis"]?.int("\(name).axis", op: op) ?? -1
            if axis < 0 { axis += rank + 1 }
            guard axis >= 1, axis <= rank else {
                throw PolyheadError.indexOutOfRange(op: op, message: "Concatenate '\(name)': axis out of range for per-sample rank \(rank)")
            }
            var shape = inboundShapes[0]
            for other in inboundShapes.dropFirst() {
                guard other.count == rank, zip(other, inboundShapes[0]).enumerated().allSatisfy({ $0.offset == axis - 1 || $0.element.0 == $0.element.1 }) else {
                    throw PolyheadError.shapeMismatch(op: op, message: "Concatenate '\(name)': shapes \(inboundShapes.map(describe)) do not fit along axis \(axis)")
                }
                let (sum, overflow) = shape[axis - 1].addingReportingOverflow(other[axis - 1])
                guard !overflow else {
                    throw PolyheadError.outOfMemory(op: op, message: "Concatenate '\(name)': the concatenated size overflows")
                }
                shape[axis - 1] = sum
            }
            return (.concatenate(axis: axis), shape)
        case "Flatten":
            let shape = try single()
            var product = 1
            for dimension in shape {
                let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
                guard !overflow else { throw PolyheadError.outOfMemory(op: op, message: "Flatten '\(name)': \(describe(shape)) is too large") }
                product = next
            }
            return (.flatten, [product])
        case "Conv2D":
            return try buildConv(name: name, config: config, shape: try single())
        case "MaxPooling2D":
            let shape = try single()
            guard shape.count == 3 else {
                throw PolyheadError.shapeMismatch(op: op, message: "MaxPooling2D '\(name)' needs (batch, height, width, channels) inputs, got per-sample \(describe(shape))")
            }
            let pool = try pair(config["pool_size"], default: (2, 2), "\(name).pool_size")
            let stride = try pair(config["strides"], default: pool, "\(name).strides")
            guard pool.0 > 0, pool.1 > 0, stride.0 > 0, stride.1 > 0, pool.0 <= shape[0], pool.1 <= shape[1] else {
                throw PolyheadError.invalidArgument(op: op, message: "MaxPooling2D '\(name)': pool \(pool) / strides \(stride) do not fit \(describe(shape))")
            }
            if let padding = try config["padding"]?.string("\(name).padding", op: op), padding != "valid" {
                throw PolyheadError.invalidArgument(op: op, message: "MaxPooling2D '\(name)': only padding 'valid' is supported, got '\(padding)'")
            }
            let out = [(shape[0] - pool.0) / stride.0 + 1, (shape[1] - pool.1) / stride.1 + 1, shape[2]]
            return (.maxPooling2d(pool: Size2d(pool.0, pool.1), stride: Size2d(stride.0, stride.1)), out)
        case "Embedding":
            let shape = try single()
            let inputDim = try (config["input_dim"] ?? .null).int("\(name).input_dim", op: op)
            let outputDim = try (config["output_dim"] ?? .null).int("\(name).output_dim", op: op)
            guard inputDim > 0, outputDim > 0 else {
                throw PolyheadError.invalidArgument(op: op, message: "Embedding '\(name)': input_dim and output_dim must be positive, got \(inputDim), \(outputDim)")
            }
            let table = try Tensor.uniform([inputDim, outputDim], low: -0.05, high: 0.05)  // Keras's default
            try table.setRequiresGrad(true)
            return (.embedding(table: table), shape + [outputDim])
        case "LayerNormalization":
            let shape = try single()
            let axis = try config["axis"]?.int("\(name).axis", op: op) ?? -1
            guard axis == -1 || axis == shape.count else {
                throw PolyheadError.invalidArgument(op: op, message: "LayerNormalization '\(name)': only the last axis is supported, got axis \(axis)")
            }
            let epsilon = try config["epsilon"]?.double("\(name).epsilon", op: op) ?? 1e-3
            guard epsilon >= 0, epsilon.isFinite else {
                throw PolyheadError.invalidArgument(op: op, message: "LayerNormalization '\(name)': epsilon must be finite and ≥ 0, got \(epsilon)")
            }
            let gamma = try Tensor.ones([shape[shape.count - 1]], requiresGrad: true)
            let beta = try Tensor.zeros([shape[shape.count - 1]], requiresGrad: true)
            return (.layerNormalization(gamma: gamma, beta: beta, epsilon: Float(epsilon)), shape)
        default:
            throw PolyheadError.invalidArgument(
                op: op, message: "unknown layer class '\(className)' for '\(name)'; expected Dense, Activation, Dropout, Concatenate, Flatten, LayerNormalization, Conv2D, MaxPooling2D or Embedding")
        }
    }

    func shape(ofSlot slot: Int) -> [Int] { slot < inputs.count ? inputs[slot].shape : nodes[slot - inputs.count].shape }

    /// Runs the model on one batch per input (`(N, ...)`, shapes as declared) and returns the outputs in order.
    /// - Parameter training: Dropout is active only when training.
    /// - Throws: `.invalidArgument` for a wrong input count, `.shapeMismatch` for a mis-shaped input or
    ///   inputs with different batch sizes.
    public func callAsFunction(_ batch: [Tensor], training: Bool = false) throws -> [Tensor] {
        try checkInputs(batch)
        var values: [Tensor?] = batch + Array(repeating: nil, count: nodes.count)
        for (index, node) in nodes.enumerated() {
            let arguments = node.inbound.map { values[$0]! }
            values[inputs.count + index] = try Self.run(node.operation, arguments, training: training)
        }
        // invariant: every slot is filled in topological order before any output is read.
        return outputSlots.map { values[$0]! }
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

    private static func run(_ operation: Operation, _ arguments: [Tensor], training: Bool) throws -> Tensor {
        switch operation {
        case let .dense(kernel, bias, activation, _):
            var y = try arguments[0].matmul(kernel)
            if let bias { y = try y + bias }
            return try activation.apply(y)
        case let .activation(activation): return try activation.apply(arguments[0])
        case let .dropout(rate): return training && rate > 0 ? try arguments[0].dropout(rate) : arguments[0]
        case let .concatenate(axis): return try Tensor.concatenate(arguments, axis: axis)
        case .flatten:
            let x = arguments[0]
            return try x.reshaped([x.shape[0], x.shape.dropFirst().reduce(1, *)])
        case let .layerNormalization(gamma, beta, epsilon):
            return try arguments[0].layerNorm(normalizedShape: gamma.shape, weight: gamma, bias: beta, epsilon: epsilon)
        case let .conv2d(kernel, bias, stride, padding, activation):
            let y = try Tensor.conv2d(try arguments[0].permuted([0, 3, 1, 2]), weight: try kernel.permuted([3, 2, 0, 1]),
                                      bias: bias, stride: stride, padding: padding)
            return try activation.apply(try y.permuted([0, 2, 3, 1]))
        case let .embedding(table):
            let x = arguments[0], rows = table.shape[0]
            let indices = try x.scalars.map { value -> Int in
                guard value >= 0, value < Float(rows), value == value.rounded() else {
                    throw PolyheadError.indexOutOfRange(op: "embedding", message: "index \(value) is not an integer in 0..<\(rows)")
                }
                return Int(value)
            }
            return try Tensor.embedding(table, indices: indices, indexShape: x.shape)
        case let .maxPooling2d(pool, stride):
            return try arguments[0].permuted([0, 3, 1, 2]).maxPool2d(kernel: pool, stride: stride).permuted([0, 2, 3, 1])
        }
    }

    /// The l2 penalty `Σ λ·Σ kernel²` of the regularised Dense kernels (recorded), or `nil` when none.
    public func regularizationLoss() throws -> Tensor? {
        var total: Tensor?
        for node in nodes {
            guard case let .dense(kernel, _, _, l2) = node.operation, l2 > 0 else { continue }
            let term = try (kernel * kernel).sum() * l2
            total = try total.map { try $0 + term } ?? term
        }
        return total
    }

    /// The weights of the layers that feed more than one output (the shared part for multi-task methods),
    /// in layer order. A layer feeding exactly one output belongs to that output's head.
    public var sharedWeights: [Tensor] {
        var reach = Array(repeating: Set<Int>(), count: nodes.count)
        for (output, slot) in outputSlots.enumerated() { reach[slot - inputs.count].insert(output) }
        for index in nodes.indices.reversed() {
            for source in nodes[index].inbound where source >= inputs.count {
                reach[source - inputs.count].formUnion(reach[index])
            }
        }
        return nodes.indices.filter { reach[$0].count > 1 }.flatMap { nodes[$0].operation.weights.map(\.tensor) }
    }
}

extension GraphModel {
    /// Reads an int or a pair of ints (Keras's `kernel_size=3` or `(3, 3)`).
    fileprivate static func pair(_ value: JSON?, default fallback: (Int, Int), _ path: String) throws -> (Int, Int) {
        guard let value else { return fallback }
        if case let .integer(size) = value { return (size, size) }
        let items = try value.elements(path, op: "model").map { try $0.int(path, op: "model") }
        guard items.count == 2 else {
            throw PolyheadError.invalidArgument(op: "model", message: "\(path) must be an int or two ints, got \(items)")
        }
        return (items[0], items[1])
    }

    /// A channels-last `Conv2D` (`filters`, `kernel_size`, `strides`, `padding` valid/same (same: stride 1,
    /// odd kernel), `activation`, `use_bias`; glorot-uniform kernel `(KH, KW, C, O)`).
    fileprivate static func buildConv(name: String, config: JSON, shape: [Int]) throws -> (operation: Operation, shape: [Int]) {
        let op = "model"
        guard shape.count == 3 else {
            throw PolyheadError.shapeMismatch(op: op, message: "Conv2D '\(name)' needs (batch, height, width, channels) inputs, got per-sample \(describe(shape))")
        }
        let filters = try (config["filters"] ?? .null).int("\(name).filters", op: op)
        let kernelSize = try pair(config["kernel_size"] ?? .null, default: (0, 0), "\(name).kernel_size")
        let stride = try pair(config["strides"], default: (1, 1), "\(name).strides")
        let padding = try config["padding"]?.string("\(name).padding", op: op) ?? "valid"
        guard filters > 0, filters <= Int(Int32.max), kernelSize.0 > 0, kernelSize.1 > 0, stride.0 > 0, stride.1 > 0,
              kernelSize.0 <= shape[0], kernelSize.1 <= shape[1] else {
            throw PolyheadError.invalidArgument(op: op, message: "Conv2D '\(name)': filters \(filters), kernel_size \(kernelSize), strides \(stride) do not fit \(describe(shape))")
        }
        let pad: (Int, Int)
        switch padding {
        case "valid": pad = (0, 0)
        case "same":
            guard stride == (1, 1), kernelSize.0 % 2 == 1, kernelSize.1 % 2 == 1 else {
                throw PolyheadError.invalidArgument(op: op, message: "Conv2D '\(name)': padding 'same' needs strides 1 and an odd kernel_size")
            }
            pad = ((kernelSize.0 - 1) / 2, (kernelSize.1 - 1) / 2)
        default:
            throw PolyheadError.invalidArgument(op: op, message: "Conv2D '\(name)': padding must be 'valid' or 'same', got '\(padding)'")
        }
        let activation = try Activation(name: try config["activation"]?.string("\(name).activation", op: op), op: op)
        let useBias = try config["use_bias"]?.bool("\(name).use_bias", op: op) ?? true
        let area = Double(kernelSize.0) * Double(kernelSize.1)
        let limit = Float((6.0 / (area * Double(shape[2]) + area * Double(filters))).squareRoot())
        let kernel = try Tensor.uniform([kernelSize.0, kernelSize.1, shape[2], filters], low: -limit, high: limit)
        try kernel.setRequiresGrad(true)
        let bias = useBias ? try Tensor.zeros([filters], requiresGrad: true) : nil
        let out = [(shape[0] + 2 * pad.0 - kernelSize.0) / stride.0 + 1, (shape[1] + 2 * pad.1 - kernelSize.1) / stride.1 + 1, filters]
        return (.conv2d(kernel: kernel, bias: bias, stride: Size2d(stride.0, stride.1), padding: Size2d(pad.0, pad.1),
                        activation: activation), out)
    }
}
