import XCTest
@testable import Polyhead

final class ReduceTests: XCTestCase {
    // counting([2, 3]) = [[1, 2, 3], [4, 5, 6]]

    func testSumAll() throws {
        assertClose(try counting([2, 3]).sum(), [21], shape: [])
        assertClose(try Tensor(4).sum(), [4], shape: [])
        assertClose(try Tensor.zeros([0, 3]).sum(), [0], shape: [])
    }

    func testSumAlongEachAxis() throws {
        let x = try counting([2, 3])
        assertClose(try x.sum(axis: 0), [5, 7, 9], shape: [3])
        assertClose(try x.sum(axis: 0, keepingDimension: true), [5, 7, 9], shape: [1, 3])
        assertClose(try x.sum(axis: 1), [6, 15], shape: [2])
        assertClose(try x.sum(axis: 1, keepingDimension: true), [6, 15], shape: [2, 1])
        assertClose(try x.sum(axis: -1), [6, 15], shape: [2])
        assertClose(try x.sum(axis: -2, keepingDimension: true), [5, 7, 9], shape: [1, 3])
        assertClose(try counting([2, 2, 2]).sum(axis: 1), [4, 6, 12, 14], shape: [2, 2])
        assertClose(try Tensor.zeros([2, 0]).sum(axis: 1), [0, 0], shape: [2])
    }

    func testMeanAllAndAlongEachAxis() throws {
        let x = try counting([2, 3])
        assertClose(try x.mean(), [3.5], shape: [])
        assertClose(try x.mean(axis: 0), [2.5, 3.5, 4.5], shape: [3])
        assertClose(try x.mean(axis: 0, keepingDimension: true), [2.5, 3.5, 4.5], shape: [1, 3])
        assertClose(try x.mean(axis: 1), [2, 5], shape: [2])
        assertClose(try x.mean(axis: -1, keepingDimension: true), [2, 5], shape: [2, 1])
    }

    func testMaxAlongEachAxis() throws {
        let x = try T([1, 5, 3, 4, 2, 6], [2, 3])
        assertClose(try x.max(axis: 0), [4, 5, 6], shape: [3])
        assertClose(try x.max(axis: 0, keepingDimension: true), [4, 5, 6], shape: [1, 3])
        assertClose(try x.max(axis: 1), [5, 6], shape: [2])
        assertClose(try x.max(axis: -1, keepingDimension: true), [5, 6], shape: [2, 1])
        assertClose(try T([-3, -1, -2]).max(axis: 0), [-1], shape: [])
    }

    func testMaxGradientGoesToTheFirstMaximum() throws {
        let x = try T([2, 2, 1, 0, 3, 3], [2, 3], requiresGrad: true)
        try x.max(axis: 1).sum().backward()
        assertClose(gradient(of: x), [1, 0, 0, 0, 1, 0])
    }

    func testMaxPropagatesNaN() throws {
        let x = try T([1, .nan, 3, 4], [2, 2])
        assertClose(try x.max(axis: 1), [.nan, 4])
        assertClose(try x.max(axis: 0), [3, .nan])
    }

    // MARK: gradients against float64 references

    func testSumGradients() {
        checkGradients(shapes: [[2, 3, 4]], reference: { $0[0].sum() }) { try $0[0].sum() }
        for axis in 0..<3 {
            for keep in [false, true] {
                checkGradients(shapes: [[2, 3, 4]], reference: { $0[0].sum(axis: axis, keep: keep) }) {
                    try $0[0].sum(axis: axis, keepingDimension: keep)
                }
            }
        }
        checkGradients(shapes: [[2, 3, 4]], reference: { $0[0].sum(axis: 1) }) { try $0[0].sum(axis: -2) }
    }

    func testMeanGradients() {
        checkGradients(shapes: [[2, 3, 4]], reference: { $0[0].mean() }) { try $0[0].mean() }
        for axis in 0..<3 {
            for keep in [false, true] {
                checkGradients(shapes: [[2, 3, 4]], reference: { $0[0].mean(axis: axis, keep: keep) }) {
                    try $0[0].mean(axis: axis, keepingDimension: keep)
                }
            }
        }
    }

    func testMaxGradients() {
        for axis in 0..<3 {
            for keep in [false, true] {
                checkGradients(shapes: [[2, 3, 4]], domain: .distinct(2), reference: { $0[0].max(axis: axis, keep: keep) }) {
                    try $0[0].max(axis: axis, keepingDimension: keep)
                }
            }
        }
    }

    // MARK: argmax

    func testArgmaxAlongEachAxis() throws {
        let x = try T([1, 5, 3, 4, 2, 6], [2, 3])
        assertClose(try x.argmax(axis: 0), [1, 0, 1], shape: [3])
        assertClose(try x.argmax(axis: 1), [1, 2], shape: [2])
        assertClose(try x.argmax(axis: -1, keepingDimension: true), [1, 2], shape: [2, 1])
        assertClose(try counting([2, 3, 4]).argmax(axis: 1), [Double](repeating: 2, count: 8), shape: [2, 4])
    }

    func testArgmaxTiesPickTheFirstAndNaNWins() throws {
        assertClose(try T([2, 7, 7, 1]).argmax(axis: 0), [1], shape: [])
        assertClose(try T([1, .nan, 3, .nan]).argmax(axis: 0), [1], shape: [])
        assertClose(try T([-.infinity, -.infinity]).argmax(axis: 0), [0], shape: [])
    }

    func testArgmaxIsNotDifferentiable() throws {
        let x = try T([1, 3, 2], requiresGrad: true)
        let index = try x.argmax(axis: 0)
        XCTAssertFalse(index.requiresGrad)
        assertThrows(.invalidState, op: "backward") { try index.backward() }
    }

    func testArgmaxErrors() {
        assertThrows(.invalidArgument, op: "argmax", mentions: ["(2, 0)"]) { try Tensor.zeros([2, 0]).argmax(axis: 1) }
        assertThrows(.indexOutOfRange, op: "argmax", mentions: ["axis 2"]) { try Tensor.zeros([2, 3]).argmax(axis: 2) }
        assertThrows(.indexOutOfRange, op: "argmax", mentions: ["rank 0"]) { try Tensor(1).argmax(axis: 0) }
    }

    // MARK: errors

    func testAxisOutOfRange() {
        let x = try! counting([2, 3])
        assertThrows(.indexOutOfRange, op: "sum", mentions: ["2", "rank 2"]) { try x.sum(axis: 2) }
        assertThrows(.indexOutOfRange, op: "sum", mentions: ["-3"]) { try x.sum(axis: -3) }
        assertThrows(.indexOutOfRange, op: "mean", mentions: ["5"]) { try x.mean(axis: 5) }
        assertThrows(.indexOutOfRange, op: "max", mentions: ["-4"]) { try x.max(axis: -4) }
        assertThrows(.indexOutOfRange, op: "sum", mentions: ["rank 0"]) { try Tensor(1).sum(axis: 0) }
        assertThrows(.indexOutOfRange, op: "max", mentions: ["rank 0"]) { try Tensor(1).max(axis: -1) }
    }

    func testMaxOfAnEmptyAxisThrows() {
        assertThrows(.invalidArgument, op: "max", mentions: ["(2, 0)"]) { try Tensor.zeros([2, 0]).max(axis: 1) }
        XCTAssertEqual(try Tensor.zeros([0, 3]).max(axis: 1).shape, [0])
    }

    func testMeanOfEmptyIsNaN() throws {
        XCTAssertTrue(try Tensor.zeros([0]).mean().item().isNaN)
    }
}
