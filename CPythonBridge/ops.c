/*
 * ops.c — elementwise ops, reductions, softmax and linear algebra.
 *
 * Ops with the same signature share one wrapper, driven by a table (an X-macro list): adding an op is
 * one line. Every wrapper checks its arguments, releases the GIL around the core call, and wraps the
 * result with tensor_result.
 */
#include "errors.h"
#include "wrappers.h"

/* ---------------------------------------------------------------- op(a) */

typedef ph_status (*unary_fn)(ph_tensor **out, const ph_tensor *a);

static PyObject *call_unary(PyObject *module, PyObject *const *args, Py_ssize_t nargs, const char *name,
                            unary_fn fn) {
    if (check_nargs(name, nargs, 1, 1) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    const ph_tensor *a = tensor_arg(state, args[0], name, "a");
    if (a == NULL) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = fn(&out, a);
    Py_END_ALLOW_THREADS
    return tensor_result(state, status, out);
}

#define UNARY_OPS(X)                                                                        \
    X(neg, ph_neg, "-a")                                                                    \
    X(exp, ph_exp, "e ** a, elementwise.")                                                  \
    X(log, ph_log, "The natural logarithm of a, elementwise.")                              \
    X(sqrt, ph_sqrt, "The square root of a, elementwise.")                                  \
    X(relu, ph_relu, "max(a, 0), elementwise.")                                             \
    X(sigmoid, ph_sigmoid, "1 / (1 + e ** -a), elementwise.")                               \
    X(tanh, ph_tanh, "tanh(a), elementwise.")                                               \
    X(sin, ph_sin, "sin(a) (radians), elementwise.")                                        \
    X(cos, ph_cos, "cos(a) (radians), elementwise.")                                        \
    X(sum_all, ph_sum_all, "The sum of all elements (a 0-d tensor).")                       \
    X(mean_all, ph_mean_all, "The mean of all elements (a 0-d tensor); error if empty.")    \
    X(transpose, ph_transpose, "The transpose of a 2-D tensor (a copy).")                   \
    X(detach, ph_tensor_detach, "A new leaf sharing a's storage, without history or requires_grad.") \
    X(clone, ph_tensor_clone, "A copy of a whose gradient flows back to a.")

#define DEFINE_UNARY(name, fn, summary)                                                     \
    PyDoc_STRVAR(name##_doc, #name "($module, a, /)\n--\n\n" summary);                      \
    CORE_FASTCALL(core_##name) { return call_unary(module, args, nargs, #name, fn); }
UNARY_OPS(DEFINE_UNARY)

/* ---------------------------------------------------------------- op(a, b) */

typedef ph_status (*binary_fn)(ph_tensor **out, const ph_tensor *a, const ph_tensor *b);

static PyObject *call_binary(PyObject *module, PyObject *const *args, Py_ssize_t nargs, const char *name,
                             binary_fn fn) {
    if (check_nargs(name, nargs, 2, 2) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    const ph_tensor *a = tensor_arg(state, args[0], name, "a");
    const ph_tensor *b = a == NULL ? NULL : tensor_arg(state, args[1], name, "b");
    if (b == NULL) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = fn(&out, a, b);
    Py_END_ALLOW_THREADS
    return tensor_result(state, status, out);
}

#define BINARY_OPS(X)                                                   \
    X(add, ph_add, "a + b, with numpy broadcasting.")                   \
    X(sub, ph_sub, "a - b, with numpy broadcasting.")                   \
    X(mul, ph_mul, "a * b, with numpy broadcasting.")                   \
    X(div, ph_div, "a / b, with numpy broadcasting.")

#define DEFINE_BINARY(name, fn, summary)                                                    \
    PyDoc_STRVAR(name##_doc, #name "($module, a, b, /)\n--\n\n" summary);                   \
    CORE_FASTCALL(core_##name) { return call_binary(module, args, nargs, #name, fn); }
BINARY_OPS(DEFINE_BINARY)

/* ---------------------------------------------------------------- op(a, axis, keepdim), op(a, axis) */

typedef ph_status (*reduction_fn)(ph_tensor **out, const ph_tensor *a, int32_t axis, int32_t keepdim);

static PyObject *call_reduction(PyObject *module, PyObject *const *args, Py_ssize_t nargs, const char *name,
                                reduction_fn fn) {
    if (check_nargs(name, nargs, 3, 3) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    const ph_tensor *a = tensor_arg(state, args[0], name, "a");
    int32_t axis = 0, keepdim = 0;
    if (a == NULL || arg_int32(args[1], name, "axis", &axis) < 0 || arg_flag(args[2], name, "keepdim", &keepdim) < 0) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = fn(&out, a, axis, keepdim);
    Py_END_ALLOW_THREADS
    return tensor_result(state, status, out);
}

#define REDUCTION_OPS(X)                                                                    \
    X(sum, ph_sum, "The sum along `axis` (negative counts from the end).")                  \
    X(mean, ph_mean, "The mean along `axis`.")                                              \
    X(max, ph_max, "The maximum along `axis` (the gradient goes to the first maximum).")      \
    X(argmax, ph_argmax, "Index of the first maximum along `axis`, as floats (no gradient).")

#define DEFINE_REDUCTION(name, fn, summary)                                                 \
    PyDoc_STRVAR(name##_doc, #name "($module, a, axis, keepdim, /)\n--\n\n" summary);       \
    CORE_FASTCALL(core_##name) { return call_reduction(module, args, nargs, #name, fn); }
REDUCTION_OPS(DEFINE_REDUCTION)

#define SOFTMAX_OPS(X)                                                                      \
    X(softmax, ph_softmax, "Softmax along `axis`, which must be the last axis.")            \
    X(log_softmax, ph_log_softmax, "log(softmax(a)) along the last axis, computed stably.")

#define DEFINE_SOFTMAX(name, fn, summary)                                                   \
    PyDoc_STRVAR(name##_doc, #name "($module, a, axis, /)\n--\n\n" summary);                \
    CORE_FASTCALL(core_##name) { return call_tensor_int32(module, args, nargs, #name, "a", "axis", fn); }
SOFTMAX_OPS(DEFINE_SOFTMAX)

/* ---------------------------------------------------------------- one of a kind */

PyDoc_STRVAR(pow_scalar_doc, "pow_scalar($module, a, exponent, /)\n--\n\na ** exponent, elementwise.");

CORE_FASTCALL(core_pow_scalar) {
    return call_tensor_float(module, args, nargs, "pow_scalar", "a", "exponent", ph_pow_scalar);
}

/* A product of two tensors with two transpose flags (matmul, bmm). */
static PyObject *call_product(PyObject *module, PyObject *const *args, Py_ssize_t nargs, const char *name,
                              ph_status (*fn)(ph_tensor **, const ph_tensor *, const ph_tensor *, int32_t, int32_t)) {
    if (check_nargs(name, nargs, 4, 4) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    const ph_tensor *a = tensor_arg(state, args[0], name, "a");
    const ph_tensor *b = a == NULL ? NULL : tensor_arg(state, args[1], name, "b");
    int32_t transpose_a = 0, transpose_b = 0;
    if (b == NULL || arg_flag(args[2], name, "transpose_a", &transpose_a) < 0 ||
        arg_flag(args[3], name, "transpose_b", &transpose_b) < 0) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = fn(&out, a, b, transpose_a, transpose_b);
    Py_END_ALLOW_THREADS
    return tensor_result(state, status, out);
}

PyDoc_STRVAR(matmul_doc,
"matmul($module, a, b, transpose_a, transpose_b, /)\n--\n\n"
"op(a) @ op(b) for 2-D a and b; op transposes when its flag is true (no copies).");

CORE_FASTCALL(core_matmul) {
    return call_product(module, args, nargs, "matmul", ph_matmul);
}

PyDoc_STRVAR(bmm_doc,
"bmm($module, a, b, transpose_a, transpose_b, /)\n--\n\n"
"op(a[i]) @ op(b[i]) for 3-D a and b with equal batch lengths; op transposes the last two axes when its flag is\n"
"true (no copies).");

CORE_FASTCALL(core_bmm) {
    return call_product(module, args, nargs, "bmm", ph_bmm);
}

PyDoc_STRVAR(linear_doc,
"linear($module, x, weight, bias, /)\n--\n\n"
"x @ weight.T + bias for x (N, in), weight (out, in) and bias (out,) or None.");

CORE_FASTCALL(core_linear) {
    if (check_nargs("linear", nargs, 3, 3) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    const ph_tensor *x = tensor_arg(state, args[0], "linear", "x");
    const ph_tensor *weight = x == NULL ? NULL : tensor_arg(state, args[1], "linear", "weight");
    ph_tensor *bias = NULL;
    if (weight == NULL || tensor_arg_or_none(state, args[2], "linear", "bias", &bias) < 0) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_linear(&out, x, weight, bias);
    Py_END_ALLOW_THREADS
    return tensor_result(state, status, out);
}

PyDoc_STRVAR(linear_init_doc,
"linear_init($module, in_features, out_features, with_bias, /)\n--\n\n"
"The parameters of a Linear layer with PyTorch's default init, as (weight, bias or None);\n"
"weight is (out_features, in_features). Both require grad.");

CORE_FASTCALL(core_linear_init) {
    if (check_nargs("linear_init", nargs, 3, 3) < 0) {
        return NULL;
    }
    int64_t in_features = 0, out_features = 0;
    int32_t with_bias = 0;
    if (arg_int64(args[0], "linear_init", "in_features", &in_features) < 0 ||
        arg_int64(args[1], "linear_init", "out_features", &out_features) < 0 ||
        arg_flag(args[2], "linear_init", "with_bias", &with_bias) < 0) {
        return NULL;
    }
    ph_tensor *weight = NULL, *bias = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_linear_init(&weight, &bias, in_features, out_features, with_bias);
    Py_END_ALLOW_THREADS
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    return parameter_pair(core_get_state(module), weight, bias);
}

/* ---------------------------------------------------------------- the table */

#define METHOD_ENTRY(name, fn, summary) CORE_METHOD(#name, core_##name, name##_doc),

PyMethodDef ops_functions[] = {
    UNARY_OPS(METHOD_ENTRY)
    BINARY_OPS(METHOD_ENTRY)
    REDUCTION_OPS(METHOD_ENTRY)
    SOFTMAX_OPS(METHOD_ENTRY)
    CORE_METHOD("pow_scalar", core_pow_scalar, pow_scalar_doc),
    CORE_METHOD("matmul", core_matmul, matmul_doc),
    CORE_METHOD("bmm", core_bmm, bmm_doc),
    CORE_METHOD("linear", core_linear, linear_doc),
    CORE_METHOD("linear_init", core_linear_init, linear_init_doc),
    {NULL, NULL, 0, NULL},
};
