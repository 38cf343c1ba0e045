#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Tensor {
    /// The sine elementwise (radians), for sinusoidal encodings of positions and periodic features.
    public func sin() throws -> Tensor {
        try mapElements(op: "sin", { sinf($0) }, derivative: { x, _ in cosf(x) })
    }

    /// The cosine elementwise (radians).
    public func cos() throws -> Tensor {
        try mapElements(op: "cos", { cosf($0) }, derivative: { x, _ in -sinf(x) })
    }
}
