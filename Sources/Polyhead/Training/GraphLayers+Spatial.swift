// The channels-last spatial layers of a `GraphModel` config: Conv2D and the 2-D poolings, with TensorFlow's
// 'valid' and 'same' padding ('same': ⌈size / stride⌉ outputs per axis, the odd padding pixel at the
// bottom/right).

extension GraphModel {
    /// Reads an int or a pair of ints (Keras's `kernel_size=3` or `(3, 3)`), each at most `Int32.max`.
    fileprivate static func pair(_ value: JSON?, default fallback: (Int, Int), _ path: String) throws -> (Int, Int) {
        guard let value else { return fallback }
        let items: [Int]
        if case let .integer(size) = value { items = [size, size] } else {
            items = try value.elements(path, op: "model").map { try $0.int(path, op: "model") }
        }
        guard items.count == 2, items.allSatisfy({ $0 <= Int(Int32.max) }) else {
            throw PolyheadError.invalidArgument(op: "model", message: "\(path) must be an int or two ints ≤ \(Int32.max), got \(items)")
        }
        return (items[0], items[1])
    }

    /// Checks a channels-last per-sample shape `(H, W, C)`.
    fileprivate static func checkImage(_ shape: [Int], _ layer: String) throws {
        guard shape.count == 3 else {
            throw PolyheadError.shapeMismatch(op: "model", message: "\(layer) needs (batch, height, width, channels) inputs, got per-sample \(describe(shape))")
        }
    }

    /// The padding and the output height and width of a `window` sliding by `stride` over `shape` (H, W, C)
    /// with Keras's `padding` ("valid" or "same").
    /// - Throws: `.invalidArgument` for another padding name, or a 'valid' window larger than the input.
    fileprivate static func windowLayout(
        _ shape: [Int], window: (Int, Int), stride: (Int, Int), config: JSON, layer: String
    ) throws -> (padding: EdgePadding2d, height: Int, width: Int) {
        let padding = try config["padding"]?.string("\(layer).padding", op: "model") ?? "valid"
        switch padding {
        case "valid":
            guard window.0 <= shape[0], window.1 <= shape[1] else {
                throw PolyheadError.invalidArgument(op: "model", message: "\(layer): window \(window) is larger than the input \(describe(shape)) with padding 'valid'")
            }
            return (.zero, (shape[0] - window.0) / stride.0 + 1, (shape[1] - window.1) / stride.1 + 1)
        case "same":
            let edges = EdgePadding2d.same(input: Size2d(shape[0], shape[1]), kernel: Size2d(window.0, window.1),
                                           stride: Size2d(stride.0, stride.1))
            return (edges, (shape[0] + stride.0 - 1) / stride.0, (shape[1] + stride.1 - 1) / stride.1)
        default:
            throw PolyheadError.invalidArgument(op: "model", message: "\(layer): padding must be 'valid' or 'same', got '\(padding)'")
        }
    }

    /// A channels-last `Conv2D` (`filters`, `kernel_size`, `strides`, `padding` valid/same, `activation`,
    /// `use_bias`; glorot-uniform kernel `(KH, KW, C, O)`).
    static func buildConv(name: String, config: JSON, shape: [Int]) throws -> (operation: Operation, shape: [Int]) {
        let op = "model", layer = "Conv2D '\(name)'"
        try checkImage(shape, layer)
        let filters = try (config["filters"] ?? .null).int("\(name).filters", op: op)
        let kernelSize = try pair(config["kernel_size"] ?? .null, default: (0, 0), "\(name).kernel_size")
        let stride = try pair(config["strides"], default: (1, 1), "\(name).strides")
        guard filters > 0, filters <= Int(Int32.max), kernelSize.0 > 0, kernelSize.1 > 0, stride.0 > 0, stride.1 > 0 else {
            throw PolyheadError.invalidArgument(op: op, message: "\(layer): filters \(filters), kernel_size \(kernelSize), strides \(stride) must be positive")
        }
        let layout = try windowLayout(shape, window: kernelSize, stride: stride, config: config, layer: layer)
        let activation = try Activation(name: try config["activation"]?.string("\(name).activation", op: op), op: op)
        let useBias = try config["use_bias"]?.bool("\(name).use_bias", op: op) ?? true
        let area = Double(kernelSize.0) * Double(kernelSize.1)
        let limit = Float((6.0 / (area * Double(shape[2]) + area * Double(filters))).squareRoot())
        let kernel = try Tensor.uniform([kernelSize.0, kernelSize.1, shape[2], filters], low: -limit, high: limit)
        try kernel.setRequiresGrad(true)
        let bias = useBias ? try Tensor.zeros([filters], requiresGrad: true) : nil
        return (.conv2d(kernel: kernel, bias: bias, stride: Size2d(stride.0, stride.1), padding: layout.padding,
                        activation: activation), [layout.height, layout.width, filters])
    }

    /// A channels-last `MaxPooling2D` / `AveragePooling2D` (`pool_size` (2, 2), `strides` = pool size,
    /// `padding` valid/same).
    static func buildPooling(_ kind: Pooling, name: String, config: JSON, shape: [Int]) throws -> (operation: Operation, shape: [Int]) {
        let layer = "\(kind == .max ? "MaxPooling2D" : "AveragePooling2D") '\(name)'"
        try checkImage(shape, layer)
        let pool = try pair(config["pool_size"], default: (2, 2), "\(name).pool_size")
        let stride = try pair(config["strides"], default: pool, "\(name).strides")
        guard pool.0 > 0, pool.1 > 0, stride.0 > 0, stride.1 > 0 else {
            throw PolyheadError.invalidArgument(op: "model", message: "\(layer): pool_size \(pool) and strides \(stride) must be positive")
        }
        let layout = try windowLayout(shape, window: pool, stride: stride, config: config, layer: layer)
        return (.pooling2d(kind, pool: Size2d(pool.0, pool.1), stride: Size2d(stride.0, stride.1), padding: layout.padding),
                [layout.height, layout.width, shape[2]])
    }

    /// A channels-last `GlobalMaxPooling2D` / `GlobalAveragePooling2D` (`keepdims` false: `(C)`; true: `(1, 1, C)`).
    static func buildGlobalPooling(_ kind: Pooling, name: String, config: JSON, shape: [Int]) throws -> (operation: Operation, shape: [Int]) {
        try checkImage(shape, "\(kind == .max ? "GlobalMaxPooling2D" : "GlobalAveragePooling2D") '\(name)'")
        let keepDims = try config["keepdims"]?.bool("\(name).keepdims", op: "model") ?? false
        return (.globalPooling2d(kind, keepDims: keepDims), keepDims ? [1, 1, shape[2]] : [shape[2]])
    }
}
