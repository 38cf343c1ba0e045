/// A pair of sizes along the height and width axes of an NCHW tensor (kernel, stride or padding).
public struct Size2d: Equatable, CustomStringConvertible {
    /// Along the height axis.
    public var height: Int
    /// Along the width axis.
    public var width: Int

    /// Creates the pair `(height, width)`.
    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    /// The same size along both axes.
    public init(square size: Int) { self.init(size, size) }

    /// `(height, width)`, the way error messages print it.
    public var description: String { "(\(height), \(width))" }
}

/// The geometry of a 2-D sliding window (convolution or pooling) over the last two axes of an NCHW input:
/// kernel, stride, zero padding before (top, left) and after (bottom, right; by default the same), and the
/// resulting output size, as in PyTorch: `out = (in + 2·padding − kernel) / stride + 1` (rounded down).
struct Window2d {
    /// `padding` is the leading (top, left) padding.
    let kernel: Size2d, stride: Size2d, padding: Size2d
    let inputHeight: Int, inputWidth: Int
    let outputHeight: Int, outputWidth: Int

    /// Output pixels per plane.
    var outputArea: Int { outputHeight * outputWidth }
    /// Input pixels per plane.
    var inputArea: Int { inputHeight * inputWidth }

    /// Checks the hyper-parameters against an input plane of `input` (height, width); `trailing` is the
    /// bottom/right padding when it differs from the top/left `padding` (TensorFlow's uneven 'same').
    /// - Throws: `PolyheadError.invalidArgument` for a kernel or stride < 1, negative padding, sizes beyond
    ///   2³¹ − 1, or a kernel larger than the padded input.
    init(op: String, input: Size2d, kernel: Size2d, stride: Size2d, padding: Size2d, trailing: Size2d? = nil) throws {
        let limit = Int(Int32.max), after = trailing ?? padding
        for (name, pair, low) in [("kernel size", kernel, 1), ("stride", stride, 1), ("padding", padding, 0), ("padding", after, 0)] {
            guard pair.height >= low, pair.width >= low, pair.height <= limit, pair.width <= limit else {
                throw PolyheadError.invalidArgument(
                    op: op, message: "\(name) must be in \(low)...\(limit) along both axes, got \(pair)")
            }
        }
        let paddedHeight = input.height + padding.height + after.height
        let paddedWidth = input.width + padding.width + after.width
        guard kernel.height <= paddedHeight, kernel.width <= paddedWidth else {
            throw PolyheadError.invalidArgument(
                op: op, message: "kernel size \(kernel) is larger than the padded input "
                    + "(\(paddedHeight), \(paddedWidth)) (input \(input), padding \(padding)"
                    + "\(after == padding ? "" : " before, \(after) after"))")
        }
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        inputHeight = input.height
        inputWidth = input.width
        outputHeight = (paddedHeight - kernel.height) / stride.height + 1
        outputWidth = (paddedWidth - kernel.width) / stride.width + 1
        // Planes whose pixel counts overflow (possible beside an empty batch, or from huge padding) throw here,
        // so `inputArea` and `outputArea` never overflow.
        _ = try Shape.elementCount([inputHeight, inputWidth], op: op)
        _ = try Shape.elementCount([outputHeight, outputWidth], op: op)
    }

    /// The output positions `o` (along one axis) whose input position `o·stride − padding + offset` lies
    /// inside `0..<length`, as a half-open range clipped to `0..<outputs`.
    @inline(__always)
    static func validOutputs(offset: Int, stride: Int, padding: Int, length: Int, outputs: Int) -> Range<Int> {
        // o·s − p + offset ≥ 0  ⇔  o ≥ ⌈(p − offset) / s⌉;   o·s − p + offset < length  ⇔  o < ⌈(length + p − offset) / s⌉
        let lowNumerator = padding - offset, highNumerator = length + padding - offset
        let low = lowNumerator <= 0 ? 0 : (lowNumerator + stride - 1) / stride
        let high = highNumerator <= 0 ? 0 : (highNumerator + stride - 1) / stride
        let clippedLow = Swift.min(low, outputs)
        return clippedLow..<Swift.max(clippedLow, Swift.min(high, outputs))
    }
}

extension Tensor {
    /// The (N, C, H, W) sizes of a 4-D tensor.
    /// - Throws: `PolyheadError.shapeMismatch` naming `op` and `what` for any other rank.
    func nchw(op: String, what: String = "input") throws -> (n: Int, c: Int, h: Int, w: Int) {
        guard rank == 4 else {
            throw PolyheadError.shapeMismatch(
                op: op, message: "expected a 4-D \(what) (N, C, H, W), got \(describe(shape))")
        }
        return (shape[0], shape[1], shape[2], shape[3])
    }
}
