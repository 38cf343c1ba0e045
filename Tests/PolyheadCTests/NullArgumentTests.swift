import PolyheadC
import XCTest

/// Every `ph_*` function given a NULL handle or a NULL out-pointer returns `PH_ERROR_VALUE`, sets
/// `ph_last_error()` naming the argument, leaves the out-parameter alone and leaks nothing.
final class NullArgumentTests: ABITestCase {
    private var a: OpaquePointer?, b: OpaquePointer?, optimizer: OpaquePointer?

    override func setUp() {
        super.setUp()
        a = makeParameter([1, 2, 3, 4], [2, 2])
        b = makeTensor([0.5, 0.5, 0.5, 0.5], [2, 2])
        var parameters: [OpaquePointer?] = [a]
        assertOK(ph_optimizer_sgd_new(&optimizer, &parameters, 1, 0.1, 0, 0, 0, 0))
    }

    override func tearDown() {
        _ = ph_optimizer_free(optimizer)
        free(a, b)
        super.tearDown()
    }

    /// A NULL out-pointer of the kind each function takes.
    private let noOut: UnsafeMutablePointer<OpaquePointer?>? = nil

    /// (label, argument named in the message, call) for every function and every pointer argument.
    private func nullCalls() -> [(String, String, () -> Int32)] {
        let (a, b, optimizer) = (self.a, self.b, self.optimizer)
        var shape: [Int64] = [2, 2], labels: [Int64] = [0, 1], sizes: [Int64] = [1, 1]
        var data: [Float] = [1, 2, 3, 4]
        var i32: Int32 = 0, i64: Int64 = 0, f: Float = 0
        var floatPointer: UnsafeMutablePointer<Float>?
        var out: OpaquePointer?, out2: OpaquePointer?
        var handles: [OpaquePointer?] = [a, b], withNull: [OpaquePointer?] = [a, nil]
        let unary: [(String, (UnsafeMutablePointer<OpaquePointer?>?, OpaquePointer?) -> Int32)] = [
            ("neg", ph_neg), ("exp", ph_exp), ("log", ph_log), ("sqrt", ph_sqrt), ("relu", ph_relu),
            ("sigmoid", ph_sigmoid), ("tanh", ph_tanh), ("sum_all", ph_sum_all), ("mean_all", ph_mean_all),
            ("transpose", ph_transpose), ("detach", ph_tensor_detach), ("clone", ph_tensor_clone),
            ("pow_scalar", { ph_pow_scalar($0, $1, 2) }), ("sum", { ph_sum($0, $1, 0, 0) }),
            ("mean", { ph_mean($0, $1, 0, 1) }), ("max", { ph_max($0, $1, 1, 0) }), ("argmax", { ph_argmax($0, $1, 0, 0) }),
            ("softmax", { ph_softmax($0, $1, -1) }), ("log_softmax", { ph_log_softmax($0, $1, -1) }),
            ("reshape", { ph_reshape($0, $1, &shape, 2) }), ("index_select", { ph_index_select($0, $1, &labels, 2) }),
            ("grad", ph_tensor_grad),
        ]
        let binary: [(String, (UnsafeMutablePointer<OpaquePointer?>?, OpaquePointer?, OpaquePointer?) -> Int32)] = [
            ("add", ph_add), ("sub", ph_sub), ("mul", ph_mul), ("div", ph_div),
            ("matmul", { ph_matmul($0, $1, $2, 0, 1) }), ("linear", { ph_linear($0, $1, $2, nil) }),
            ("mse_loss", { ph_mse_loss($0, $1, $2, nil, 1) }), ("l1_loss", { ph_l1_loss($0, $1, $2, nil, 0) }),
            ("binary_cross_entropy_with_logits", { ph_binary_cross_entropy_with_logits($0, $1, $2, nil, 2) }),
        ]
        var calls: [(String, String, () -> Int32)] = []
        for (name, op) in unary {
            calls.append(("\(name)(out: NULL)", "out", { op(nil, a) }))
            calls.append(("\(name)(a: NULL)", "NULL", { op(&out, nil) }))
        }
        for (name, op) in binary {
            calls.append(("\(name)(out: NULL)", "out", { op(nil, a, b) }))
            calls.append(("\(name)(first: NULL)", "NULL", { op(&out, nil, b) }))
            calls.append(("\(name)(second: NULL)", "NULL", { op(&out, a, nil) }))
        }
        calls += [
            ("binary_cross_entropy(out: NULL)", "out", { ph_binary_cross_entropy(nil, b, b, nil, 1) }),
            ("binary_cross_entropy(input: NULL)", "input", { ph_binary_cross_entropy(&out, nil, b, nil, 1) }),
            ("binary_cross_entropy(target: NULL)", "target", { ph_binary_cross_entropy(&out, b, nil, nil, 1) }),
            ("cross_entropy(out: NULL)", "out", { ph_cross_entropy(nil, a, &labels, 2, nil, 1) }),
            ("cross_entropy(logits: NULL)", "logits", { ph_cross_entropy(&out, nil, &labels, 2, nil, 1) }),
            ("cross_entropy(targets: NULL)", "targets", { ph_cross_entropy(&out, a, nil, 2, nil, 1) }),
            ("nll_loss(out: NULL)", "out", { ph_nll_loss(nil, a, &labels, 2, nil, 1) }),
            ("nll_loss(log_probs: NULL)", "log_probs", { ph_nll_loss(&out, nil, &labels, 2, nil, 1) }),
            ("nll_loss(targets: NULL)", "targets", { ph_nll_loss(&out, a, nil, 2, nil, 1) }),
            ("linear(weight: NULL) with bias", "weight", { ph_linear(&out, a, nil, b) }),
            ("linear_init(weight_out: NULL)", "weight_out", { ph_linear_init(nil, &out2, 2, 2, 1) }),
            ("linear_init(bias_out: NULL)", "bias_out", { ph_linear_init(&out, nil, 2, 2, 1) }),
            ("reshape(shape: NULL)", "shape", { ph_reshape(&out, a, nil, 2) }),
            ("index_select(indices: NULL)", "indices", { ph_index_select(&out, a, nil, 2) }),
            ("concat(out: NULL)", "out", { ph_concat(nil, &handles, 2, 0) }),
            ("concat(tensors: NULL)", "tensors", { ph_concat(&out, nil, 2, 0) }),
            ("concat(tensors[1]: NULL)", "tensors[1]", { ph_concat(&out, &withNull, 2, 0) }),
            ("split(outs: NULL)", "outs", { ph_split(nil, a, &sizes, 2, 0) }),
            ("split(a: NULL)", "NULL", { ph_split(&out, nil, &sizes, 2, 0) }),
            ("split(sizes: NULL)", "sizes", { ph_split(&out, a, nil, 2, 0) }),
            // tensor creation
            ("tensor_new(out: NULL)", "out", { ph_tensor_new(nil, &data, 4, &shape, 2) }),
            ("tensor_new(data: NULL)", "", { ph_tensor_new(&out, nil, 4, &shape, 2) }),
            ("tensor_new(shape: NULL)", "shape", { ph_tensor_new(&out, &data, 4, nil, 2) }),
            ("tensor_full(out: NULL)", "out", { ph_tensor_full(nil, &shape, 2, 1) }),
            ("tensor_full(shape: NULL)", "shape", { ph_tensor_full(&out, nil, 2, 1) }),
            ("tensor_randn(out: NULL)", "out", { ph_tensor_randn(nil, &shape, 2) }),
            ("tensor_randn(shape: NULL)", "shape", { ph_tensor_randn(&out, nil, 2) }),
            ("tensor_uniform(out: NULL)", "out", { ph_tensor_uniform(nil, &shape, 2, 0, 1) }),
            ("tensor_uniform(shape: NULL)", "shape", { ph_tensor_uniform(&out, nil, 2, 0, 1) }),
            ("tensor_arange(out: NULL)", "out", { ph_tensor_arange(nil, 0, 3, 1) }),
            ("tensor_retain(NULL)", "tensor", { ph_tensor_retain(nil) }),
            // properties
            ("tensor_ndim(out: NULL)", "out", { ph_tensor_ndim(nil, a) }),
            ("tensor_ndim(tensor: NULL)", "tensor", { ph_tensor_ndim(&i32, nil) }),
            ("tensor_shape(out: NULL)", "out", { ph_tensor_shape(nil, 2, a) }),
            ("tensor_shape(tensor: NULL)", "tensor", { ph_tensor_shape(&i64, 1, nil) }),
            ("tensor_numel(out: NULL)", "out", { ph_tensor_numel(nil, a) }),
            ("tensor_numel(tensor: NULL)", "tensor", { ph_tensor_numel(&i64, nil) }),
            ("tensor_data(out: NULL)", "out", { ph_tensor_data(nil, a) }),
            ("tensor_data(tensor: NULL)", "tensor", { ph_tensor_data(&floatPointer, nil) }),
            ("tensor_item(out: NULL)", "out", { ph_tensor_item(nil, a) }),
            ("tensor_item(tensor: NULL)", "tensor", { ph_tensor_item(&f, nil) }),
            ("tensor_requires_grad(out: NULL)", "out", { ph_tensor_requires_grad(nil, a) }),
            ("tensor_requires_grad(tensor: NULL)", "tensor", { ph_tensor_requires_grad(&i32, nil) }),
            ("tensor_set_requires_grad(NULL)", "tensor", { ph_tensor_set_requires_grad(nil, 1) }),
            ("tensor_is_leaf(out: NULL)", "out", { ph_tensor_is_leaf(nil, a) }),
            ("tensor_is_leaf(tensor: NULL)", "tensor", { ph_tensor_is_leaf(&i32, nil) }),
            ("tensor_set_grad(tensor: NULL)", "tensor", { ph_tensor_set_grad(nil, b) }),
            // autodiff
            ("tensor_backward(NULL)", "tensor", { ph_tensor_backward(nil, nil, 0) }),
            ("tensor_copy_(destination: NULL)", "destination", { ph_tensor_copy_(nil, b) }),
            ("tensor_copy_(source: NULL)", "source", { ph_tensor_copy_(b, nil) }),
            // library
            ("is_grad_enabled(NULL)", "out", { ph_is_grad_enabled(nil) }),
            ("get_num_threads(NULL)", "out", { ph_get_num_threads(nil) }),
            ("debug_live_objects(NULL)", "out", { ph_debug_live_objects(nil) }),
            ("random_permutation(NULL, 3)", "out", { ph_random_permutation(nil, 3, nil) }),
            // optimizers
            ("sgd_new(out: NULL)", "out", { ph_optimizer_sgd_new(nil, &handles, 1, 0.1, 0, 0, 0, 0) }),
            ("sgd_new(parameters: NULL)", "parameters", { ph_optimizer_sgd_new(&out, nil, 1, 0.1, 0, 0, 0, 0) }),
            ("sgd_new(parameters[1]: NULL)", "parameters[1]", { ph_optimizer_sgd_new(&out, &withNull, 2, 0.1, 0, 0, 0, 0) }),
            ("adam_new(out: NULL)", "out", { ph_optimizer_adam_new(nil, &handles, 1, 0.1, 0.9, 0.999, 1e-8, 0, 0) }),
            ("adam_new(parameters: NULL)", "parameters", { ph_optimizer_adam_new(&out, nil, 1, 0.1, 0.9, 0.999, 1e-8, 0, 0) }),
            ("adam_new(parameters[1]: NULL)", "parameters[1]", { ph_optimizer_adam_new(&out, &withNull, 2, 0.1, 0.9, 0.999, 1e-8, 0, 1) }),
            ("adagrad_new(out: NULL)", "out", { ph_optimizer_adagrad_new(nil, &handles, 1, 0.1, 0, 0, 0, 1e-10) }),
            ("optimizer_step(NULL)", "optimizer", { ph_optimizer_step(nil) }),
            ("optimizer_zero_grad(NULL)", "optimizer", { ph_optimizer_zero_grad(nil) }),
            ("optimizer_state(out: NULL)", "out", { ph_optimizer_state(nil, optimizer, 0, 0) }),
            ("optimizer_state(NULL)", "optimizer", { ph_optimizer_state(&out, nil, 0, 0) }),
            ("optimizer_set_state(value: NULL)", "value", { ph_optimizer_set_state(optimizer, 0, 0, nil) }),
            ("optimizer_parameter_step(NULL)", "optimizer", { var n: Int64 = 0; return ph_optimizer_parameter_step(&n, nil, 0) }),
            ("optimizer_set_step_count(NULL)", "optimizer", { ph_optimizer_set_step_count(nil, 1) }),
            ("optimizer_set_learning_rate(NULL)", "optimizer", { ph_optimizer_set_learning_rate(nil, 0.1) }),
            ("optimizer_step_count(out: NULL)", "out", { ph_optimizer_step_count(nil, optimizer) }),
            ("optimizer_step_count(optimizer: NULL)", "optimizer", { ph_optimizer_step_count(&i64, nil) }),
        ]
        return calls
    }

