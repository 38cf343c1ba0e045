import XCTest
@testable import Polyhead

/// The channels-last (NHWC, Keras-layout) convolution and max pooling, against float64 references and the
/// NCHW ops through permutes.
final class ChannelsLastTests: XCTestCase {
    func testConvForwardAndGradientsAgainstFloat64Reference() {
        // (x shape NHWC, kernel shape (KH, KW, C, O), stride, padding (top, bottom, left, right))
        let cases: [([Int], [Int], (Int, Int), (Int, Int, Int, Int))] = [
            ([2, 5, 5, 3], [3, 3, 3, 4], (1, 1), (1, 1, 1, 1)),
            ([2, 6, 5, 2], [3, 2, 2, 3], (2, 1), (1, 1, 0, 0)),
            ([1, 7, 7, 2], [3, 3, 2, 2], (3, 2), (2, 2, 1, 1)),
            ([2, 6, 6, 2], [4, 4, 2, 3], (2, 2), (1, 2, 1, 2)),   // TensorFlow's uneven 'same' padding
            ([3, 3, 4, 4], [1, 1, 4, 5], (1, 1), (0, 0, 0, 0)),   // 1×1: the input rows are the column matrix
            ([2, 4, 4, 1], [4, 4, 1, 2], (1, 1), (0, 0, 0, 0)),   // the kernel covers the whole input
            ([1, 5, 4, 2], [1, 1, 2, 3], (2, 2), (1, 1, 0, 0)),   // 1×1 with stride and padding: im2col again
            // 3×3, stride 1, ≥ 8 channels and filters: Winograd F(2×2, 3×3) forward and input gradient, F(3×3, 2×2)
            // kernel gradient (odd sizes make partial tiles; channel counts off the 4-lane vectors), within the
            // same 1e-4 forward tolerance
            ([1, 5, 3, 9], [3, 3, 9, 8], (1, 1), (1, 1, 1, 1)),   // 'same'
            ([2, 4, 5, 8], [3, 3, 8, 10], (1, 1), (0, 0, 0, 0)),  // 'valid'
            ([1, 3, 4, 10], [3, 3, 10, 9], (1, 1), (0, 1, 1, 0)), // uneven
            ([1, 2, 3, 8], [3, 3, 8, 8], (1, 1), (3, 2, 2, 1)),   // padding wider than the kernel reach
        ]
        for (xShape, kShape, stride, padding) in cases {
            let s = Size2d(stride.0, stride.1)
            let p = EdgePadding2d(top: padding.0, bottom: padding.1, left: padding.2, right: padding.3)
            func reference(_ r: [Ref]) -> Ref {
                Ref.conv2dChannelsLast(r[0], r[1], r.count > 2 ? r[2] : nil, stride: stride, padding: p)
            }
            checkGradients(shapes: [xShape, kShape, [kShape[3]]], reference: reference) { t in
                try Tensor.conv2d(channelsLast: t[0], kernel: t[1], bias: t[2], stride: s, padding: p)
            }
            checkGradients(shapes: [xShape, kShape], reference: reference) { t in
                try Tensor.conv2d(channelsLast: t[0], kernel: t[1], bias: nil, stride: s, padding: p)
            }

        }
    }

    func testConvWithTheFusedReluAgainstFloat64Reference() {
        let p = EdgePadding2d(top: 1, bottom: 2, left: 0, right: 1)
        // im2col, then Winograd (3×3, stride 1, 9 channels and filters)
        for (shapes, stride) in [([[2, 4, 5, 2], [3, 3, 2, 3], [3]], (2, 1)), ([[2, 3, 4, 9], [3, 3, 9, 9], [9]], (1, 1))] {
            checkGradients(shapes: shapes, domain: .awayFromZero(0.2, 1), reference: { r in
                Ref.conv2dChannelsLast(r[0], r[1], r[2], stride: stride, padding: p).map { Swift.max($0, 0) }
            }) { t in
                try Tensor.conv2d(channelsLast: t[0], kernel: t[1], bias: t[2], stride: Size2d(stride.0, stride.1),
                                  padding: p, relu: true)
            }
        }
    }

