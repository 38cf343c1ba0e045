import CBLAS
import Dispatch

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

/// Runs `body` with OpenBLAS on one thread, then restores the thread count: for products that OpenBLAS
/// would split between threads although sharing them costs more than it saves.
func withOneBlasThread<Result>(_ body: () throws -> Result) rethrows -> Result {
    let threads = openblas_get_num_threads()
    guard threads > 1 else { return try body() }
    openblas_set_num_threads(1)
    defer { openblas_set_num_threads(threads) }
    return try body()
}

/// Runs `body` over `0..<count` split into contiguous ranges, one per thread (at most `numThreads`, and
/// none smaller than `grain` items), and returns when every range is done; small work runs inline.
///
/// Each index must be handled independently of the others (disjoint outputs), so that the result never
/// depends on the number of threads.
func parallelRanges(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
    let chunks = Swift.min(numThreads, count / Swift.max(grain, 1))
    guard chunks > 1 else {
        if count > 0 { body(0..<count) }
        return
    }
    split(count, into: chunks) { _, range in body(range) }
}

/// Runs `body(worker, units)` over `0..<count` split into at most `workers` contiguous ranges, one per
/// thread, with OpenBLAS on one thread meanwhile, so that each worker carries its units out end to end —
/// their matrix products on the worker's own thread, no synchronisation between the steps of a unit.
/// `worker` (in `0..<workers`) picks the worker's scratch memory. One worker runs inline and leaves
/// OpenBLAS's threads alone.
///
/// Each unit must be handled independently of the others (disjoint outputs), so that the result never
/// depends on the number of workers.
func parallelWorkers(_ count: Int, workers: Int, _ body: (_ worker: Int, _ units: Range<Int>) -> Void) {
    let chunks = Swift.min(workers, count)
    guard chunks > 1 else {
        if count > 0 { body(0, 0..<count) }
        return
    }
    withOneBlasThread { split(count, into: chunks, body) }
}

/// Calls `body(chunk, range)` concurrently for `chunks` contiguous near-equal ranges covering `0..<count`.
private func split(_ count: Int, into chunks: Int, _ body: (Int, Range<Int>) -> Void) {
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        body(chunk, (chunk * count / chunks)..<((chunk + 1) * count / chunks))
    }
}
