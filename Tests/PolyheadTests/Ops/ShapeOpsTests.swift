import XCTest
@testable import Polyhead

/// Reference reshape: the same values with a new shape.
private func reshape(_ r: Ref, _ shape: [Int]) -> Ref { Ref(shape: shape, values: r.values) }

/// Reference concatenation of matrices along axis 0 or 1.
private func concat(_ refs: [Ref], axis: Int) -> Ref {
    if axis == 0 {
        return Ref(shape: [refs.map { $0.shape[0] }.reduce(0, +), refs[0].shape[1]], values: refs.flatMap(\.values))
    }
    let rows = refs[0].shape[0]
    var values: [Double] = []
    for r in 0..<rows {
        for ref in refs { values += ref.values[(r * ref.shape[1])..<((r + 1) * ref.shape[1])] }
    }
    return Ref(shape: [rows, refs.map { $0.shape[1] }.reduce(0, +)], values: values)
}

/// Reference row selection.
private func select(_ r: Ref, _ indices: [Int]) -> Ref {
    let rows = r.shape[0], width = r.values.count / rows
    let values = indices.flatMap { i -> ArraySlice<Double> in
        let row = i < 0 ? i + rows : i
        return r.values[(row * width)..<((row + 1) * width)]
    }
    return Ref(shape: [indices.count] + r.shape.dropFirst(), values: values)
}

final class ShapeOpsTests: XCTestCase {
    // MARK: reshape

    func testReshape() throws {
        let x = try counting([2, 3])
        assertClose(try x.reshaped([3, 2]), [1, 2, 3, 4, 5, 6], shape: [3, 2])
        assertClose(try x.reshaped([-1]), [1, 2, 3, 4, 5, 6], shape: [6])
        assertClose(try x.reshaped([3, -1]), [1, 2, 3, 4, 5, 6], shape: [3, 2])
        assertClose(try x.reshaped([-1, 1, 2]), [1, 2, 3, 4, 5, 6], shape: [3, 1, 2])
        assertClose(try Tensor(7).reshaped([1, 1]), [7], shape: [1, 1])
        assertClose(try T([7]).reshaped([]), [7], shape: [])
        XCTAssertEqual(try Tensor.zeros([0, 3]).reshaped([-1, 3]).shape, [0, 3])
    }

    func testReshapeSharesStorage() throws {
        let x = try counting([2, 3]), view = try x.reshaped([6])
        x.withUnsafeMutableBufferPointer { $0[0] = 100 }
        XCTAssertEqual(view.scalars[0], 100)
    }

    func testReshapeGradient() {
        checkGradients(shapes: [[2, 3]], reference: { reshape($0[0], [3, 2]) }) { try $0[0].reshaped([3, -1]) }
        checkGradients(shapes: [[2, 3, 2]], reference: { reshape($0[0], [12]) }) { try $0[0].reshaped([-1]) }
    }

    func testReshapeErrors() {
        let x = try! counting([2, 3])
        assertThrows(.shapeMismatch, op: "reshape", mentions: ["(4, 2)", "6"]) { try x.reshaped([4, 2]) }
        assertThrows(.shapeMismatch, op: "reshape", mentions: ["(-1, 4)", "6"]) { try x.reshaped([-1, 4]) }
        assertThrows(.invalidArgument, op: "reshape", mentions: ["(-1, -1)"]) { try x.reshaped([-1, -1]) }
        assertThrows(.invalidArgument, op: "reshape", mentions: ["-2"]) { try x.reshaped([-2, -3]) }
        assertThrows(.shapeMismatch, op: "reshape", mentions: ["(0, -1)"]) { try x.reshaped([0, -1]) }
    }

    // MARK: transpose

    func testTransposed() throws {
        assertClose(try counting([2, 3]).transposed(), [1, 4, 2, 5, 3, 6], shape: [3, 2])
        assertClose(try counting([1, 3]).transposed(), [1, 2, 3], shape: [3, 1])
        checkGradients(shapes: [[2, 3]], reference: { $0[0].transposed }) { try $0[0].transposed() }
        assertThrows(.shapeMismatch, op: "transpose", mentions: ["(3,)"]) { try counting([3]).transposed() }
        assertThrows(.shapeMismatch, op: "transpose", mentions: ["(1, 2, 3)"]) { try counting([1, 2, 3]).transposed() }
    }

    // MARK: concatenate and split

    func testConcatenate() throws {
        let top = try T([1, 2, 3], [1, 3]), bottom = try T([4, 5, 6, 7, 8, 9], [2, 3])
        assertClose(try Tensor.concatenate([top, bottom], axis: 0), [1, 2, 3, 4, 5, 6, 7, 8, 9], shape: [3, 3])
        let left = try T([1, 2], [2, 1]), right = try T([3, 4, 5, 6], [2, 2])
        assertClose(try Tensor.concatenate([left, right], axis: 1), [1, 3, 4, 2, 5, 6], shape: [2, 3])
        assertClose(try Tensor.concatenate([left, right], axis: -1), [1, 3, 4, 2, 5, 6], shape: [2, 3])
        assertClose(try Tensor.concatenate([T([1, 2]), T([]), T([3])], axis: 0), [1, 2, 3], shape: [3])
        assertClose(try Tensor.concatenate([top], axis: 0), [1, 2, 3], shape: [1, 3])
    }

