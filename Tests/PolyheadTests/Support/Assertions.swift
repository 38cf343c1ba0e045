// Shared test support: closeness assertions, error assertions, a deterministic test RNG and the gradient
// checker every op test goes through (after tinygrad's `helper_test_op`).

import Foundation
import XCTest
@testable import Polyhead

// MARK: - Building tensors

/// A tensor from literal values (the shape defaults to 1-D).
func T(_ values: [Float], _ shape: [Int]? = nil, requiresGrad: Bool = false) throws -> Tensor {
    try Tensor(values, shape: shape ?? [values.count], requiresGrad: requiresGrad)
}

/// A tensor of `shape` holding 1, 2, 3, … (row-major).
func counting(_ shape: [Int], requiresGrad: Bool = false) throws -> Tensor {
    let count = shape.reduce(1, *)
    return try Tensor((0..<count).map { Float($0 + 1) }, shape: shape, requiresGrad: requiresGrad)
}

/// The elements of a tensor widened to Double.
func doubles(_ tensor: Tensor) -> [Double] { tensor.scalars.map(Double.init) }

// MARK: - Closeness

/// Whether `actual` is within `tolerance · max(1, |expected|)` of `expected`; NaN matches NaN and
/// infinities match exactly.
func isClose(_ actual: Double, _ expected: Double, tolerance: Double) -> Bool {
    if expected.isNaN { return actual.isNaN }
    if expected.isInfinite { return actual == expected }
    return abs(actual - expected) <= tolerance * max(1, abs(expected))
}

/// Asserts that `tensor` holds `expected` (row-major) within `tolerance` (relative above 1, absolute
/// below), and, when given, that its shape is `shape`.
func assertClose(
    _ tensor: Tensor, _ expected: [Double], shape: [Int]? = nil, tolerance: Double = 1e-5,
    _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
    if let shape {
        XCTAssertEqual(tensor.shape, shape, "shape \(message)", file: file, line: line)
    }
    assertClose(doubles(tensor), expected, tolerance: tolerance, message, file: file, line: line)
}

/// Asserts that two arrays agree elementwise within `tolerance` (see `isClose`).
func assertClose(
    _ actual: [Double], _ expected: [Double], tolerance: Double = 1e-5,
    _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
    guard actual.count == expected.count else {
        return XCTFail("\(message): \(actual.count) values, expected \(expected.count)", file: file, line: line)
    }
    for i in actual.indices where !isClose(actual[i], expected[i], tolerance: tolerance) {
        return XCTFail("\(message): element \(i) is \(actual[i]), expected \(expected[i]) (±\(tolerance));"
                       + " got \(actual), expected \(expected)", file: file, line: line)
    }
}

/// Asserts that a scalar-like tensor's single value is close to `expected`.
func assertScalar(
    _ tensor: Tensor, _ expected: Double, tolerance: Double = 1e-5,
    _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(tensor.count, 1, "not a one-element tensor \(message)", file: file, line: line)
    assertClose(tensor, [expected], tolerance: tolerance, message, file: file, line: line)
}

/// The gradient of `tensor` as Doubles, failing (and returning []) when there is none.
func gradient(of tensor: Tensor, file: StaticString = #filePath, line: UInt = #line) -> [Double] {
    guard let grad = tensor.grad else {
        XCTFail("tensor of shape \(tensor.shape) has no gradient", file: file, line: line)
        return []
    }
    XCTAssertEqual(grad.shape, tensor.shape, "gradient shape", file: file, line: line)
    return doubles(grad)
}

// MARK: - Errors

/// The case of a `PolyheadError`, without its payload.
enum ErrorKind: String {
    case shapeMismatch, invalidArgument, indexOutOfRange, invalidState, outOfMemory, io
}

extension PolyheadError {
    /// The case without payload.
    var kind: ErrorKind {
        switch self {
        case .shapeMismatch: return .shapeMismatch
        case .invalidArgument: return .invalidArgument
        case .indexOutOfRange: return .indexOutOfRange
        case .invalidState: return .invalidState
        case .outOfMemory: return .outOfMemory
        case .io: return .io
        }
    }
}

/// Asserts that `body` throws the `PolyheadError` case `kind` whose description starts with `"[op]"`
/// (when `op` is given) and contains every string in `mentions` (shapes, argument values).
func assertThrows<R>(
    _ kind: ErrorKind, op: String? = nil, mentions: [String] = [], _ label: String = "",
    file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> R
) {
    do {
        _ = try body()
        XCTFail("\(label): expected \(kind) but nothing was thrown", file: file, line: line)
    } catch let error as PolyheadError {
        XCTAssertEqual(error.kind, kind, "\(label): wrong case, message: \(error)", file: file, line: line)
        let text = error.description
        if let op {
            XCTAssertTrue(text.hasPrefix("[\(op)] "), "\(label): message \(text) does not start with [\(op)]",
                          file: file, line: line)
        }
        for fragment in mentions {
            XCTAssertTrue(text.contains(fragment), "\(label): message \"\(text)\" does not mention \"\(fragment)\"",
                          file: file, line: line)
        }
    } catch {
        XCTFail("\(label): expected PolyheadError.\(kind), got \(error)", file: file, line: line)
    }
}

// MARK: - Deterministic randomness for tests (independent of the library's global generator)

/// SplitMix64 for test data, so inputs do not depend on (or disturb) `manualSeed`.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x1234_5678 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [low, high).
    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(next() >> 11) * 0x1p-53
    }
}

