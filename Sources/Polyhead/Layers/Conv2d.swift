/// A 2-D convolution layer over NCHW inputs (PyTorch's `nn.Conv2d` with dilation 1 and one group).
public final class Conv2d: Layer {
    /// The filters, shaped `(outChannels, inChannels, kernel.height, kernel.width)` like PyTorch.
    public let weight: Tensor
    /// The bias, shaped `(outChannels)`, or `nil`.
    public let bias: Tensor?
    /// The step between windows.
    public let stride: Size2d
    /// The zeros added on both sides of each spatial axis.
    public let padding: Size2d

    /// Creates the layer; weight and bias are uniform in ±1/√(inChannels · kernel area) (PyTorch's
    /// kaiming-uniform with a = √5, like `Linear`), drawn from the global generator, weight first.
    /// - Throws: `PolyheadError.invalidArgument` for a non-positive channel count, kernel size or stride, or a
    ///   negative padding.
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Size2d, stride: Size2d = Size2d(1, 1),
        padding: Size2d = Size2d(0, 0), bias: Bool = true
    ) throws {
        guard inChannels > 0, outChannels > 0, kernelSize.height > 0, kernelSize.width > 0,
              stride.height > 0, stride.width > 0, padding.height >= 0, padding.width >= 0 else {
            throw PolyheadError.invalidArgument(
                op: "Conv2d", message: "channels, kernel size and stride must be positive and padding ≥ 0, got "
                    + "channels (\(inChannels), \(outChannels)), kernel \(kernelSize), stride \(stride), padding \(padding)")
        }
        let fanIn = try Shape.elementCount([inChannels, kernelSize.height, kernelSize.width], op: "Conv2d")
        let bound = 1 / Float(fanIn).squareRoot()
        weight = try Tensor.uniform([outChannels, inChannels, kernelSize.height, kernelSize.width], low: -bound, high: bound)
        weight.requiresGrad = true
        self.bias = bias ? try Tensor.uniform([outChannels], low: -bound, high: bound) : nil
        self.bias?.requiresGrad = true
        self.stride = stride
        self.padding = padding
    }

    /// A square kernel, stride and padding.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            bias: Bool = true) throws {
        try self.init(inChannels, outChannels, kernelSize: Size2d(square: kernelSize), stride: Size2d(square: stride),
                      padding: Size2d(square: padding), bias: bias)
    }

    /// `weight` then `bias`.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Applies the convolution to `input` (N, inChannels, H, W) → (N, outChannels, OH, OW).
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try Tensor.conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding)
    }
}