    func testConvOverSeveralColumnGroupsMatchesTheNCHWConvolution() throws {
        // 16 channels, 3×3, 32×32: ~147k column entries per sample, so 13 samples span several GEMM groups.
        var random = TestRandom(seed: 7)
        let x = try Tensor(Domain.symmetric(1).sample(13 * 32 * 32 * 16, &random), shape: [13, 32, 32, 16], requiresGrad: true)
        let k = try Tensor(Domain.symmetric(0.2).sample(3 * 3 * 16 * 8, &random), shape: [3, 3, 16, 8], requiresGrad: true)
        let b = try Tensor(Domain.symmetric(1).sample(8, &random), shape: [8], requiresGrad: true)
        let seed = try Tensor(Domain.symmetric(1).sample(13 * 32 * 32 * 8, &random), shape: [13, 32, 32, 8])
        let y = try Tensor.conv2d(channelsLast: x, kernel: k, bias: b, padding: EdgePadding2d(top: 1, bottom: 1, left: 1, right: 1))
        try y.backward(seed: seed)
        let (xs, ks, bs) = (try x.detached().setGradRequired(), try k.detached().setGradRequired(), try b.detached().setGradRequired())
        let expected = try Tensor.conv2d(xs.permuted([0, 3, 1, 2]), weight: ks.permuted([3, 2, 0, 1]), bias: bs,
                                         padding: Size2d(1, 1)).permuted([0, 2, 3, 1])
        try expected.backward(seed: seed)
        // Sums of thousands of float32 terms in another order: agreement to 1e-3 (relative above 1).
        assertClose(doubles(y), doubles(expected), tolerance: 1e-3, "forward")
        assertClose(gradient(of: x), gradient(of: xs), tolerance: 1e-3, "input gradient")
        assertClose(gradient(of: k), gradient(of: ks), tolerance: 1e-3, "kernel gradient")
        let seedValues = doubles(seed)
        let biasReference = (0..<8).map { o in stride(from: o, to: seedValues.count, by: 8).reduce(0) { $0 + seedValues[$1] } }
        assertClose(gradient(of: b), biasReference, tolerance: 1e-3, "bias gradient vs float64 sums")
    }

    func testConvGivesTheSameBitsWhateverTheThreadCount() throws {
        // 7 samples of 144 × 1024 column entries: one sample per group and kernel-gradient partial; Winograd
        // forward, input and kernel gradients.
        let previous = numThreads
        defer { try? setNumThreads(previous) }
        var random = TestRandom(seed: 8)
        let xs = Domain.symmetric(1).sample(7 * 32 * 32 * 16, &random), ks = Domain.symmetric(0.2).sample(3 * 3 * 16 * 9, &random)
        let bs = Domain.symmetric(1).sample(9, &random), seed = Domain.symmetric(1).sample(7 * 32 * 32 * 9, &random)
        func run(threads: Int) throws -> [[UInt32]] {
            try setNumThreads(threads)
            let x = try Tensor(xs, shape: [7, 32, 32, 16], requiresGrad: true)
            let k = try Tensor(ks, shape: [3, 3, 16, 9], requiresGrad: true), b = try Tensor(bs, shape: [9], requiresGrad: true)
            let y = try Tensor.conv2d(channelsLast: x, kernel: k, bias: b,
                                      padding: EdgePadding2d(top: 1, bottom: 1, left: 1, right: 1), relu: true)
            try y.backward(seed: Tensor(seed, shape: y.shape))
            return try [y, XCTUnwrap(x.grad), XCTUnwrap(k.grad), XCTUnwrap(b.grad)].map { $0.scalars.map(\.bitPattern) }
        }
        let one = try run(threads: 1)
        for threads in [2, 3, 2] {
            let other = try run(threads: threads)
            for (name, i) in [("output", 0), ("input gradient", 1), ("kernel gradient", 2), ("bias gradient", 3)] {
                XCTAssertEqual(one[i], other[i], "\(name), \(threads) threads")
            }
        }
    }

    func testConvOnlyGivesTheGradientsThatAreNeededAndAcceptsAnEmptyBatch() throws {
        let x = try counting([1, 3, 3, 1]), k = try Tensor.ones([2, 2, 1, 2], requiresGrad: true)
        try Tensor.conv2d(channelsLast: x, kernel: k, bias: Tensor.zeros([2])).sum().backward()
        assertClose(gradient(of: k), [12, 12, 16, 16, 24, 24, 28, 28])
        XCTAssertNil(x.grad)
        let empty = try Tensor.zeros([0, 4, 4, 2]), kernel = try Tensor.ones([3, 3, 2, 3], requiresGrad: true)
        let y = try Tensor.conv2d(channelsLast: empty, kernel: kernel, bias: nil)
        XCTAssertEqual(y.shape, [0, 2, 2, 3])
        try y.sum().backward()
        assertClose(gradient(of: kernel), [Double](repeating: 0, count: 54))
    }

