import PolyheadC
import XCTest

/// The layer functions of issue 4 through their C entry points: values, gradients, in-place running
/// statistics, error statuses, NULL arguments, and handles that are all freed.
final class LayersABITests: ABITestCase {
    /// Runs a one-output call, returns its values and shape, and frees the result.
    private func run(
        _ label: String, file: StaticString = #filePath, line: UInt = #line,
        _ call: (UnsafeMutablePointer<OpaquePointer?>) -> Int32
    ) -> ([Float], [Int64]) {
        var out: OpaquePointer?
        assertOK(call(&out), label, file: file, line: line)
        defer { free(out) }
        return (values(out, file: file, line: line), shape(out, file: file, line: line))
    }

    func testConvolutionAndItsGradients() {
        let x = makeParameter((1...9).map(Float.init), [1, 1, 3, 3]), w = makeParameter([1, 1, 1, 1], [1, 1, 2, 2])
        let b = makeTensor([10], [1])
        defer { free(x, w, b) }
        var y: OpaquePointer?
        assertOK(ph_conv2d(&y, x, w, b, 1, 1, 0, 0))
        XCTAssertEqual(values(y), [22, 26, 34, 38])
        XCTAssertEqual(shape(y), [1, 1, 2, 2])
        var total: OpaquePointer?
        assertOK(ph_sum_all(&total, y))
        assertOK(ph_tensor_backward(total, nil, 0))
        XCTAssertEqual(gradValues(w), [12, 16, 24, 28])
        XCTAssertEqual(gradValues(x), [1, 2, 1, 2, 4, 2, 1, 2, 1])
        free(y, total)
        XCTAssertEqual(run("padded, strided") { ph_conv2d($0, x, w, nil, 2, 2, 1, 1) }.0, [1, 5, 11, 28])
        var out: OpaquePointer?
        assertStatus(Status.value, mentions: ["[conv2d]", "stride", "(0, 1)"]) { ph_conv2d(&out, x, w, nil, 0, 1, 0, 0) }
        assertStatus(Status.value, mentions: ["[conv2d]", "bias (1, 1, 2, 2)"]) {
            ph_conv2d(&out, x, w, w, 1, 1, 0, 0)
        }
        assertStatus(Status.value, mentions: ["[conv2d]", "padding"]) { ph_conv2d(&out, x, w, nil, 1, 1, Int64.max, 0) }
        XCTAssertNil(out)
    }

    func testConvInit() {
        var weight: OpaquePointer?, bias: OpaquePointer?
        assertOK(ph_conv2d_init(&weight, &bias, 3, 4, 3, 2, 1))
        XCTAssertEqual(shape(weight), [4, 3, 3, 2])
        XCTAssertEqual(shape(bias), [4])
        let bound = 1 / Float(18).squareRoot()
        XCTAssertTrue((values(weight) + values(bias)).allSatisfy { abs($0) <= bound })
        var flag: Int32 = 0
        assertOK(ph_tensor_requires_grad(&flag, weight))
        XCTAssertEqual(flag, 1)
        free(weight, bias)
        var noBias: OpaquePointer? = OpaquePointer(bitPattern: 1)
        assertOK(ph_conv2d_init(&weight, &noBias, 1, 1, 1, 1, 0))
        XCTAssertNil(noBias)
        free(weight)
        assertStatus(Status.value, mentions: ["[Conv2d]"]) { ph_conv2d_init(&weight, &bias, 0, 1, 1, 1, 1) }
    }