    func testConcatenateGradients() {
        checkGradients(shapes: [[1, 3], [2, 3]], reference: { concat($0, axis: 0) }) { try Tensor.concatenate($0, axis: 0) }
        checkGradients(shapes: [[2, 1], [2, 2], [2, 3]], reference: { concat($0, axis: 1) }) { try Tensor.concatenate($0, axis: 1) }
    }

    func testConcatenateSameTensorTwice() {
        checkGradients(shapes: [[2, 2]], reference: { concat([$0[0], $0[0]], axis: 1) }) { try Tensor.concatenate([$0[0], $0[0]], axis: 1) }
    }

    func testConcatenateOnlyPassesGradientsToInputsThatRequireThem() throws {
        let x = try T([1, 2], [1, 2], requiresGrad: true), constant = try T([3, 4], [1, 2])
        try (Tensor.concatenate([constant, x], axis: 0) * T([1, 2, 3, 4], [2, 2])).sum().backward()
        assertClose(gradient(of: x), [3, 4])
        XCTAssertNil(constant.grad)
    }

    func testConcatenateErrors() {
        assertThrows(.invalidArgument, op: "concat") { try Tensor.concatenate([], axis: 0) }
        assertThrows(.shapeMismatch, op: "concat", mentions: ["(2, 3)", "(2, 4)"]) {
            try Tensor.concatenate([counting([2, 3]), counting([2, 4])], axis: 0)
        }
        assertThrows(.shapeMismatch, op: "concat", mentions: ["(2, 3)", "(6,)"]) {
            try Tensor.concatenate([counting([2, 3]), counting([6])], axis: 0)
        }
        assertThrows(.indexOutOfRange, op: "concat", mentions: ["axis 2"]) {
            try Tensor.concatenate([counting([2, 3]), counting([2, 3])], axis: 2)
        }
        assertThrows(.indexOutOfRange, op: "concat", mentions: ["rank 0"]) { try Tensor.concatenate([Tensor(1), Tensor(2)], axis: 0) }
    }

    func testSplit() throws {
        let rows = try counting([3, 2]).split(sizes: [1, 2], axis: 0)
        XCTAssertEqual(rows.count, 2)
        assertClose(rows[0], [1, 2], shape: [1, 2])
        assertClose(rows[1], [3, 4, 5, 6], shape: [2, 2])
        let columns = try counting([2, 3]).split(sizes: [2, 1], axis: 1)
        assertClose(columns[0], [1, 2, 4, 5], shape: [2, 2])
        assertClose(columns[1], [3, 6], shape: [2, 1])
        let withEmpty = try counting([2, 3]).split(sizes: [0, 3, 0], axis: -1)
        XCTAssertEqual(withEmpty.map(\.shape), [[2, 0], [2, 3], [2, 0]])
        assertClose(withEmpty[1], [1, 2, 3, 4, 5, 6])
    }

    func testSplitGradients() {
        // Both pieces reassembled in swapped order, then each piece alone (the other gets zeros).
        checkGradients(shapes: [[2, 3]], reference: { refs in
            let r = refs[0]
            let a = Ref(shape: [2, 2], values: [r.values[0], r.values[1], r.values[3], r.values[4]])
            let b = Ref(shape: [2, 1], values: [r.values[2], r.values[5]])
            return concat([b, a], axis: 1)
        }) { x in
            let pieces = try x[0].split(sizes: [2, 1], axis: 1)
            return try Tensor.concatenate([pieces[1], pieces[0]], axis: 1)
        }
        checkGradients(shapes: [[3, 2]], reference: { Ref(shape: [2, 2], values: Array($0[0].values[2...])) }) {
            try $0[0].split(sizes: [1, 2], axis: 0)[1]
        }
        checkGradients(shapes: [[2, 3]], reference: { Ref(shape: [2, 1], values: [$0[0].values[2], $0[0].values[5]]) }) {
            try $0[0].split(sizes: [2, 1], axis: 1)[1]
        }
    }

    func testSplitErrors() {
        let x = try! counting([2, 3])
        assertThrows(.invalidArgument, op: "split", mentions: ["3", "(2, 3)"]) { try x.split(sizes: [1, 1], axis: 1) }
        assertThrows(.invalidArgument, op: "split", mentions: ["(2, 3)"]) { try x.split(sizes: [4, -1], axis: 1) }
        assertThrows(.indexOutOfRange, op: "split", mentions: ["axis 2"]) { try x.split(sizes: [2], axis: 2) }
        assertThrows(.indexOutOfRange, op: "split", mentions: ["rank 0"]) { try Tensor(1).split(sizes: [1], axis: 0) }
    }

    // MARK: indexSelect

