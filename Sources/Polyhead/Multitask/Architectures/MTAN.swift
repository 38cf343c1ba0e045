/// Multi-Task Attention Network (Liu, Johns, Davison, "End-to-End Multi-Task Learning with Attention",
/// CVPR 2019): one convolutional backbone shared by every task, split into stages, and per task and stage
/// a soft-attention module that picks that task's features out of the stage's shared features; then one
/// head per task.
///
/// With `s_k` the output of backbone stage k (`channels[k]` channels) and `t_{k-1}` the task's features
/// from the stage before (max-pooled to `s_k`'s height and width), each task's module computes
/// ```
/// input_k = s_1 (k = 1), concat(s_k, t_{k-1}) along channels (k > 1)
/// mask_k  = sigmoid(BN(conv1×1(relu(BN(conv1×1(input_k))))))     (channels[k] channels)
/// a_k     = mask_k ⊙ s_k
/// t_k     = relu(BN(conv3×3(a_k)))   (channels[k + 1] channels, the paper's f block; not after the last stage)
/// ```
/// and the task's head reads `a_K` of the last stage. The pooling uses a window and stride of the ratio of
/// the two resolutions (e.g. 2 when a stage halves them). The mask is the paper's (and LibMTL's)
/// conv1×1 → BN → ReLU → conv1×1 → BN → sigmoid.
///
/// Stage granularity differs from the paper. There, each shared block j yields two tensors: the output of
/// its first layer `u_j`, from which (concatenated with `t_{j-1}`) the mask is computed, and the output of
/// its last layer `p_j`, which the mask multiplies. Here a stage is an opaque layer supplied by the caller
/// and only its output is seen, so `s_k` serves both: the mask is computed from the stage's output and
/// multiplies that same output. With one-layer stages the two agree; with multi-layer stages the mask sees
/// the stage's last layer instead of its first.
///
/// ```swift
/// let model = try MTAN(
///     backbone: [Sequential(try Conv2d(1, 8, kernelSize: 3, padding: 1), ReLU()),
///                Sequential(MaxPool2d(2), try Conv2d(8, 16, kernelSize: 3, padding: 1), ReLU())],
///     channels: [8, 16],
///     heads: [("left", Sequential(Flatten(), try Linear(16 * 6 * 6, 10))),
///             ("right", Sequential(Flatten(), try Linear(16 * 6 * 6, 10)))])
/// let outputs = try model(x)                      // x: (N, 1, 12, 12); outputs["left"]: (N, 10)
/// ```
/// The backbone's parameters are shared; each task's attention modules and head are its own. Parameter
/// (and buffer) names: `backbone.<k>.<name>`, then per task `attention.<task>.<k>.mask.<i>.<name>` and
/// `attention.<task>.<k>.block.<i>.<name>`, then `heads.<task>.<name>`. The attention modules are created
/// task by task, stage by stage, drawing their convolutions' weights from the global generator.
public final class MTAN: MultiTaskModel, ModuleContainer {
    /// The shared backbone's stages, in order.
    public let backbone: [any Layer]
    /// The number of channels each stage outputs.
    public let channels: [Int]
    /// Per task, one attention module per stage.
    public let attention: [(task: String, modules: [MTANAttention])]
    /// One head per task, reading the task's attended features of the last stage.
    public let heads: [(task: String, head: any Layer)]

    /// Creates the network from the backbone's stages, their output channel counts and the heads (the order
    /// of `heads` is the task order).
    /// - Throws: `PolyheadError.invalidArgument` for no stages, a channel count per stage missing or not
    ///   positive, or bad task names.
    public init(backbone: [any Layer], channels: [Int], heads: [(String, any Layer)]) throws {
        try checkTaskNames(heads.map(\.0), op: "MTAN")
        guard !backbone.isEmpty, backbone.count == channels.count, channels.allSatisfy({ $0 > 0 }) else {
            throw PolyheadError.invalidArgument(
                op: "MTAN", message: "needs one positive channel count per backbone stage, got \(backbone.count) "
                    + "stages and channels \(channels)")
        }
        self.backbone = backbone
        self.channels = channels
        attention = try heads.map { task, _ in
            (task: task, modules: try channels.indices.map { k in
                try MTANAttention(
                    inputChannels: k == 0 ? channels[0] : 2 * channels[k], channels: channels[k],
                    nextChannels: k + 1 < channels.count ? channels[k + 1] : nil)
            })
        }
        self.heads = heads.map { (task: $0.0, head: $0.1) }
    }

    /// The task names, in order.
    public var tasks: [String] { heads.map(\.task) }

    /// The backbone's parameters (shared), then each task's attention modules and head (its own).
    public var ownedParameters: [OwnedParameter] {
        backbone.enumerated().flatMap { owned("backbone.\($0)", $1, task: nil) }
            + attention.flatMap { column in
                column.modules.enumerated().flatMap { owned("attention.\(column.task).\($0)", $1, task: column.task) }
            }
            + heads.flatMap { owned("heads.\($0.task)", $0.head, task: $0.task) }
    }

