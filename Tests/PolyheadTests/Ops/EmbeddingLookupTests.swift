import XCTest
@testable import Polyhead

final class EmbeddingLookupTests: XCTestCase {
    func testGathersRowsInIndexShape() throws {
        let weight = try counting([4, 3])
        let y = try Tensor.embedding(weight, indices: [3, 0, 3, 1], indexShape: [2, 2])
        assertClose(y, [10, 11, 12, 1, 2, 3, 10, 11, 12, 4, 5, 6], shape: [2, 2, 3])
        XCTAssertEqual(try Tensor.embedding(weight, indices: [], indexShape: [0]).shape, [0, 3])
        XCTAssertEqual(try Tensor.embedding(weight, indices: [2], indexShape: []).shape, [3])
    }

    func testGradientScatterAddsAndSkipsThePaddingRow() throws {
        let weight = try counting([4, 2], requiresGrad: true)
        let y = try Tensor.embedding(weight, indices: [1, 3, 1, 0], indexShape: [4], paddingIndex: 0)
        try (y * counting([4, 2])).sum().backward()
        // Row 1 is picked at positions 0 and 2 (upstream rows [1, 2] and [5, 6]); row 3 at 1; row 0 is padding.
        assertClose(gradient(of: weight), [0, 0, 6, 8, 0, 0, 3, 4])
    }

    func testGradientAgainstFloat64Reference() {
        let indices = [2, 0, 2, 4, 1, 2]
        checkGradients(shapes: [[5, 3]], reference: { r in
            Ref(shape: [2, 3, 3], values: indices.flatMap { r[0].values[($0 * 3)..<($0 * 3 + 3)] })
        }) { try Tensor.embedding($0[0], indices: indices, indexShape: [2, 3]) }
    }

    func testIndexValidation() {
        let weight = try! Tensor.zeros([4, 2])
        assertThrows(.indexOutOfRange, op: "embedding", mentions: ["index 4", "4 embeddings"]) {
            try Tensor.embedding(weight, indices: [0, 4], indexShape: [2])
        }
        assertThrows(.indexOutOfRange, op: "embedding", mentions: ["index -1"]) {
            try Tensor.embedding(weight, indices: [-1], indexShape: [1])
        }
        assertThrows(.indexOutOfRange, op: "embedding", mentions: ["padding index 9"]) {
            try Tensor.embedding(weight, indices: [0], indexShape: [1], paddingIndex: 9)
        }
        assertThrows(.shapeMismatch, op: "embedding", mentions: ["3 indices", "(2, 2)"]) {
            try Tensor.embedding(weight, indices: [0, 1, 2], indexShape: [2, 2])
        }
        assertThrows(.shapeMismatch, op: "embedding", mentions: ["(8,)"]) {
            try Tensor.embedding(Tensor.zeros([8]), indices: [0], indexShape: [1])
        }
    }
}
