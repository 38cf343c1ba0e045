/*
 * layers.c — the functions behind the layers of issue 4: convolution, pooling, dropout, embedding,
 * normalization, and the activations with a parameter (gelu, leaky_relu, elu). One wrapper per C function
 * (the two pooling functions and the two float-parameter activations share theirs); no math here.
 */
#include "buffers.h"
#include "errors.h"
#include "wrappers.h"

/* Reads `count` consecutive int64 arguments (kernel, stride, padding pairs) named by `names`. */
static int int64_args(PyObject *const *args, int count, const char *fname, const char *const *names, int64_t *out) {
    for (int i = 0; i < count; i++) {
        if (arg_int64(args[i], fname, names[i], &out[i]) < 0) {
            return -1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- convolution */

PyDoc_STRVAR(conv2d_doc,
"conv2d($module, x, weight, bias, stride_h, stride_w, padding_h, padding_w, /)\n--\n\n"
"2-D convolution of x (N, C, H, W) with weight (O, C, KH, KW) plus bias (O,) or None (dilation 1, one\n"
"group, zero padding) -> (N, O, OH, OW).");

CORE_FASTCALL(core_conv2d) {
    static const char *const names[] = {"stride_h", "stride_w", "padding_h", "padding_w"};
    if (check_nargs("conv2d", nargs, 7, 7) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    const ph_tensor *x = tensor_arg(state, args[0], "conv2d", "x");
    const ph_tensor *weight = x == NULL ? NULL : tensor_arg(state, args[1], "conv2d", "weight");
    ph_tensor *bias = NULL;
    int64_t geometry[4];
    if (weight == NULL || tensor_arg_or_none(state, args[2], "conv2d", "bias", &bias) < 0 ||
        int64_args(args + 3, 4, "conv2d", names, geometry) < 0) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_conv2d(&out, x, weight, bias, geometry[0], geometry[1], geometry[2], geometry[3]);
    Py_END_ALLOW_THREADS
    return tensor_result(state, status, out);
}

PyDoc_STRVAR(conv2d_init_doc,
"conv2d_init($module, in_channels, out_channels, kernel_h, kernel_w, with_bias, /)\n--\n\n"
"The parameters of a Conv2d layer with PyTorch's default init, as (weight, bias or None); weight is\n"
"(out_channels, in_channels, kernel_h, kernel_w). Both require grad.");

CORE_FASTCALL(core_conv2d_init) {
    static const char *const names[] = {"in_channels", "out_channels", "kernel_h", "kernel_w"};
    if (check_nargs("conv2d_init", nargs, 5, 5) < 0) {
        return NULL;
    }
    int64_t sizes[4];
    int32_t with_bias = 0;
    if (int64_args(args, 4, "conv2d_init", names, sizes) < 0 ||
        arg_flag(args[4], "conv2d_init", "with_bias", &with_bias) < 0) {
        return NULL;
    }
    ph_tensor *weight = NULL, *bias = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_conv2d_init(&weight, &bias, sizes[0], sizes[1], sizes[2], sizes[3], with_bias);
    Py_END_ALLOW_THREADS
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    return parameter_pair(core_get_state(module), weight, bias);
}

/* ---------------------------------------------------------------- pooling */

/* max_pool2d(x, 6 window ints) and avg_pool2d(x, 6 window ints, count_include_pad): one wrapper. */
static PyObject *call_pool(PyObject *module, PyObject *const *args, Py_ssize_t nargs, const char *name, int average) {
    static const char *const names[] = {"kernel_h", "kernel_w", "stride_h", "stride_w", "padding_h", "padding_w"};
    Py_ssize_t expected = average ? 8 : 7;
    if (check_nargs(name, nargs, expected, expected) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    const ph_tensor *x = tensor_arg(state, args[0], name, "x");
    int64_t w[6];
    int32_t include_pad = 1;
    if (x == NULL || int64_args(args + 1, 6, name, names, w) < 0 ||
        (average && arg_flag(args[7], name, "count_include_pad", &include_pad) < 0)) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = average ? ph_avg_pool2d(&out, x, w[0], w[1], w[2], w[3], w[4], w[5], include_pad)
                     : ph_max_pool2d(&out, x, w[0], w[1], w[2], w[3], w[4], w[5]);
    Py_END_ALLOW_THREADS
    return tensor_result(state, status, out);
}

PyDoc_STRVAR(max_pool2d_doc,
"max_pool2d($module, x, kernel_h, kernel_w, stride_h, stride_w, padding_h, padding_w, /)\n--\n\n"
"Max pooling of x (N, C, H, W) with implicit -inf padding (at most half the kernel); floor mode.");

CORE_FASTCALL(core_max_pool2d) { return call_pool(module, args, nargs, "max_pool2d", 0); }

PyDoc_STRVAR(avg_pool2d_doc,
"avg_pool2d($module, x, kernel_h, kernel_w, stride_h, stride_w, padding_h, padding_w, count_include_pad, /)\n"
"--\n\nAverage pooling of x (N, C, H, W) with zero padding (at most half the kernel); floor mode.");

CORE_FASTCALL(core_avg_pool2d) { return call_pool(module, args, nargs, "avg_pool2d", 1); }

/* ---------------------------------------------------------------- op(x, float) */

#define FLOAT_PARAMETER_OPS(X)                                                                              \
    X(dropout, p, ph_dropout,                                                                               \
      "Training-mode inverted dropout: zeroes each element with probability p (from the global generator)\n" \
      "and scales the rest by 1/(1-p).")                                                                    \
    X(leaky_relu, negative_slope, ph_leaky_relu, "x if x > 0 else negative_slope * x, elementwise.")       \
    X(elu, alpha, ph_elu, "x if x > 0 else alpha * (exp(x) - 1), elementwise.")

#define DEFINE_FLOAT_PARAMETER(name, parameter, fn, summary)                                                \
    PyDoc_STRVAR(name##_doc, #name "($module, x, " #parameter ", /)\n--\n\n" summary);                      \
    CORE_FASTCALL(core_##name) { return call_tensor_float(module, args, nargs, #name, "x", #parameter, fn); }
FLOAT_PARAMETER_OPS(DEFINE_FLOAT_PARAMETER)

PyDoc_STRVAR(gelu_doc,
"gelu($module, x, approximate, /)\n--\n\n"
"GELU elementwise: exact (GELU_NONE) or with the tanh approximation (GELU_TANH).");

CORE_FASTCALL(core_gelu) { return call_tensor_int32(module, args, nargs, "gelu", "x", "approximate", ph_gelu); }

/* ---------------------------------------------------------------- embedding */

PyDoc_STRVAR(embedding_doc,
"embedding($module, weight, indices, index_shape, padding_idx, /)\n--\n\n"
"The rows of weight (num_embeddings, dim) at `indices` (a C-contiguous 1-D int64 buffer, row-major in\n"
"the sequence `index_shape`) -> index_shape + (dim,). Row padding_idx (or -1 for none) gets no gradient.");

CORE_FASTCALL(core_embedding) {
    if (check_nargs("embedding", nargs, 4, 4) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    const ph_tensor *weight = tensor_arg(state, args[0], "embedding", "weight");
    int64_t padding_idx = -1;
    if (weight == NULL || arg_int64(args[3], "embedding", "padding_idx", &padding_idx) < 0) {
        return NULL;
    }
    int64_list index_shape;
    if (arg_int64_list(args[2], "embedding", "index_shape", &index_shape) < 0) {
        return NULL;
    }
    Py_buffer indices;
    if (index_buffer_get(args[1], &indices, "embedding", "indices") < 0) {
        int64_list_release(&index_shape);
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_embedding(&out, weight, (const int64_t *)indices.buf, (int64_t)indices.shape[0], index_shape.values,
                          index_shape.count, padding_idx);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&indices);
    int64_list_release(&index_shape);
    return tensor_result(state, status, out);
}

PyDoc_STRVAR(embedding_init_doc,
"embedding_init($module, num_embeddings, embedding_dim, padding_idx, /)\n--\n\n"
"A (num_embeddings, embedding_dim) N(0, 1) weight requiring grad, row padding_idx (-1: none) zeroed.");

CORE_FASTCALL(core_embedding_init) {
    static const char *const names[] = {"num_embeddings", "embedding_dim", "padding_idx"};
    if (check_nargs("embedding_init", nargs, 3, 3) < 0) {
        return NULL;
    }
    int64_t sizes[3];
    if (int64_args(args, 3, "embedding_init", names, sizes) < 0) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_embedding_init(&out, sizes[0], sizes[1], sizes[2]);
    Py_END_ALLOW_THREADS
    return tensor_result(core_get_state(module), status, out);
}

/* ---------------------------------------------------------------- normalization */

PyDoc_STRVAR(layer_norm_doc,
"layer_norm($module, x, normalized_shape, weight, bias, eps, /)\n--\n\n"
"Layer normalization over the trailing dims `normalized_shape` (a sequence of ints), then * weight + bias\n"
"(each shaped normalized_shape, or None).");

CORE_FASTCALL(core_layer_norm) {
    if (check_nargs("layer_norm", nargs, 5, 5) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    const ph_tensor *x = tensor_arg(state, args[0], "layer_norm", "x");
    ph_tensor *weight = NULL, *bias = NULL;
    float eps = 0.0f;
    if (x == NULL || tensor_arg_or_none(state, args[2], "layer_norm", "weight", &weight) < 0 ||
        tensor_arg_or_none(state, args[3], "layer_norm", "bias", &bias) < 0 ||
        arg_float(args[4], "layer_norm", "eps", &eps) < 0) {
        return NULL;
    }
    int64_list shape;
    if (arg_int64_list(args[1], "layer_norm", "normalized_shape", &shape) < 0) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_layer_norm(&out, x, shape.values, shape.count, weight, bias, eps);
    Py_END_ALLOW_THREADS
    int64_list_release(&shape);
    return tensor_result(state, status, out);
}

PyDoc_STRVAR(batch_norm_doc,
"batch_norm($module, x, running_mean, running_var, weight, bias, training, momentum, eps, /)\n--\n\n"
"Batch normalization of x (N, C, *) per channel. In training the batch statistics are used and the\n"
"running buffers (C,) (or None) move in place by `momentum`; in evaluation both buffers are required.");

CORE_FASTCALL(core_batch_norm) {
    static const char *const names[] = {"running_mean", "running_var", "weight", "bias"};
    if (check_nargs("batch_norm", nargs, 8, 8) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    const ph_tensor *x = tensor_arg(state, args[0], "batch_norm", "x");
    if (x == NULL) {
        return NULL;
    }
    ph_tensor *optional[4];
    for (int i = 0; i < 4; i++) {
        if (tensor_arg_or_none(state, args[1 + i], "batch_norm", names[i], &optional[i]) < 0) {
            return NULL;
        }
    }
    int32_t training = 0;
    float momentum = 0.0f, eps = 0.0f;
    if (arg_flag(args[5], "batch_norm", "training", &training) < 0 ||
        arg_float(args[6], "batch_norm", "momentum", &momentum) < 0 || arg_float(args[7], "batch_norm", "eps", &eps) < 0) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_batch_norm(&out, x, optional[0], optional[1], optional[2], optional[3], training, momentum, eps);
    Py_END_ALLOW_THREADS
    return tensor_result(state, status, out);
}

/* ---------------------------------------------------------------- the table */

#define FLOAT_PARAMETER_ENTRY(name, parameter, fn, summary) CORE_METHOD(#name, core_##name, name##_doc),

PyMethodDef layer_functions[] = {
    CORE_METHOD("conv2d", core_conv2d, conv2d_doc),
    CORE_METHOD("conv2d_init", core_conv2d_init, conv2d_init_doc),
    CORE_METHOD("max_pool2d", core_max_pool2d, max_pool2d_doc),
    CORE_METHOD("avg_pool2d", core_avg_pool2d, avg_pool2d_doc),
    FLOAT_PARAMETER_OPS(FLOAT_PARAMETER_ENTRY)
    CORE_METHOD("gelu", core_gelu, gelu_doc),
    CORE_METHOD("embedding", core_embedding, embedding_doc),
    CORE_METHOD("embedding_init", core_embedding_init, embedding_init_doc),
    CORE_METHOD("layer_norm", core_layer_norm, layer_norm_doc),
    CORE_METHOD("batch_norm", core_batch_norm, batch_norm_doc),
    {NULL, NULL, 0, NULL},
};
