// Constant padding of the last two axes of NCHW tensors, possibly uneven (TensorFlow's 'same' padding puts
// the odd extra row/column at the bottom/right), as PyTorch's `F.pad(x, (left, right, top, bottom), value=v)`.

/// The rows and columns added on each side of a plane.
public struct EdgePadding2d: Equatable, CustomStringConvertible {
    public var top: Int, bottom: Int, left: Int, right: Int

    /// Padding of `top`, `bottom`, `left` and `right` pixels.
    public init(top: Int, bottom: Int, left: Int, right: Int) {
        (self.top, self.bottom, self.left, self.right) = (top, bottom, left, right)
    }

    /// No padding.
    public static let zero = EdgePadding2d(top: 0, bottom: 0, left: 0, right: 0)

    /// TensorFlow's 'same' padding of `input` for `kernel` and `stride`: the output has ⌈input / stride⌉
    /// positions per axis; the total padding `max((out − 1)·stride + kernel − input, 0)` is split with the
    /// extra pixel at the bottom/right.
    public static func same(input: Size2d, kernel: Size2d, stride: Size2d) -> EdgePadding2d {
        func split(_ length: Int, _ kernel: Int, _ stride: Int) -> (Int, Int) {
            let outputs = (length + stride - 1) / stride
            let total = Swift.max((outputs - 1) * stride + kernel - length, 0)
            return (total / 2, total - total / 2)
        }
        let (top, bottom) = split(input.height, kernel.height, stride.height)
        let (left, right) = split(input.width, kernel.width, stride.width)
        return EdgePadding2d(top: top, bottom: bottom, left: left, right: right)
    }

    /// Whether no pixel is added.
    public var isZero: Bool { self == .zero }

    public var description: String { "(top \(top), bottom \(bottom), left \(left), right \(right))" }
}

extension Tensor {
    /// The tensor with `padding` rows/columns of `value` around each (H, W) plane.
    ///
    /// Shapes: (N, C, H, W) → (N, C, H + top + bottom, W + left + right). The gradient is the interior.
    /// - Throws: `PolyheadError.shapeMismatch` unless 4-D; `.invalidArgument` for negative padding;
    ///   `.outOfMemory` when the result is too large.
    public func padded2d(_ padding: EdgePadding2d, value: Float = 0) throws -> Tensor {
        let op = "pad2d"
        let (n, c, h, w) = try nchw(op: op)
        guard padding.top >= 0, padding.bottom >= 0, padding.left >= 0, padding.right >= 0 else {
            throw PolyheadError.invalidArgument(op: op, message: "padding must be ≥ 0, got \(padding)")
        }
        func grown(_ size: Int, _ before: Int, _ after: Int) -> Int? {
            let (partial, first) = size.addingReportingOverflow(before), (total, second) = partial.addingReportingOverflow(after)
            return first || second ? nil : total
        }
        guard let paddedHeight = grown(h, padding.top, padding.bottom), let paddedWidth = grown(w, padding.left, padding.right) else {
            throw PolyheadError.outOfMemory(op: op, message: "padding \(padding) of \(describe(shape)) overflows")
        }
        let result = try Tensor.empty([n, c, paddedHeight, paddedWidth], op: op)
        result.storage.pointer.update(repeating: value, count: result.count)
        let planes = n * c
        copyInterior(planes: planes, h, w, padding, paddedWidth, paddedHeight) { plane, padded in
            (result.storage.pointer + padded).update(from: storage.pointer + plane, count: w)
        }
        let inputShape = shape
        return try result.recorded(from: [self], op: op) { grad in
            let gradient = try Tensor.empty(inputShape, op: op)
            copyInterior(planes: planes, h, w, padding, paddedWidth, paddedHeight) { plane, padded in
                (gradient.storage.pointer + plane).update(from: grad.storage.pointer + padded, count: w)
            }
            return [gradient]
        }
    }
}

/// Calls `body(offset in the unpadded tensor, offset in the padded tensor)` for the start of every row.
@inline(__always)
private func copyInterior(
    planes: Int, _ h: Int, _ w: Int, _ padding: EdgePadding2d, _ paddedWidth: Int, _ paddedHeight: Int,
    _ body: (Int, Int) -> Void
) {
    for plane in 0..<planes {
        for y in 0..<h {
            body((plane * h + y) * w, (plane * paddedHeight + y + padding.top) * paddedWidth + padding.left)
        }
    }
}
