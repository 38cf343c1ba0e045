import PolyheadC
import XCTest

/// Every op through its C entry point: forward values, errors, and handles that are all freed.
final class OpsABITests: ABITestCase {
    /// Runs a one-output op, returns its values and shape, and frees the result.
    private func run(
        _ label: String, file: StaticString = #filePath, line: UInt = #line,
        _ call: (UnsafeMutablePointer<OpaquePointer?>) -> Int32
    ) -> ([Float], [Int64]) {
        var out: OpaquePointer?
        assertOK(call(&out), label, file: file, line: line)
        defer { free(out) }
        return (values(out, file: file, line: line), shape(out, file: file, line: line))
    }

    func testElementwiseOps() {
        let a = makeTensor([1, 2, 3, 4], [2, 2]), row = makeTensor([10, 20], [2]), e = makeTensor([0, 1], [2])
        defer { free(a, row, e) }
        XCTAssertEqual(run("add") { ph_add($0, a, row) }.0, [11, 22, 13, 24])
        XCTAssertEqual(run("sub") { ph_sub($0, a, row) }.0, [-9, -18, -7, -16])
        XCTAssertEqual(run("mul") { ph_mul($0, a, row) }.0, [10, 40, 30, 80])
        XCTAssertEqual(run("div") { ph_div($0, row, a) }.1, [2, 2])
        assertValues(run("div") { ph_div($0, a, row) }.0, [0.1, 0.1, 0.3, 0.2])
        XCTAssertEqual(run("neg") { ph_neg($0, a) }.0, [-1, -2, -3, -4])
        assertValues(run("exp") { ph_exp($0, e) }.0, [1, 2.718281828])
        assertValues(run("log") { ph_log($0, a) }.0, [0, 0.6931471806, 1.0986122887, 1.3862943611])
        assertValues(run("sqrt") { ph_sqrt($0, a) }.0, [1, 1.4142135624, 1.7320508076, 2])
        assertValues(run("pow") { ph_pow_scalar($0, a, 3) }.0, [1, 8, 27, 64])
        XCTAssertEqual(run("relu") { ph_relu($0, a) }.0, [1, 2, 3, 4])
        assertValues(run("sigmoid") { ph_sigmoid($0, e) }.0, [0.5, 0.7310585786])
        assertValues(run("tanh") { ph_tanh($0, e) }.0, [0, 0.7615941560])
        var out: OpaquePointer?
        assertStatus(Status.value, mentions: ["[mul]", "(2, 2)", "(3,)"]) {
            let three = makeTensor([1, 2, 3], [3])
            defer { free(three) }
            return ph_mul(&out, a, three)
        }
    }

    func testMatmulFlagsAndLinear() {
        let a = makeTensor([1, 2, 3, 4, 5, 6], [2, 3]), b = makeTensor([1, 0, 0, 1, 1, 1], [3, 2])
        let w = makeTensor([1, 0, 1, 0, 1, 1], [2, 3]), bias = makeTensor([0.5, -1], [2])
        defer { free(a, b, w, bias) }
        let (product, productShape) = run("matmul") { ph_matmul($0, a, b, 0, 0) }
        XCTAssertEqual(product, [4, 5, 10, 11])
        XCTAssertEqual(productShape, [2, 2])
        XCTAssertEqual(run("matmul TT") { ph_matmul($0, b, a, 1, 1) }.0, [4, 10, 5, 11])
        XCTAssertEqual(run("matmul NT") { ph_matmul($0, a, w, 0, 1) }.0, [4, 5, 10, 11])
        XCTAssertEqual(run("matmul TN") { ph_matmul($0, a, a, 1, 0) }.1, [3, 3])
        XCTAssertEqual(run("linear") { ph_linear($0, a, w, bias) }.0, [4.5, 4, 10.5, 10])
        XCTAssertEqual(run("linear without bias") { ph_linear($0, a, w, nil) }.0, [4, 5, 10, 11])
        var out: OpaquePointer?
        assertStatus(Status.value, mentions: ["[linear]", "(2, 3)", "(3, 2)"]) { ph_linear(&out, a, b, nil) }
    }