    func testConvErrorsNameShapes() {
        let x = try! Tensor.zeros([2, 5, 5, 3])
        assertThrows(.shapeMismatch, op: "conv2d", mentions: ["(3, 3, 2, 4)", "(2, 5, 5, 3)"]) {
            try Tensor.conv2d(channelsLast: x, kernel: Tensor.zeros([3, 3, 2, 4]), bias: nil)
        }
        assertThrows(.shapeMismatch, op: "conv2d", mentions: ["bias (3,)"]) {
            try Tensor.conv2d(channelsLast: x, kernel: Tensor.zeros([3, 3, 3, 4]), bias: Tensor.zeros([3]))
        }
        assertThrows(.invalidArgument, op: "conv2d", mentions: ["(6, 6)", "(5, 5)"]) {
            try Tensor.conv2d(channelsLast: x, kernel: Tensor.zeros([6, 6, 3, 4]), bias: nil)
        }
    }

    func testMaxPoolMatchesTheNCHWPoolingWithTiesAndNaN() throws {
        // Integer values make ties; NaNs must win their windows; the gradients go to the same elements.
        var random = TestRandom(seed: 3)
        var values = (0..<(3 * 7 * 6 * 5)).map { _ in Float(random.next() % 4) }
        values[17] = .nan
        values[101] = .nan
        let none = EdgePadding2d.zero, uneven = EdgePadding2d(top: 0, bottom: 1, left: 1, right: 1)
        for (kernel, stride, padding) in [(Size2d(2, 2), Size2d(2, 2), none), (Size2d(3, 2), Size2d(1, 2), none),
                                          (Size2d(7, 6), Size2d(1, 1), none), (Size2d(2, 3), Size2d(2, 2), uneven)] {
            let x = try Tensor(values, shape: [3, 7, 6, 5], requiresGrad: true)
            let xs = try Tensor(values, shape: [3, 7, 6, 5], requiresGrad: true)
            let y = try x.maxPool2d(channelsLast: kernel, stride: stride, padding: padding)
            let expected = try xs.permuted([0, 3, 1, 2]).padded2d(padding, value: -.infinity)
                .maxPool2d(kernel: kernel, stride: stride).permuted([0, 2, 3, 1])
            XCTAssertEqual(y.shape, expected.shape)
            XCTAssertEqual(y.scalars.map(\.bitPattern), expected.scalars.map(\.bitPattern), "forward \(kernel) \(stride)")
            let seed = try Tensor((0..<y.count).map { Float($0 % 7) - 3 }, shape: y.shape)
            try y.backward(seed: seed)
            try expected.backward(seed: seed)
            XCTAssertEqual(gradient(of: x), gradient(of: xs), "gradient \(kernel) \(stride)")
        }
    }

    func testMaxPoolErrors() {
        assertThrows(.shapeMismatch, op: "max_pool2d", mentions: ["(2, 4, 4)"]) {
            try Tensor.zeros([2, 4, 4]).maxPool2d(channelsLast: Size2d(2, 2), stride: Size2d(2, 2))
        }
        assertThrows(.invalidArgument, op: "max_pool2d", mentions: ["(5, 5)"]) {
            try Tensor.zeros([1, 4, 4, 2]).maxPool2d(channelsLast: Size2d(5, 5), stride: Size2d(1, 1))
        }
    }
}

private extension Tensor {
    /// This (detached) tensor, now requiring grad.
    func setGradRequired() throws -> Tensor {
        try setRequiresGrad(true)
        return self
    }
}

private extension Ref {
    /// Cross-correlation of an NHWC `x` with a (KH, KW, C, O) `kernel` plus `b` (O), zero padding.
    static func conv2dChannelsLast(_ x: Ref, _ k: Ref, _ b: Ref?, stride: (Int, Int), padding p: EdgePadding2d) -> Ref {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (kh, kw, o) = (k.shape[0], k.shape[1], k.shape[3])
        let oh = (h + p.top + p.bottom - kh) / stride.0 + 1, ow = (w + p.left + p.right - kw) / stride.1 + 1
        var out: [Double] = []
        for s in 0..<n { for oy in 0..<oh { for ox in 0..<ow { for f in 0..<o {
            var total = b?.values[f] ?? 0
            for i in 0..<kh { for j in 0..<kw {
                let iy = oy * stride.0 - p.top + i, ix = ox * stride.1 - p.left + j
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                for ch in 0..<c { total += x.values[((s * h + iy) * w + ix) * c + ch] * k.values[((i * kw + j) * c + ch) * o + f] }
            } }
            out.append(total)
        } } } }
        return Ref(shape: [n, oh, ow, o], values: out)
    }
}