/// Where the gradient checker draws its inputs from.
enum Domain {
    /// Uniform in (-a, a).
    case symmetric(Double)
    /// Uniform in [low, high).
    case range(Double, Double)
    /// Magnitude uniform in [low, high) with a random sign: keeps inputs away from a kink at 0.
    case awayFromZero(Double, Double)
    /// Values in (-a, a) on a grid with spacing ≥ 0.1 and no repeats within an input: keeps max away
    /// from ties.
    case distinct(Double)

    func sample(_ count: Int, _ random: inout TestRandom) -> [Float] {
        switch self {
        case let .symmetric(a): return (0..<count).map { _ in Float(random.uniform(-a, a)) }
        case let .range(low, high): return (0..<count).map { _ in Float(random.uniform(low, high)) }
        case let .awayFromZero(low, high):
            return (0..<count).map { _ in
                let magnitude = random.uniform(low, high)
                return Float(random.next() & 1 == 0 ? magnitude : -magnitude)
            }
        case let .distinct(a):
            var values = (0..<count).map { Double($0) * 0.1 + random.uniform(0, 0.02) }
            for i in values.indices.reversed() where i > 0 {
                values.swapAt(i, Int(random.next() % UInt64(i + 1)))
            }
            let span = Double(max(count, 1)) * 0.1
            return values.map { Float(($0 / span * 2 - 1) * a) }
        }
    }
}

// MARK: - Gradient checking

/// Checks the gradient of `op` with respect to every input.
///
/// Builds random inputs of `shapes` (requiring grad), runs `backward` of `sum(op(inputs) * W)` for a fixed
/// random `W`, and compares every input's `.grad` with central finite differences of the same objective.
///
/// - With a `reference` (the op's forward written by hand in Double), the forward output is compared with
///   it, and the finite differences are taken on the reference in Double (h = 1e-6): a float64 reference.
/// - Without one, the differences are taken on the op's own float32 forward, accumulated in Double
///   (h = 1e-2, relative tolerance 1e-2 / absolute 1e-3); fine for linear and smooth ops.
func checkGradients(
    shapes: [[Int]], domain: Domain = .symmetric(1), seed: UInt64 = 1,
    reference: (([Ref]) -> Ref)? = nil, tolerance: Double? = nil,
    file: StaticString = #filePath, line: UInt = #line,
    op: ([Tensor]) throws -> Tensor
) {
    var random = TestRandom(seed: seed &+ UInt64(line))
    let values = shapes.map { domain.sample($0.reduce(1, *), &random) }
    do {
        let inputs = try zip(values, shapes).map { try Tensor($0, shape: $1, requiresGrad: true) }
        let output = try op(inputs)
        let weights = (0..<output.count).map { _ in random.uniform(-1, 1) }
        let weightTensor = try Tensor(weights.map(Float.init), shape: output.shape)
        try (output * weightTensor).sum().backward()

        // The objective Σ f(x) · W at a point given in Double, on the reference or on the float32 op.
        func objective(_ point: [[Double]]) throws -> Double {
            if let reference {
                let out = reference(zip(point, shapes).map { Ref(shape: $1, values: $0) })
                return zip(out.values, weights).reduce(0) { $0 + $1.0 * $1.1 }
            }
            let out = try withoutGrad {
                try op(try zip(point, shapes).map { try Tensor($0.map(Float.init), shape: $1) })
            }
            return zip(out.scalars, weights).reduce(0) { $0 + Double($1.0) * $1.1 }
        }
        let h: Double, defaultTolerance: Double
        if let reference {
            let expected = reference(zip(values, shapes).map { Ref(shape: $1, values: $0.map(Double.init)) })
            XCTAssertEqual(output.shape, expected.shape, "forward shape vs reference", file: file, line: line)
            assertClose(doubles(output), expected.values, tolerance: 1e-4, "forward vs float64 reference",
                        file: file, line: line)
            (h, defaultTolerance) = (1e-6, 1e-3)
        } else {
            (h, defaultTolerance) = (1e-2, 1e-2)
        }
        let start = values.map { $0.map(Double.init) }
        for (index, input) in inputs.enumerated() {
            guard let grad = input.grad else {
                XCTFail("input \(index) of shape \(shapes[index]) got no gradient", file: file, line: line)
                continue
            }
            XCTAssertEqual(grad.shape, shapes[index], "gradient shape of input \(index)", file: file, line: line)
            var numeric = [Double](repeating: 0, count: start[index].count)
            for j in numeric.indices {
                var plus = start, minus = start
                plus[index][j] += h
                minus[index][j] -= h
                if reference == nil {  // the float32 forward sees the rounded points
                    plus[index][j] = Double(Float(plus[index][j]))
                    minus[index][j] = Double(Float(minus[index][j]))
                }
                numeric[j] = (try objective(plus) - objective(minus)) / (plus[index][j] - minus[index][j])
            }
            let analytic = doubles(grad)
            let tol = tolerance ?? defaultTolerance
            for j in numeric.indices where !(abs(analytic[j] - numeric[j]) <= tol * max(abs(numeric[j]), 0.1)) {
                XCTFail("input \(index) \(shapes[index]) element \(j): analytic \(analytic[j]) vs numeric "
                        + "\(numeric[j]); analytic \(analytic), numeric \(numeric)", file: file, line: line)
                break
            }
        }
    } catch {
        XCTFail("checkGradients threw \(error)", file: file, line: line)
    }
}
