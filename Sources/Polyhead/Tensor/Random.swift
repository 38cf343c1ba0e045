#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The one seeded generator (SplitMix64, Steele et al. 2014) behind every random tensor and initialiser,
/// so that the same seed gives the same numbers from Swift and from Python.
struct SplitMix64 {
    /// The generator's whole state.
    var state: UInt64

    /// The next 64 random bits.
    @inline(__always) mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A float uniform in [0, 1) with 24 random bits.
    @inline(__always) mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A double uniform in (0, 1] with 53 random bits.
    @inline(__always) mutating func nextOpenUnitDouble() -> Double {
        (Double(next() >> 11) + 1) * 0x1p-53
    }
}

/// The global generator, guarded for use from several threads.
let globalGenerator = Mutex(SplitMix64(state: 0x5DEE_CE66_D1CE_5EED))

/// Seeds the global random generator; the same seed reproduces every random tensor and initialisation.
public func manualSeed(_ seed: UInt64) {
    globalGenerator.withLock { $0 = SplitMix64(state: seed) }
}

extension Tensor {
    /// A tensor of samples uniform in `[low, high)` from the global generator.
    /// - Throws: `PolyheadError.invalidArgument` unless `low < high` (both finite).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1) throws -> Tensor {
        guard low < high, low.isFinite, high.isFinite else {
            throw PolyheadError.invalidArgument(
                op: "uniform", message: "need finite low < high, got low=\(low), high=\(high)")
        }
        let result = try empty(shape, op: "uniform")
        let p = result.storage.pointer, width = high - low
        globalGenerator.withLock { generator in
            for i in 0..<result.count { p[i] = low + width * generator.nextUnitFloat() }
        }
        return result
    }

    /// A tensor of samples uniform in `[0, 1)`.
    public static func rand(_ shape: [Int]) throws -> Tensor { try uniform(shape) }

    /// A tensor of standard-normal samples (Box–Muller on pairs of uniforms) from the global generator.
    public static func randn(_ shape: [Int]) throws -> Tensor {
        let result = try empty(shape, op: "randn")
        let p = result.storage.pointer, n = result.count
        globalGenerator.withLock { generator in
            var i = 0
            while i < n {
                let radius = (-2 * Glibc.log(generator.nextOpenUnitDouble())).squareRoot()
                let angle = 2 * Double.pi * generator.nextOpenUnitDouble()
                p[i] = Float(radius * Glibc.cos(angle))
                if i + 1 < n { p[i + 1] = Float(radius * Glibc.sin(angle)) }
                i += 2
            }
        }
        return result
    }
}

/// Fills `order` with a random permutation of `0..<order.count` (Fisher–Yates) drawn from `generator`.
private func shuffleIndices(_ order: UnsafeMutableBufferPointer<Int64>, _ generator: inout SplitMix64) {
    for i in order.indices { order[i] = Int64(i) }
    for i in stride(from: order.count - 1, to: 0, by: -1) {
        order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
    }
}

/// Fills `order` with a random permutation of `0..<order.count` (Fisher–Yates) from the global generator:
/// the order `polyhead.randperm` and the fit loop's shuffling draw.
public func randomPermutation(into order: UnsafeMutableBufferPointer<Int64>) {
    globalGenerator.withLock { shuffleIndices(order, &$0) }
}

/// Like `randomPermutation(into:)`, drawn from a caller-held generator state instead of the global one
/// (`polyhead.Generator`); `state` is a SplitMix64 state, seeded like `manualSeed` and advanced in place.
public func randomPermutation(into order: UnsafeMutableBufferPointer<Int64>, state: inout UInt64) {
    var generator = SplitMix64(state: state)
    shuffleIndices(order, &generator)
    state = generator.state
}

/// A random permutation of `0..<count` (Fisher–Yates) from the global generator.
func randomPermutation(_ count: Int) -> [Int] {
    [Int](unsafeUninitializedCapacity: count) { buffer, initialized in
        UnsafeMutableBufferPointer(rebasing: buffer[..<count]).withMemoryRebound(to: Int64.self) {
            randomPermutation(into: $0)
        }
        initialized = count
    }
}

/// `count` standard-normal samples in Double (Box–Muller) from the global generator.
func randomNormals(_ count: Int) -> [Double] {
    globalGenerator.withLock { generator in
        (0..<count).map { _ in
            (-2 * Glibc.log(generator.nextOpenUnitDouble())).squareRoot()
                * Glibc.cos(2 * Double.pi * generator.nextOpenUnitDouble())
        }
    }
}

/// `count` samples uniform in [0, 1) in Double from the global generator.
func randomUniforms(_ count: Int) -> [Double] {
    globalGenerator.withLock { generator in (0..<count).map { _ in generator.nextOpenUnitDouble() - 0x1p-53 } }
}
