// What one layer of a `GraphModel` computes, its weights, and its forward pass (channels-last layers are
// permuted to the NCHW core ops and back).

extension GraphModel {
    /// What a layer computes; every node (call) of the layer runs the same operation on the same weights.
    enum Operation {
        case dense(kernel: Tensor, bias: Tensor?, activation: Activation)
        case activation(Activation)
        case dropout(rate: Float)
        case concatenate(axis: Int)
        case flatten
        case layerNormalization(gamma: Tensor, beta: Tensor, epsilon: Float)
        case batchNormalization(MovingNormalization)
        /// Channels-last convolution: Keras kernel `(KH, KW, C, O)`, zero padding (uneven for 'same').
        case conv2d(kernel: Tensor, bias: Tensor?, stride: Size2d, padding: EdgePadding2d, activation: Activation)
        /// Channels-last max or average pooling; 'same' averages count only the input pixels of a window.
        case pooling2d(Pooling, pool: Size2d, stride: Size2d, padding: EdgePadding2d)
        /// The max or mean over height and width of channels-last inputs.
        case globalPooling2d(Pooling, keepDims: Bool)
        /// A lookup table `(input_dim, output_dim)` read at integer-valued float indices.
        case embedding(table: Tensor)

        /// The trainable tensors of the operation, with their Keras names.
        var weights: [(name: String, tensor: Tensor)] {
            switch self {
            case let .dense(kernel, bias, _), let .conv2d(kernel, bias, _, _, _):
                return [("kernel", kernel)] + (bias.map { [("bias", $0)] } ?? [])
            case let .layerNormalization(gamma, beta, _): return [("gamma", gamma), ("beta", beta)]
            case let .batchNormalization(state):
                return (state.gamma.map { [("gamma", $0)] } ?? []) + (state.beta.map { [("beta", $0)] } ?? [])
            case let .embedding(table): return [("embeddings", table)]
            default: return []
            }
        }

        /// The non-trainable state of the operation (saved with the weights), with its Keras names.
        var buffers: [(name: String, tensor: Tensor)] {
            guard case let .batchNormalization(state) = self else { return [] }
            return [("moving_mean", state.movingMean), ("moving_variance", state.movingVariance)]
        }

        /// The operation over the tensors `shared` gives by Keras name (`kernel`, `moving_mean`, …) instead of
        /// its own: a model built over layers another model already built shares their weights, as Keras.
        /// - Throws: `.shapeMismatch` naming the weight when a given tensor has another shape.
        func adopting(_ shared: (String) -> Tensor?, layer: String) throws -> Operation {
            func pick(_ name: String, _ own: Tensor) throws -> Tensor {
                guard let given = shared(name) else { return own }
                guard given.shape == own.shape else {
                    throw PolyheadError.shapeMismatch(
                        op: "model", message: "weight '\(layer)/\(name)' to share has shape \(describe(given.shape)), the layer needs \(describe(own.shape))")
                }
                return given
            }
            switch self {
            case let .dense(kernel, bias, activation):
                return .dense(kernel: try pick("kernel", kernel), bias: try bias.map { try pick("bias", $0) }, activation: activation)
            case let .conv2d(kernel, bias, stride, padding, activation):
                return .conv2d(kernel: try pick("kernel", kernel), bias: try bias.map { try pick("bias", $0) },
                               stride: stride, padding: padding, activation: activation)
            case let .layerNormalization(gamma, beta, epsilon):
                return .layerNormalization(gamma: try pick("gamma", gamma), beta: try pick("beta", beta), epsilon: epsilon)
            case let .batchNormalization(state):
                return .batchNormalization(MovingNormalization(
                    gamma: try state.gamma.map { try pick("gamma", $0) }, beta: try state.beta.map { try pick("beta", $0) },
                    movingMean: try pick("moving_mean", state.movingMean),
                    movingVariance: try pick("moving_variance", state.movingVariance),
                    momentum: state.momentum, epsilon: state.epsilon, axis: state.axis))
            case let .embedding(table): return .embedding(table: try pick("embeddings", table))
            case .activation, .dropout, .concatenate, .flatten, .pooling2d, .globalPooling2d: return self
            }
        }
    }

    /// A pooling reduction.
    enum Pooling { case max, average }

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

