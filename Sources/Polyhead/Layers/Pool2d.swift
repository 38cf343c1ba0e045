/// Max pooling over 2-D windows of NCHW inputs (PyTorch's `nn.MaxPool2d`, floor mode, dilation 1).
public final class MaxPool2d: ParameterFreeLayer {
    /// The window size.
    public let kernelSize: Size2d
    /// The step between windows (the kernel size by default, as PyTorch).
    public let stride: Size2d
    /// The implicit −∞ padding on both sides (at most half the kernel).
    public let padding: Size2d

    /// Creates the layer; `stride` defaults to `kernelSize`. Arguments are checked when applied.
    public init(kernelSize: Size2d, stride: Size2d? = nil, padding: Size2d = Size2d(0, 0)) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    /// A square window.
    public convenience init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.init(kernelSize: Size2d(square: kernelSize), stride: stride.map { Size2d(square: $0) },
                  padding: Size2d(square: padding))
    }

    /// The maximum of every window: (N, C, H, W) → (N, C, OH, OW).
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.maxPool2d(kernel: kernelSize, stride: stride, padding: padding)
    }
}

/// Average pooling over 2-D windows of NCHW inputs (PyTorch's `nn.AvgPool2d`, floor mode).
public final class AvgPool2d: ParameterFreeLayer {
    /// The window size.
    public let kernelSize: Size2d
    /// The step between windows (the kernel size by default, as PyTorch).
    public let stride: Size2d
    /// The zero padding on both sides (at most half the kernel).
    public let padding: Size2d
    /// Whether padded zeros count in each window's divisor (PyTorch's default `true`).
    public let countIncludePad: Bool

    /// Creates the layer; `stride` defaults to `kernelSize`. Arguments are checked when applied.
    public init(kernelSize: Size2d, stride: Size2d? = nil, padding: Size2d = Size2d(0, 0), countIncludePad: Bool = true) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.countIncludePad = countIncludePad
    }

    /// A square window.
    public convenience init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = true) {
        self.init(kernelSize: Size2d(square: kernelSize), stride: stride.map { Size2d(square: $0) },
                  padding: Size2d(square: padding), countIncludePad: countIncludePad)
    }

    /// The mean of every window: (N, C, H, W) → (N, C, OH, OW).
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.avgPool2d(kernel: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad)
    }
}