    func testLinearInit() {
        XCTAssertEqual(ph_manual_seed(5), Status.ok)
        var weight: OpaquePointer?, bias: OpaquePointer?
        assertOK(ph_linear_init(&weight, &bias, 16, 4, 1))
        XCTAssertEqual(shape(weight), [4, 16])
        XCTAssertEqual(shape(bias), [4])
        for handle in [weight, bias] {
            XCTAssertTrue(values(handle).allSatisfy { abs($0) <= 0.25 }, "outside ±1/√16")
            var flag: Int32 = 0
            assertOK(ph_tensor_requires_grad(&flag, handle))
            XCTAssertEqual(flag, 1)
        }
        // Same seed, same parameters.
        XCTAssertEqual(ph_manual_seed(5), Status.ok)
        var again: OpaquePointer?, sentinel = OpaquePointer(bitPattern: 0x10)
        assertOK(ph_linear_init(&again, &sentinel, 16, 4, 0))
        XCTAssertNil(sentinel, "bias_out is set to NULL without a bias")
        XCTAssertEqual(values(again), values(weight))
        var w: OpaquePointer?, b: OpaquePointer?
        assertStatus(Status.value, mentions: ["[Linear]", "(0, 4)"]) { ph_linear_init(&w, &b, 0, 4, 1) }
        assertStatus(Status.value, mentions: ["(3, -1)"]) { ph_linear_init(&w, &b, 3, -1, 1) }
        XCTAssertNil(w)
        free(weight, bias, again)
    }

    func testReductionsAndSoftmax() {
        let a = makeTensor([1, 5, 3, 4, 2, 6], [2, 3])
        defer { free(a) }
        XCTAssertEqual(run("sum_all") { ph_sum_all($0, a) }.0, [21])
        XCTAssertEqual(run("sum_all") { ph_sum_all($0, a) }.1, [])
        XCTAssertEqual(run("sum") { ph_sum($0, a, 0, 0) }.0, [5, 7, 9])
        XCTAssertEqual(run("sum keepdim") { ph_sum($0, a, -1, 1) }.1, [2, 1])
        XCTAssertEqual(run("mean_all") { ph_mean_all($0, a) }.0, [3.5])
        XCTAssertEqual(run("mean") { ph_mean($0, a, 1, 0) }.0, [3, 4])
        XCTAssertEqual(run("max") { ph_max($0, a, 1, 0) }.0, [5, 6])
        XCTAssertEqual(run("max keepdim") { ph_max($0, a, 0, 1) }.1, [1, 3])
        XCTAssertEqual(run("argmax") { ph_argmax($0, a, 1, 0) }.0, [1, 2])
        XCTAssertEqual(run("argmax keepdim") { ph_argmax($0, a, 0, 1) }.0, [1, 0, 1])
        XCTAssertEqual(run("argmax keepdim") { ph_argmax($0, a, 0, 1) }.1, [1, 3])
        let softmax = run("softmax") { ph_softmax($0, a, -1) }.0
        XCTAssertEqual(Double(softmax[0] + softmax[1] + softmax[2]), 1, accuracy: 1e-6)
        assertValues(run("log_softmax") { ph_log_softmax($0, a, 1) }.0.map { Float(exp(Double($0))) }, softmax.map(Double.init))
        var out: OpaquePointer?
        assertStatus(Status.index, mentions: ["axis -3"]) { ph_mean(&out, a, -3, 0) }
        assertStatus(Status.index, mentions: ["[argmax]", "axis 2"]) { ph_argmax(&out, a, 2, 0) }
        assertStatus(Status.value, mentions: ["axis 0"]) { ph_log_softmax(&out, a, 0) }
    }

    func testMeanOfEmptyTensorIsNaN() {
        // polyhead.h: "Mean of all elements (a scalar); NaN for an empty tensor, as PyTorch."
        var empty: OpaquePointer?, out: OpaquePointer?
        assertOK(ph_tensor_new(&empty, nil, 0, [0, 3], 2))
        assertOK(ph_mean_all(&out, empty))
        XCTAssertEqual(shape(out), [])
        XCTAssertTrue(values(out).first?.isNaN == true)
        free(empty, out)
    }

