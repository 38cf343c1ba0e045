import XCTest
@testable import Polyhead

final class TensorTests: XCTestCase {
    func testInitFromScalars() throws {
        let x = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        XCTAssertEqual(x.shape, [2, 3])
        XCTAssertEqual(x.count, 6)
        XCTAssertEqual(x.rank, 2)
        XCTAssertEqual(x.scalars, [1, 2, 3, 4, 5, 6])
        XCTAssertFalse(x.requiresGrad)
        XCTAssertTrue(x.isLeaf)
        XCTAssertNil(x.grad)
        XCTAssertTrue(try Tensor([1], shape: [1], requiresGrad: true).requiresGrad)
    }

    func testScalarTensor() throws {
        let s = Tensor(2.5)
        XCTAssertEqual(s.shape, [])
        XCTAssertEqual(s.rank, 0)
        XCTAssertEqual(s.count, 1)
        XCTAssertEqual(try s.item(), 2.5)
    }

    func testEmptyTensors() throws {
        let e = try Tensor([], shape: [0, 3])
        XCTAssertEqual(e.count, 0)
        XCTAssertEqual(e.scalars, [])
        e.withUnsafeBufferPointer { XCTAssertEqual($0.count, 0) }
    }

    func testCreationHelpers() throws {
        assertClose(try Tensor.zeros([2, 2]), [0, 0, 0, 0], shape: [2, 2])
        assertClose(try Tensor.ones([3]), [1, 1, 1], shape: [3])
        assertClose(try Tensor.full([2, 1], -1.5), [-1.5, -1.5], shape: [2, 1])
        XCTAssertTrue(try Tensor.zeros([1], requiresGrad: true).requiresGrad)
        XCTAssertTrue(try Tensor.full([1], 3, requiresGrad: true).requiresGrad)
    }

    func testArange() throws {
        assertClose(try Tensor.arange(0, 5), [0, 1, 2, 3, 4], shape: [5])
        assertClose(try Tensor.arange(1, 2, step: 0.25), [1, 1.25, 1.5, 1.75], shape: [4])
        assertClose(try Tensor.arange(5, 0, step: -2), [5, 3, 1], shape: [3])
        assertClose(try Tensor.arange(0, 1, step: 0.3), [0, 0.3, 0.6, 0.9], shape: [4])
        XCTAssertEqual(try Tensor.arange(3, 1).shape, [0], "empty when the step points away from the end")
    }

    func testCopyingInit() throws {
        let source: [Float] = [1, 2, 3, 4]
        let t = try source.withUnsafeBufferPointer { try Tensor(copying: $0.baseAddress, count: 4, shape: [2, 2]) }
        XCTAssertEqual(t.scalars, source)
        XCTAssertEqual(try Tensor(copying: nil, count: 0, shape: [0]).count, 0)
        assertThrows(.shapeMismatch, op: "tensor", mentions: ["(2, 2)"]) {
            try source.withUnsafeBufferPointer { try Tensor(copying: $0.baseAddress, count: 3, shape: [2, 2]) }
        }
        assertThrows(.shapeMismatch, op: "tensor", "NULL data with a non-zero count") { try Tensor(copying: nil, count: 2, shape: [2]) }
    }

    func testWrappingExternalMemoryReleasesOnce() throws {
        let memory = UnsafeMutablePointer<Float>.allocate(capacity: 4)
        memory.initialize(repeating: 7, count: 4)
        final class Counter { var releases = 0 }
        let counter = Counter()
        do {
            let t = try Tensor.wrapping(memory, count: 4, shape: [4]) { counter.releases += 1 }
            let view = try t.reshaped([2, 2])
            memory[0] = 1
            XCTAssertEqual(view.scalars, [1, 7, 7, 7], "no copy")
            XCTAssertEqual(counter.releases, 0)
        }
        XCTAssertEqual(counter.releases, 1)
        assertThrows(.shapeMismatch, op: "from_buffer", mentions: ["(3,)"]) {
            try Tensor.wrapping(memory, count: 4, shape: [3]) { counter.releases += 1 }
        }
        XCTAssertEqual(counter.releases, 2, "release runs when wrapping fails")
        memory.deallocate()
    }

    func testUnsafeAccess() throws {
        let x = try counting([3])
        x.withUnsafeMutableBufferPointer { $0[1] = 10 }
        XCTAssertEqual(x.scalars, [1, 10, 3])
        x.unsafeDataPointer[2] = 11
        XCTAssertEqual(x.withUnsafeBufferPointer { Array($0) }, [1, 10, 11])
    }

    func testItemRequiresOneElement() throws {
        XCTAssertEqual(try T([4], [1, 1]).item(), 4)
        assertThrows(.invalidArgument, op: "item", mentions: ["2 elements"]) { try T([1, 2]).item() }
        assertThrows(.invalidArgument, op: "item", mentions: ["0 elements"]) { try Tensor.zeros([0]).item() }
    }

    func testLiveObjectCountReturnsToBaseline() throws {
        let baseline = liveObjectCount
        do {
            let x = try counting([2, 2], requiresGrad: true)
            let y = try x.reshaped([4]).exp().sum()
            try y.backward()
            XCTAssertGreaterThan(liveObjectCount, baseline)
        }
        XCTAssertEqual(liveObjectCount, baseline)
    }

    func testDescribeShapes() {
        XCTAssertEqual(describe([2, 3]), "(2, 3)")
        XCTAssertEqual(describe([5]), "(5,)")
        XCTAssertEqual(describe([]), "()")
        XCTAssertEqual(PolyheadError.shapeMismatch(op: "matmul", message: "m").description, "[matmul] m")
    }
}