    func testEveryNullArgumentIsAValueError() {
        let calls = nullCalls()
        XCTAssertGreaterThan(calls.count, 110)
        for (label, argument, call) in calls {
            assertStatus(Status.value, mentions: argument.isEmpty ? [] : [argument], label) { call() }
        }
    }

    func testOutParametersAreLeftUntouchedOnFailure() {
        let sentinel = OpaquePointer(bitPattern: 0xDEAD)
        var out: OpaquePointer? = sentinel
        XCTAssertNotEqual(ph_add(&out, a, nil), Status.ok)
        XCTAssertEqual(out, sentinel)
        let wrong = makeTensor([1, 2, 3], [3])
        XCTAssertNotEqual(ph_matmul(&out, a, wrong, 0, 0), Status.ok)
        XCTAssertEqual(out, sentinel)
        var outs: [OpaquePointer?] = [sentinel, sentinel]
        var sizes: [Int64] = [1, 5]
        XCTAssertNotEqual(ph_split(&outs, a, &sizes, 2, 0), Status.ok)
        XCTAssertEqual(outs, [sentinel, sentinel])
        var item: Float = 42
        XCTAssertNotEqual(ph_tensor_item(&item, a), Status.ok)
        XCTAssertEqual(item, 42)
        free(wrong)
    }

