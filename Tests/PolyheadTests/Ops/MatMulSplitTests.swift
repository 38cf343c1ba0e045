import XCTest
@testable import Polyhead

/// `gemm` cuts large products between the threads: the cut must not change a single bit.
final class MatMulSplitTests: XCTestCase {
    func testSplitProductsEqualOneThreadBitForBitAndTheFloat64Reference() throws {
        let previous = numThreads
        defer { try? setNumThreads(previous) }
        manualSeed(3)
        // (m, n, k): cut along m, along n, with ragged parts, and one below the split size.
        for (m, n, k) in [(301, 40, 190), (24, 517, 170), (130, 131, 129), (8, 8, 8)] {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = try Tensor.randn(ta ? [k, m] : [m, k]), b = try Tensor.randn(tb ? [n, k] : [k, n])
                let start = try Tensor.randn([m, n])
                func product(threads: Int, accumulate: Bool) throws -> [Float] {
                    try setNumThreads(threads)
                    let c = try Tensor.empty([m, n], op: "test")
                    c.storage.pointer.update(from: start.storage.pointer, count: m * n)
                    gemm(a, b, into: c, m: m, n: n, k: k, transposeA: ta, transposeB: tb, accumulate: accumulate)
                    return c.scalars
                }
                let label = "\(m)×\(n)×\(k) \(ta ? "T" : "N")\(tb ? "T" : "N")"
                for accumulate in [false, true] {
                    let one = try product(threads: 1, accumulate: accumulate)
                    XCTAssertEqual(try product(threads: 2, accumulate: accumulate), one, "\(label), 2 threads")
                    XCTAssertEqual(try product(threads: 3, accumulate: accumulate), one, "\(label), 3 threads")
                    let reference = Ref.matmul(ref(a), ref(b), transposeA: ta, transposeB: tb).values
                    let expected = accumulate ? zip(reference, start.scalars).map { $0 + Double($1) } : reference
                    let error = zip(one, expected).map { abs(Double($0) - $1) }.max() ?? 0
                    XCTAssertLessThan(error, 1e-4 * Double(k), label)
                }
            }
        }
    }

    private func ref(_ tensor: Tensor) -> Ref { Ref(shape: tensor.shape, values: tensor.scalars.map(Double.init)) }
}