    func testPooling() {
        let x = makeTensor((1...16).map(Float.init), [1, 1, 4, 4])
        defer { free(x) }
        XCTAssertEqual(run("max") { ph_max_pool2d($0, x, 2, 2, 2, 2, 0, 0) }.0, [6, 8, 14, 16])
        XCTAssertEqual(run("avg") { ph_avg_pool2d($0, x, 2, 2, 2, 2, 0, 0, 1) }.0, [3.5, 5.5, 11.5, 13.5])
        XCTAssertEqual(run("avg padded, not counting the pad") { ph_avg_pool2d($0, x, 2, 2, 2, 2, 1, 1, 0) }.0,
                       [1, 2.5, 4, 7, 8.5, 10, 13, 14.5, 16])
        var out: OpaquePointer?
        assertStatus(Status.value, mentions: ["[max_pool2d]", "padding (2, 2)"]) { ph_max_pool2d(&out, x, 3, 3, 1, 1, 2, 2) }
        assertStatus(Status.value, mentions: ["[avg_pool2d]", "4-D"]) {
            let flat = makeTensor([1, 2], [2])
            defer { free(flat) }
            return ph_avg_pool2d(&out, flat, 1, 1, 1, 1, 0, 0, 1)
        }
    }

    func testDropoutFollowsTheSeed() {
        let x = makeTensor([Float](repeating: 1, count: 32), [32])
        defer { free(x) }
        assertOK(ph_manual_seed(8))
        let first = run("dropout") { ph_dropout($0, x, 0.5) }.0
        assertOK(ph_manual_seed(8))
        XCTAssertEqual(run("dropout again") { ph_dropout($0, x, 0.5) }.0, first)
        XCTAssertTrue(first.allSatisfy { $0 == 0 || $0 == 2 })
        var out: OpaquePointer?
        assertStatus(Status.value, mentions: ["[dropout]", "between 0 and 1"]) { ph_dropout(&out, x, 2) }
    }

    func testEmbedding() {
        let weight = makeParameter((1...8).map(Float.init), [4, 2])
        defer { free(weight) }
        var indices: [Int64] = [3, 0, 3, 1], indexShape: [Int64] = [2, 2]
        var y: OpaquePointer?
        assertOK(ph_embedding(&y, weight, &indices, 4, &indexShape, 2, 0))
        XCTAssertEqual(values(y), [7, 8, 1, 2, 7, 8, 3, 4])
        XCTAssertEqual(shape(y), [2, 2, 2])
        var total: OpaquePointer?
        assertOK(ph_sum_all(&total, y))
        assertOK(ph_tensor_backward(total, nil, 0))
        XCTAssertEqual(gradValues(weight), [0, 0, 1, 1, 0, 0, 2, 2], "row 0 is the padding row")
        free(y, total)
        var out: OpaquePointer?
        var bad: [Int64] = [4]
        var one: [Int64] = [1]
        assertStatus(Status.index, mentions: ["[embedding]", "index 4"]) { ph_embedding(&out, weight, &bad, 1, &one, 1, -1) }
        assertStatus(Status.index, mentions: ["padding_idx", "-2"]) { ph_embedding(&out, weight, &indices, 1, &one, 1, -2) }
        assertStatus(Status.value, mentions: ["[embedding]", "4 indices", "(1,)"]) {
            ph_embedding(&out, weight, &indices, 4, &one, 1, -1)
        }
        assertStatus(Status.value, mentions: ["indices is NULL"]) { ph_embedding(&out, weight, nil, 1, &one, 1, -1) }
        var table: OpaquePointer?
        assertOK(ph_embedding_init(&table, 3, 2, 1))
        XCTAssertEqual(shape(table), [3, 2])
        XCTAssertEqual(Array(values(table)[2..<4]), [0, 0])
        free(table)
    }

    func testNormalization() {
        let x = makeTensor([1, 2, 3, 2, 5, 2, 7, 2], [4, 2])
        let mean = makeTensor([0, 0], [2]), variance = makeTensor([1, 1], [2])
        defer { free(x, mean, variance) }
        var normalized: [Int64] = [2]
        let rows = run("layer_norm") { ph_layer_norm($0, x, &normalized, 1, nil, nil, 0) }.0
        assertValues(rows, [-1, 1, 1, -1, 1, -1, 1, -1])
        _ = run("batch_norm training") { ph_batch_norm($0, x, mean, variance, nil, nil, 1, 0.1, 1e-5) }
        assertValues(values(mean), [0.4, 0.2])
        assertValues(values(variance), [0.9 + 0.1 * 20 / 3, 0.9])
        _ = run("batch_norm evaluation") { ph_batch_norm($0, x, mean, variance, nil, nil, 0, 0.1, 1e-5) }
        assertValues(values(mean), [0.4, 0.2], "evaluation leaves the statistics alone")
        var out: OpaquePointer?
        var wrong: [Int64] = [3]
        assertStatus(Status.value, mentions: ["[layer_norm]", "(3,)", "(4, 2)"]) { ph_layer_norm(&out, x, &wrong, 1, nil, nil, 1e-5) }
        assertStatus(Status.value, mentions: ["[batch_norm]", "required in evaluation"]) {
            ph_batch_norm(&out, x, nil, nil, nil, nil, 0, 0.1, 1e-5)
        }
    }