    /// Runs one operation on its inbound values.
    static func run(_ operation: Operation, _ arguments: [Tensor], training: Bool) throws -> Tensor {
        switch operation {
        case let .dense(kernel, bias, activation):
            let x = arguments[0]
            let rows = x.rank == 2 ? x : try x.reshaped([x.count / kernel.shape[0], kernel.shape[0]])
            var y = try Tensor.affine(rows, kernel: kernel, bias: bias, relu: activation == .relu)
            if x.rank != 2 { y = try y.reshaped(Array(x.shape.dropLast()) + [kernel.shape[1]]) }
            return activation == .relu ? y : try activation.apply(y)
        case let .activation(activation): return try activation.apply(arguments[0])
        case let .dropout(rate): return training && rate > 0 ? try arguments[0].dropout(rate) : arguments[0]
        case let .concatenate(axis): return try Tensor.concatenate(arguments, axis: axis)
        case .flatten:
            let x = arguments[0]
            return try x.reshaped([x.shape[0], x.shape.dropFirst().reduce(1, *)])
        case let .layerNormalization(gamma, beta, epsilon):
            return try arguments[0].layerNorm(normalizedShape: gamma.shape, weight: gamma, bias: beta, epsilon: epsilon)
        case let .batchNormalization(state): return try state(arguments[0], training: training)
        case let .conv2d(kernel, bias, stride, padding, activation):
            let y = try Tensor.conv2d(channelsLast: arguments[0], kernel: kernel, bias: bias, stride: stride,
                                      padding: padding, relu: activation == .relu)
            return activation == .relu ? y : try activation.apply(y)
        case let .pooling2d(.max, pool, stride, padding):
            return try arguments[0].maxPool2d(channelsLast: pool, stride: stride, padding: padding)
        case let .pooling2d(.average, pool, stride, padding):
            return try averagePooled(try arguments[0].permuted([0, 3, 1, 2]), pool: pool, stride: stride, padding: padding)
                .permuted([0, 2, 3, 1])
        case let .globalPooling2d(kind, keepDims):
            let x = arguments[0], (n, c) = (x.shape[0], x.shape[3])
            let rows = try x.reshaped([n, x.shape[1] * x.shape[2], c])
            let y = kind == .max ? try rows.max(axis: 1) : try rows.mean(axis: 1)
            return keepDims ? try y.reshaped([n, 1, 1, c]) : y
        case let .embedding(table):
            let x = arguments[0], rows = table.shape[0]
            let indices = try x.scalars.map { value -> Int in
                guard value >= 0, value < Float(rows), value == value.rounded() else {
                    throw PolyheadError.indexOutOfRange(op: "embedding", message: "index \(value) is not an integer in 0..<\(rows)")
                }
                return Int(value)
            }
            return try Tensor.embedding(table, indices: indices, indexShape: x.shape)
        }
    }

    /// NCHW average pooling with TensorFlow's padding: the window sums divided by the number of input
    /// pixels each window covers.
    private static func averagePooled(_ x: Tensor, pool: Size2d, stride: Size2d, padding: EdgePadding2d) throws -> Tensor {
        if padding.isZero { return try x.avgPool2d(kernel: pool, stride: stride) }
        let means = try x.padded2d(padding).avgPool2d(kernel: pool, stride: stride)
        let coverage = try withoutGrad {
            try Tensor.ones([1, 1, x.shape[2], x.shape[3]]).padded2d(padding).avgPool2d(kernel: pool, stride: stride)
        }
        return try means / coverage
    }
}

/// Keras's `BatchNormalization` over one feature axis: batch statistics while training (which also move the
/// moving ones: `moving = momentum · moving + (1 − momentum) · batch`, with the biased batch variance),
/// the moving statistics in inference.
final class MovingNormalization {
    let gamma: Tensor?, beta: Tensor?
    let movingMean: Tensor, movingVariance: Tensor
    let momentum: Float, epsilon: Float
    /// The feature axis of the batched input (≥ 1), or `nil` for the last one.
    let axis: Int?

    init(channels: Int, axis: Int?, center: Bool, scale: Bool, momentum: Float, epsilon: Float) throws {
        gamma = scale ? try Tensor.ones([channels], requiresGrad: true) : nil
        beta = center ? try Tensor.zeros([channels], requiresGrad: true) : nil
        movingMean = try Tensor.zeros([channels])
        movingVariance = try Tensor.ones([channels])
        (self.axis, self.momentum, self.epsilon) = (axis, momentum, epsilon)
    }

    /// A normalization over the given weights and moving statistics.
    init(gamma: Tensor?, beta: Tensor?, movingMean: Tensor, movingVariance: Tensor, momentum: Float, epsilon: Float, axis: Int?) {
        (self.gamma, self.beta, self.movingMean, self.movingVariance) = (gamma, beta, movingMean, movingVariance)
        (self.momentum, self.epsilon, self.axis) = (momentum, epsilon, axis)
    }

    /// Normalizes `x` per channel of the feature axis; another axis than the last is moved last and back.
    func callAsFunction(_ x: Tensor, training: Bool) throws -> Tensor {
        guard let axis else { return try channelsLast(x, training: training) }
        let order = Array(0..<axis) + Array(axis + 1..<x.rank) + [axis]
        let back = Array(0..<axis) + [x.rank - 1] + Array(axis..<x.rank - 1)
        return try channelsLast(try x.permuted(order), training: training).permuted(back)
    }

    /// Normalizes `x` (N, …, C) per channel (a batch of one normalizes to beta; an empty batch moves nothing).
    private func channelsLast(_ x: Tensor, training: Bool) throws -> Tensor {
        let moments: ChannelMoments
        if training, x.count > 0 {
            moments = try x.channelMoments()
            let keep = momentum, mean = movingMean.storage.pointer, variance = movingVariance.storage.pointer
            for c in 0..<movingMean.count {
                mean[c] = keep * mean[c] + (1 - keep) * moments.mean[c]
                variance[c] = keep * variance[c] + (1 - keep) * moments.variance[c]
            }
        } else {
            moments = ChannelMoments(mean: movingMean.scalars, variance: movingVariance.scalars)
        }
        return try Tensor.batchNorm(channelsLast: x, moments: moments, weight: gamma, bias: beta, epsilon: epsilon,
                                    batchStatistics: training && x.count > 0)
    }
}