    func testShapeOps() {
        let a = makeTensor([1, 2, 3, 4, 5, 6], [2, 3])
        defer { free(a) }
        XCTAssertEqual(run("reshape") { ph_reshape($0, a, [3, -1], 2) }.1, [3, 2])
        XCTAssertEqual(run("transpose") { ph_transpose($0, a) }.0, [1, 4, 2, 5, 3, 6])
        var handles: [OpaquePointer?] = [a, a]
        let (joined, joinedShape) = run("concat") { ph_concat($0, &handles, 2, 1) }
        XCTAssertEqual(joinedShape, [2, 6])
        XCTAssertEqual(joined, [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
        XCTAssertEqual(run("index_select") { ph_index_select($0, a, [1, -2, 1], 3) }.0, [4, 5, 6, 1, 2, 3, 4, 5, 6])
        var out: OpaquePointer?
        assertStatus(Status.value, mentions: ["(4, 2)", "6"]) { ph_reshape(&out, a, [4, 2], 2) }
        assertStatus(Status.value) { ph_concat(&out, &handles, 0, 0) }
        assertStatus(Status.value, mentions: ["negative count"]) { ph_concat(&out, &handles, -1, 0) }
        assertStatus(Status.index, mentions: ["index 2", "size 2"]) { ph_index_select(&out, a, [2], 1) }
        assertStatus(Status.value, mentions: ["negative count"]) { ph_index_select(&out, a, [0], -1) }
        assertStatus(Status.value, mentions: ["(3,)"]) {
            let v = makeTensor([1, 2, 3], [3])
            defer { free(v) }
            return ph_transpose(&out, v)
        }
    }

    func testSplitWritesCountHandles() {
        let a = makeTensor([1, 2, 3, 4, 5, 6], [2, 3])
        defer { free(a) }
        var outs = [OpaquePointer?](repeating: nil, count: 4)
        assertOK(ph_split(&outs, a, [1, 0, 2], 3, 1))
        XCTAssertTrue(outs[0..<3].allSatisfy { $0 != nil })
        XCTAssertNil(outs[3], "wrote past count")
        XCTAssertEqual(outs[0..<3].map { shape($0) }, [[2, 1], [2, 0], [2, 2]])
        XCTAssertEqual(values(outs[0]), [1, 4])
        XCTAssertEqual(values(outs[2]), [2, 3, 5, 6])
        for handle in outs { free(handle) }
        var pieces = [OpaquePointer?](repeating: nil, count: 2)
        assertStatus(Status.value, mentions: ["[split]", "[1, 1]", "(2, 3)"]) { ph_split(&pieces, a, [1, 1], 2, 1) }
        assertStatus(Status.index, mentions: ["axis 2"]) { ph_split(&pieces, a, [3], 1, 2) }
        assertStatus(Status.value, mentions: ["at least one"]) { ph_split(&pieces, a, [], 0, 0) }
        assertStatus(Status.value, mentions: ["negative count"]) { ph_split(&pieces, a, [2], -1, 0) }
        XCTAssertEqual(pieces, [nil, nil])
    }

    func testSplitPiecesBackpropagateThroughTheABI() {
        let x = makeParameter([1, 2, 3, 4], [4])
        var pieces = [OpaquePointer?](repeating: nil, count: 2), scaled: OpaquePointer?, loss: OpaquePointer?
        assertOK(ph_split(&pieces, x, [1, 3], 2, 0))
        let three = makeTensor([3], [])
        assertOK(ph_mul(&scaled, pieces[1], three))
        assertOK(ph_sum_all(&loss, scaled))
        assertOK(ph_tensor_backward(loss, nil, 0))
        XCTAssertEqual(gradValues(x), [0, 3, 3, 3])
        free(x, pieces[0], pieces[1], scaled, loss, three)
    }
}
