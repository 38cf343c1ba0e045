import CBLAS

/// Sets the number of threads OpenBLAS uses for matrix products (PyTorch's `set_num_threads`).
/// - Throws: `PolyheadError.invalidArgument` unless `count ≥ 1`.
public func setNumThreads(_ count: Int) throws {
    guard count >= 1, count <= 1024 else {
        throw PolyheadError.invalidArgument(op: "set_num_threads", message: "thread count must be in 1...1024, got \(count)")
    }
    openblas_set_num_threads(Int32(count))
}

/// The number of threads OpenBLAS uses for matrix products.
public var numThreads: Int { Int(openblas_get_num_threads()) }
