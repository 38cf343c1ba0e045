// The layer classes of a `GraphModel`'s config: each makes its operation (and weights) and output shape.

extension GraphModel {
    /// Makes one layer's operation and output shape.
    static func build(
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
            let shape = try single(), features = shape[shape.count - 1]
            let units = try (config["units"] ?? .null).int("\(name).units", op: op)
            guard units > 0 else { throw PolyheadError.invalidArgument(op: op, message: "Dense '\(name)': units must be positive, got \(units)") }
            let activation = try Activation(name: try config["activation"]?.string("\(name).activation", op: op), op: op)
            let useBias = try config["use_bias"]?.bool("\(name).use_bias", op: op) ?? true
            let initializer = try config["kernel_initializer"]?.string("\(name).kernel_initializer", op: op) ?? "glorot_uniform"
            let kernel: Tensor
            switch initializer {
            case "glorot_uniform":
                let limit = Float((6.0 / (Double(features) + Double(units))).squareRoot())
                kernel = try Tensor.uniform([features, units], low: -limit, high: limit)
            case "zeros": kernel = try Tensor.zeros([features, units])
            case "ones": kernel = try Tensor.ones([features, units])
            default:
                throw PolyheadError.invalidArgument(op: op, message: "Dense '\(name)': unknown kernel_initializer '\(initializer)'; expected glorot_uniform, zeros or ones")
            }
            try kernel.setRequiresGrad(true)
            let bias = useBias ? try Tensor.zeros([units], requiresGrad: true) : nil
            return (.dense(kernel: kernel, bias: bias, activation: activation), shape.dropLast() + [units])
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
        case "MaxPooling2D", "AveragePooling2D":
            return try buildPooling(className == "MaxPooling2D" ? .max : .average, name: name, config: config, shape: try single())
        case "GlobalMaxPooling2D", "GlobalAveragePooling2D":
            return try buildGlobalPooling(className == "GlobalMaxPooling2D" ? .max : .average, name: name, config: config,
                                          shape: try single())
        case "BatchNormalization":
            return try buildBatchNormalization(name: name, config: config, shape: try single())
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
            let epsilon = try unitOption(config, "epsilon", default: 1e-3, layer: "LayerNormalization '\(name)'", upTo: .infinity)
            let gamma = try Tensor.ones([shape[shape.count - 1]], requiresGrad: true)
            let beta = try Tensor.zeros([shape[shape.count - 1]], requiresGrad: true)
            return (.layerNormalization(gamma: gamma, beta: beta, epsilon: epsilon), shape)
        default:
            throw PolyheadError.invalidArgument(
                op: op, message: "unknown layer class '\(className)' for '\(name)'; expected Dense, Activation, Dropout, Concatenate, Flatten, LayerNormalization, BatchNormalization, Conv2D, MaxPooling2D, AveragePooling2D, GlobalMaxPooling2D, GlobalAveragePooling2D or Embedding")
        }
    }

}

extension GraphModel {
    /// Reads the number `key` of a layer's config, which must lie in `0...limit` (finite).
    static func unitOption(_ config: JSON, _ key: String, default fallback: Double, layer: String, upTo limit: Double) throws -> Float {
        let value = try config[key]?.double("\(layer).\(key)", op: "model") ?? fallback
        guard value >= 0, value <= limit, value.isFinite else {
            throw PolyheadError.invalidArgument(op: "model", message: "\(layer): \(key) must be finite and in [0, \(limit)], got \(value)")
        }
        return Float(value)
    }

    /// Keras's `BatchNormalization` over one feature axis (`axis` −1 (the last; negative counts from the end)
    /// or 1 (channels-first) … rank − 1 of the batched input, `momentum` 0.99, `epsilon` 1e-3, `center`,
    /// `scale`; gamma ones, beta zeros, moving mean zeros, moving variance ones).
    static func buildBatchNormalization(name: String, config: JSON, shape: [Int]) throws -> (operation: Operation, shape: [Int]) {
        let op = "model", layer = "BatchNormalization '\(name)'"
        let given = try config["axis"]?.int("\(name).axis", op: op) ?? -1
        let axis = given < 0 ? given + shape.count + 1 : given
        guard axis >= 1, axis <= shape.count else {
            throw PolyheadError.invalidArgument(op: op, message: "\(layer): axis \(given) is not a feature axis of inputs (batch, \(shape.map(String.init).joined(separator: ", ")))")
        }
        let state = try MovingNormalization(
            channels: shape[axis - 1], axis: axis == shape.count ? nil : axis, center: try config["center"]?.bool("\(name).center", op: op) ?? true,
            scale: try config["scale"]?.bool("\(name).scale", op: op) ?? true,
            momentum: try unitOption(config, "momentum", default: 0.99, layer: layer, upTo: 1),
            epsilon: try unitOption(config, "epsilon", default: 1e-3, layer: layer, upTo: .infinity))
        return (.batchNormalization(state), shape)
    }
}