    /// The stages (`backbone.<k>`), each task's attention modules (`attention.<task>.<k>`) and the heads
    /// (`heads.<task>`).
    public var namedSubmodules: [(name: String, module: any Module)] {
        indexed("backbone", backbone) + attention.flatMap { indexed("attention.\($0.task)", $0.modules) }
            + heads.map { ("heads.\($0.task)", $0.head) }
    }

    /// Runs the backbone stage by stage, every task's attention module after each stage, then the heads.
    /// - Throws: `PolyheadError.shapeMismatch` if a stage's output is not (N, channels[k], H, W) or a
    ///   stage's resolution is not a whole-number reduction of the one before; errors of the layers.
    public func callAsFunction(_ input: Tensor) throws -> TaskOutputs {
        var shared = input
        var streams = [Tensor?](repeating: nil, count: tasks.count)
        for (k, stage) in backbone.enumerated() {
            shared = try stage(shared)
            guard shared.rank == 4, shared.shape[1] == channels[k] else {
                throw PolyheadError.shapeMismatch(
                    op: "MTAN", message: "backbone stage \(k) returned \(describe(shared.shape)), expected "
                        + "(N, \(channels[k]), H, W)")
            }
            streams = try zip(attention, streams).map { column, previous in
                try column.modules[k](shared: shared, previous: try previous.map { try poolTo(shared, $0, stage: k) })
            }
        }
        return TaskOutputs(checked: tasks, try zip(heads, streams).map { try $0.head($1!) })
    }

    /// `features` max-pooled to the height and width of `shared` (window = stride = the ratio of resolutions).
    private func poolTo(_ shared: Tensor, _ features: Tensor, stage: Int) throws -> Tensor {
        let (height, width) = (shared.shape[2], shared.shape[3])
        let (fromHeight, fromWidth) = (features.shape[2], features.shape[3])
        if (height, width) == (fromHeight, fromWidth) { return features }
        let window = height > 0 && width > 0 ? Size2d(fromHeight / height, fromWidth / width) : Size2d(0, 0)
        guard window.height > 0, window.width > 0, fromHeight / window.height == height,
              fromWidth / window.width == width else {
            throw PolyheadError.shapeMismatch(
                op: "MTAN", message: "backbone stage \(stage) output \(height)×\(width) is not a whole-number "
                    + "reduction of the previous stage's \(fromHeight)×\(fromWidth)")
        }
        return try features.maxPool2d(kernel: window, stride: window)
    }
}

/// One task's attention module at one MTAN stage (Liu et al., CVPR 2019): a mask
/// `sigmoid(BN(conv1×1(relu(BN(conv1×1(input))))))` over the stage's shared features, applied elementwise, then
/// (before the last stage) the f block `relu(BN(conv3×3(·)))` that maps the attended features to the next
/// stage's channel count.
public final class MTANAttention: ModuleContainer {
    /// conv1×1 → BN → ReLU → conv1×1 → BN → sigmoid: input channels → `channels` → `channels` (the
    /// convolutions without bias, which the batch normalization after each would cancel).
    public let mask: Sequential
    /// conv3×3 (padding 1, no bias) → BN → ReLU to the next stage's channels, or `nil` at the last stage.
    public let block: Sequential?

    /// Creates the module for an input of `inputChannels` (the stage's shared features, concatenated with the
    /// task's previous features after the first stage) and shared features of `channels`; `nextChannels` is
    /// the next stage's channel count (`nil` at the last stage). Weights are drawn mask first, then block.
    /// - Throws: `PolyheadError.invalidArgument` for a non-positive channel count.
    public init(inputChannels: Int, channels: Int, nextChannels: Int?) throws {
        mask = Sequential(
            try Conv2d(inputChannels, channels, kernelSize: 1, bias: false), try BatchNorm2d(channels), ReLU(),
            try Conv2d(channels, channels, kernelSize: 1, bias: false), try BatchNorm2d(channels), Sigmoid())
        block = try nextChannels.map {
            Sequential(try Conv2d(channels, $0, kernelSize: 3, padding: 1, bias: false), try BatchNorm2d($0), ReLU())
        }
    }

    /// The mask's parameters (`mask.<i>.<name>`), then the block's (`block.<i>.<name>`).
    public var namedParameters: [(name: String, tensor: Tensor)] { collected(\.namedParameters) }

    /// The mask (`mask`) and the block (`block`).
    public var namedSubmodules: [(name: String, module: any Module)] {
        [("mask", mask)] + (block.map { [("block", $0)] } ?? [])
    }

    /// The task's features at this stage from the shared features (N, channels, H, W) and the task's features
    /// of the stage before, already pooled to (N, channels, H, W) (`nil` at the first stage).
    public func callAsFunction(shared: Tensor, previous: Tensor?) throws -> Tensor {
        let input = try previous.map { try Tensor.concatenate([shared, $0], axis: 1) } ?? shared
        let attended = try mask(input) * shared
        return try block.map { try $0(attended) } ?? attended
    }
}
