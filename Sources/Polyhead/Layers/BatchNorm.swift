/// Batch normalization (Ioffe & Szegedy 2015; PyTorch's `nn.BatchNorm1d` / `nn.BatchNorm2d`): per channel
/// (axis 1), normalizes with the batch's statistics in training, where it also updates running estimates,
/// and with those running estimates in evaluation.
public class BatchNorm: ModeDependentLayer {
    /// The number of channels C.
    public let numFeatures: Int
    /// Added to the variance before the square root.
    public let epsilon: Float
    /// The weight of each new batch in the running statistics, or `nil` for a cumulative average
    /// (weight 1 / numBatchesTracked), as PyTorch's `momentum=None`.
    public let momentum: Float?
    /// The per-channel scale (ones at first), or `nil` without an affine map.
    public let weight: Tensor?
    /// The per-channel shift (zeros at first), or `nil`.
    public let bias: Tensor?
    /// The running mean (zeros at first), or `nil` when statistics are not tracked.
    public let runningMean: Tensor?
    /// The running unbiased variance (ones at first), or `nil` when statistics are not tracked.
    public let runningVariance: Tensor?
    /// The number of training batches seen, as a float32 scalar (PyTorch's `num_batches_tracked`, an int64
    /// there; exact up to 2²⁴ batches), or `nil` when statistics are not tracked.
    public let batchesTracked: Tensor?
    /// Whether the layer uses batch statistics (training) or the running ones (evaluation).
    public var isTraining = true
    /// The input ranks this layer accepts.
    let acceptedRanks: [Int]

    /// Creates the layer for inputs of the given ranks.
    init(_ numFeatures: Int, epsilon: Float, momentum: Float?, affine: Bool, trackRunningStats: Bool,
         acceptedRanks: [Int]) throws {
        guard numFeatures > 0, epsilon >= 0, epsilon.isFinite, momentum?.isFinite ?? true else {
            throw PolyheadError.invalidArgument(
                op: "BatchNorm", message: "need num_features > 0, a finite eps ≥ 0 and a finite momentum, got "
                    + "\(numFeatures), eps \(epsilon), momentum \(momentum.map { "\($0)" } ?? "nil")")
        }
        self.numFeatures = numFeatures
        self.epsilon = epsilon
        self.momentum = momentum
        self.acceptedRanks = acceptedRanks
        weight = affine ? try Tensor.ones([numFeatures], requiresGrad: true) : nil
        bias = affine ? try Tensor.zeros([numFeatures], requiresGrad: true) : nil
        runningMean = trackRunningStats ? try Tensor.zeros([numFeatures]) : nil
        runningVariance = trackRunningStats ? try Tensor.ones([numFeatures]) : nil
        batchesTracked = trackRunningStats ? Tensor(0) : nil
    }

    /// The number of training batches seen (while tracking statistics).
    public var numBatchesTracked: Int { batchesTracked.map { Int($0.scalars[0]) } ?? 0 }

    /// `weight` then `bias`, when affine.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    /// The running statistics and batch count, when tracked (`running_mean`, `running_var`,
    /// `num_batches_tracked`), as PyTorch names its buffers.
    public var namedBuffers: [(name: String, tensor: Tensor)] {
        guard let runningMean, let runningVariance, let batchesTracked else { return [] }
        return [("running_mean", runningMean), ("running_var", runningVariance),
                ("num_batches_tracked", batchesTracked)]
    }

    /// Normalizes `input` (N, C, …).
    /// - Throws: `PolyheadError.shapeMismatch` for an input rank the layer does not accept or C ≠ numFeatures.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard acceptedRanks.contains(input.rank) else {
            throw PolyheadError.shapeMismatch(
                op: "BatchNorm", message: "expected a \(acceptedRanks.map { "\($0)-D" }.joined(separator: " or ")) "
                    + "input, got \(describe(input.shape))")
        }
        var factor = momentum ?? 0
        if isTraining, let batchesTracked {
            let count = batchesTracked.withUnsafeMutableBufferPointer { count in
                count[0] += 1
                return count[0]
            }
            factor = momentum ?? 1 / count
        }
        // Batch statistics in training, and always when no running statistics are kept.
        return try Tensor.batchNorm(
            input, runningMean: runningMean, runningVariance: runningVariance, weight: weight, bias: bias,
            training: isTraining || runningMean == nil, momentum: factor, epsilon: epsilon)
    }
}

/// Batch normalization of (N, C) or (N, C, L) inputs (PyTorch's `nn.BatchNorm1d`).
public final class BatchNorm1d: BatchNorm {
    /// Creates the layer with PyTorch's defaults (eps 1e-5, momentum 0.1, affine, tracking statistics).
    /// - Throws: `PolyheadError.invalidArgument` for a non-positive feature count or bad eps/momentum.
    public init(_ numFeatures: Int, epsilon: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true) throws {
        try super.init(numFeatures, epsilon: epsilon, momentum: momentum, affine: affine,
                       trackRunningStats: trackRunningStats, acceptedRanks: [2, 3])
    }
}

/// Batch normalization of (N, C, H, W) inputs (PyTorch's `nn.BatchNorm2d`).
public final class BatchNorm2d: BatchNorm {
    /// Creates the layer with PyTorch's defaults (eps 1e-5, momentum 0.1, affine, tracking statistics).
    /// - Throws: `PolyheadError.invalidArgument` for a non-positive feature count or bad eps/momentum.
    public init(_ numFeatures: Int, epsilon: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true) throws {
        try super.init(numFeatures, epsilon: epsilon, momentum: momentum, affine: affine,
                       trackRunningStats: trackRunningStats, acceptedRanks: [4])
    }
}