    func testIndexSelectWithRepeatsAndNegativeIndices() throws {
        let x = try counting([3, 2])
        assertClose(try x.indexSelect([2, 0, 2, -1, -3]), [5, 6, 1, 2, 5, 6, 5, 6, 1, 2], shape: [5, 2])
        assertClose(try x.indexSelect([]), [], shape: [0, 2])
        assertClose(try T([10, 20, 30]).indexSelect([1, 1]), [20, 20], shape: [2])
        assertClose(try counting([2, 2, 2]).indexSelect([1]), [5, 6, 7, 8], shape: [1, 2, 2])
    }

    func testIndexSelectGradientAccumulatesRepeats() throws {
        let x = try counting([3, 2], requiresGrad: true)
        try x.indexSelect([2, 0, 2, -1]).sum().backward()
        assertClose(gradient(of: x), [1, 1, 0, 0, 3, 3])
        checkGradients(shapes: [[3, 2]], reference: { select($0[0], [2, 0, 2, -1, -3]) }) { try $0[0].indexSelect([2, 0, 2, -1, -3]) }
        checkGradients(shapes: [[4]], reference: { select($0[0], [3, 3, 0]) }) { try $0[0].indexSelect([3, 3, 0]) }
    }

    func testIndexSelectErrors() {
        let x = try! counting([3, 2])
        assertThrows(.indexOutOfRange, op: "index_select", mentions: ["3", "size 3"]) { try x.indexSelect([0, 3]) }
        assertThrows(.indexOutOfRange, op: "index_select", mentions: ["-4", "size 3"]) { try x.indexSelect([-4]) }
        assertThrows(.invalidArgument, op: "index_select") { try Tensor(1).indexSelect([0]) }
        assertThrows(.indexOutOfRange, op: "index_select", mentions: ["size 0"]) { try Tensor.zeros([0, 2]).indexSelect([0]) }
    }

    // MARK: clone, detach, copy

    func testClonedCopiesAndRecords() throws {
        let x = try counting([2, 2], requiresGrad: true)
        let y = try x.cloned()
        assertClose(y, [1, 2, 3, 4], shape: [2, 2])
        y.withUnsafeMutableBufferPointer { $0[0] = -1 }
        XCTAssertEqual(x.scalars[0], 1, "clone must not share storage")
        XCTAssertTrue(y.requiresGrad)
        XCTAssertFalse(y.isLeaf)
        checkGradients(shapes: [[2, 3]], reference: { $0[0] }) { try $0[0].cloned() }
    }

    func testDetachedSharesStorageAndStopsGradients() throws {
        let x = try T([1, 2, 3], requiresGrad: true)
        let d = x.detached()
        XCTAssertFalse(d.requiresGrad)
        XCTAssertTrue(d.isLeaf)
        x.withUnsafeMutableBufferPointer { $0[2] = 5 }
        XCTAssertEqual(d.scalars, [1, 2, 5], "detach shares storage")
        // y = detach(x) · x: only the second factor carries gradient, so dy/dx = x (not 2x).
        try (d * x).sum().backward()
        assertClose(gradient(of: x), [1, 2, 5])
        XCTAssertNil(d.grad)
        let y = try x * x
        XCTAssertFalse(y.detached().requiresGrad)
    }

    func testCopyFrom() throws {
        let x = try Tensor.zeros([2, 3])
        try x.copy(from: counting([2, 3]))
        assertClose(x, [1, 2, 3, 4, 5, 6])
        try x.copy(from: T([7, 8, 9]))
        assertClose(x, [7, 8, 9, 7, 8, 9], "row broadcast")
        try x.copy(from: T([1, 2], [2, 1]))
        assertClose(x, [1, 1, 1, 2, 2, 2], "column broadcast")
        try x.copy(from: Tensor(4))
        assertClose(x, [4, 4, 4, 4, 4, 4], "scalar broadcast")
    }

    func testCopyFromIntoParametersUnderNoGrad() throws {
        let w = try Tensor.zeros([2], requiresGrad: true)
        try withoutGrad { try w.copy(from: T([3, 4])) }
        assertClose(w, [3, 4])
        XCTAssertTrue(w.requiresGrad)
    }

    func testCopyFromErrors() {
        let x = try! Tensor.zeros([2, 3])
        assertThrows(.shapeMismatch, op: "copy_", mentions: ["(2, 3)", "(3, 2)"]) { try x.copy(from: counting([3, 2])) }
        assertThrows(.shapeMismatch, op: "copy_", mentions: ["(1, 3)", "(2, 3)"], "source larger than destination") {
            try Tensor.zeros([1, 3]).copy(from: counting([2, 3]))
        }
        assertThrows(.shapeMismatch, op: "copy_", mentions: ["(3,)", "(2, 3)"]) { try Tensor.zeros([3]).copy(from: counting([2, 3])) }
        let w = try! Tensor.zeros([2], requiresGrad: true)
        assertThrows(.invalidState, op: "copy_", mentions: ["no_grad"]) { try w.copy(from: T([1, 2])) }
        let computed = try! w * 2
        assertThrows(.invalidState, op: "copy_") { try withoutGrad { try computed.copy(from: T([1, 2])) } }
    }
}