    func testActivations() {
        let x = makeTensor([-1, 0, 2], [3])
        defer { free(x) }
        assertValues(run("gelu") { ph_gelu($0, x, 0) }.0, [-0.1586553, 0, 1.9544997])
        assertValues(run("gelu tanh") { ph_gelu($0, x, 1) }.0, [-0.1588080, 0, 1.9545977])
        assertValues(run("leaky_relu") { ph_leaky_relu($0, x, 0.1) }.0, [-0.1, 0, 2])
        assertValues(run("elu") { ph_elu($0, x, 2) }.0, [2 * (exp(-1.0) - 1), 0, 2])
        var out: OpaquePointer?
        assertStatus(Status.value, mentions: ["[gelu]", "approximation 7"]) { ph_gelu(&out, x, 7) }
        assertStatus(Status.value, mentions: ["[elu]"]) { ph_elu(&out, x, .nan) }
    }

    func testNullArgumentsAreValueErrors() {
        let x = makeTensor([1, 2, 3, 4], [1, 1, 2, 2]), w = makeTensor([1], [1, 1, 1, 1])
        defer { free(x, w) }
        var out: OpaquePointer?, second: OpaquePointer?
        var index: [Int64] = [0], one: [Int64] = [1]
        let calls: [(String, () -> Int32)] = [
            ("conv2d out", { ph_conv2d(nil, x, w, nil, 1, 1, 0, 0) }), ("conv2d x", { ph_conv2d(&out, nil, w, nil, 1, 1, 0, 0) }),
            ("conv2d weight", { ph_conv2d(&out, x, nil, nil, 1, 1, 0, 0) }),
            ("conv2d_init weight_out", { ph_conv2d_init(nil, &second, 1, 1, 1, 1, 1) }),
            ("conv2d_init bias_out", { ph_conv2d_init(&out, nil, 1, 1, 1, 1, 1) }),
            ("max_pool2d", { ph_max_pool2d(&out, nil, 1, 1, 1, 1, 0, 0) }), ("max_pool2d out", { ph_max_pool2d(nil, x, 1, 1, 1, 1, 0, 0) }),
            ("avg_pool2d", { ph_avg_pool2d(&out, nil, 1, 1, 1, 1, 0, 0, 1) }), ("dropout", { ph_dropout(&out, nil, 0.5) }),
            ("dropout out", { ph_dropout(nil, x, 0.5) }), ("embedding", { ph_embedding(&out, nil, &index, 1, &one, 1, -1) }),
            ("embedding shape", { ph_embedding(&out, w, &index, 1, nil, 1, -1) }),
            ("embedding_init", { ph_embedding_init(nil, 2, 2, -1) }), ("layer_norm", { ph_layer_norm(&out, nil, &one, 1, nil, nil, 0) }),
            ("layer_norm shape", { ph_layer_norm(&out, x, nil, 1, nil, nil, 0) }),
            ("batch_norm", { ph_batch_norm(&out, nil, nil, nil, nil, nil, 1, 0.1, 0) }), ("gelu", { ph_gelu(&out, nil, 0) }),
            ("leaky_relu", { ph_leaky_relu(&out, nil, 0.1) }), ("elu", { ph_elu(nil, x, 1) }),
        ]
        for (label, call) in calls {
            assertStatus(Status.value, mentions: ["NULL"], label, call)
        }
        XCTAssertNil(out)
        XCTAssertNil(second)
    }
}