    func testFreeOfNullIsANoOp() {
        XCTAssertEqual(ph_tensor_free(nil), Status.ok)
        XCTAssertEqual(ph_optimizer_free(nil), Status.ok)
    }

    func testOptionalNullsAreAccepted() {
        var previous: Int32 = -1
        assertOK(ph_set_grad_enabled(nil, 1), "set_grad_enabled(previous: NULL)")
        assertOK(ph_set_grad_enabled(&previous, 1))
        XCTAssertEqual(previous, 1)
        var out: OpaquePointer?
        assertOK(ph_linear(&out, a, b, nil), "linear without bias")
        free(out)
        assertOK(ph_tensor_set_grad(a, nil), "set_grad(NULL) clears")
        var empty: OpaquePointer?
        assertOK(ph_tensor_new(&empty, nil, 0, [0], 1), "NULL data for zero elements")
        var scalar: OpaquePointer?
        assertOK(ph_tensor_full(&scalar, nil, 0, 3), "NULL shape for rank 0")
        XCTAssertEqual(shape(scalar), [])
        var rank0Shape: Int64 = -1
        assertOK(ph_tensor_shape(nil, 0, scalar), "shape of a scalar needs no buffer")
        assertOK(ph_tensor_shape(&rank0Shape, 0, scalar))
        free(empty, scalar)
    }
}
