/*
 * losses.c — loss functions. Two families, one wrapper each, driven by X-macro tables:
 * (input, target tensor, mask, reduction) and (scores, class-index buffer, mask, reduction); mask is a
 * tensor of per-sample weights or None.
 */
#include "buffers.h"
#include "errors.h"
#include "tensor.h"

/* ---------------------------------------------------------------- loss(input, target, reduction) */

typedef ph_status (*pairwise_loss_fn)(ph_tensor **out, const ph_tensor *input, const ph_tensor *target,
                                      const ph_tensor *mask, int32_t reduction);

static PyObject *call_pairwise_loss(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                                    const char *name, pairwise_loss_fn fn) {
    if (check_nargs(name, nargs, 4, 4) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    const ph_tensor *input = tensor_arg(state, args[0], name, "input");
    const ph_tensor *target = input == NULL ? NULL : tensor_arg(state, args[1], name, "target");
    ph_tensor *mask = NULL;
    int32_t reduction = 0;
    if (target == NULL || tensor_arg_or_none(state, args[2], name, "mask", &mask) < 0 ||
        arg_int32(args[3], name, "reduction", &reduction) < 0) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = fn(&out, input, target, mask, reduction);
    Py_END_ALLOW_THREADS
    return tensor_result(state, status, out);
}

#define PAIRWISE_LOSSES(X)                                                                          \
    X(mse_loss, ph_mse_loss, "Mean squared error between input and target (same shape).")           \
    X(l1_loss, ph_l1_loss, "Mean absolute error between input and target (same shape).")           \
    X(binary_cross_entropy, ph_binary_cross_entropy,                                                \
      "Binary cross-entropy of probabilities in [0, 1] (logs clamped at -100, as PyTorch).")        \
    X(binary_cross_entropy_with_logits, ph_binary_cross_entropy_with_logits,                        \
      "Binary cross-entropy of logits, computed stably.")

#define DEFINE_PAIRWISE(name, fn, summary)                                                          \
    PyDoc_STRVAR(name##_doc, #name "($module, input, target, mask, reduction, /)\n--\n\n" summary   \
                 "\nmask: per-sample weights or None; reduction: REDUCTION_NONE, _MEAN or _SUM.");                  \
    CORE_FASTCALL(core_##name) { return call_pairwise_loss(module, args, nargs, #name, fn); }
PAIRWISE_LOSSES(DEFINE_PAIRWISE)

/* ---------------------------------------------------------------- loss(scores, class indices, reduction) */

typedef ph_status (*class_loss_fn)(ph_tensor **out, const ph_tensor *scores, const int64_t *targets,
                                   int64_t count, const ph_tensor *mask, int32_t reduction);

static PyObject *call_class_loss(PyObject *module, PyObject *const *args, Py_ssize_t nargs, const char *name,
                                 const char *scores_name, class_loss_fn fn) {
    if (check_nargs(name, nargs, 4, 4) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    const ph_tensor *scores = tensor_arg(state, args[0], name, scores_name);
    ph_tensor *mask = NULL;
    int32_t reduction = 0;
    if (scores == NULL || tensor_arg_or_none(state, args[2], name, "mask", &mask) < 0 ||
        arg_int32(args[3], name, "reduction", &reduction) < 0) {
        return NULL;
    }
    Py_buffer targets;
    if (index_buffer_get(args[1], &targets, name, "targets") < 0) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = fn(&out, scores, (const int64_t *)targets.buf, (int64_t)targets.shape[0], mask, reduction);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&targets);
    return tensor_result(state, status, out);
}

#define CLASS_LOSSES(X)                                                                             \
    X(cross_entropy, logits, ph_cross_entropy,                                                      \
      "Cross-entropy of logits (N, C) against N class indices in [0, C).")                          \
    X(nll_loss, log_probs, ph_nll_loss,                                                             \
      "Negative log-likelihood of log-probabilities (N, C) against N class indices in [0, C).")

#define DEFINE_CLASS_LOSS(name, scores, fn, summary)                                                \
    PyDoc_STRVAR(name##_doc, #name "($module, " #scores ", targets, mask, reduction, /)\n--\n\n"      \
                 summary "\ntargets: a C-contiguous 1-D int64 buffer; mask: per-sample weights or None;"  \
                 " reduction: REDUCTION_NONE, _MEAN or _SUM.");                                  \
    CORE_FASTCALL(core_##name) { return call_class_loss(module, args, nargs, #name, #scores, fn); }
CLASS_LOSSES(DEFINE_CLASS_LOSS)

/* ---------------------------------------------------------------- the table */

#define PAIRWISE_ENTRY(name, fn, summary) CORE_METHOD(#name, core_##name, name##_doc),
#define CLASS_LOSS_ENTRY(name, scores, fn, summary) CORE_METHOD(#name, core_##name, name##_doc),

PyMethodDef loss_functions[] = {
    PAIRWISE_LOSSES(PAIRWISE_ENTRY)
    CLASS_LOSSES(CLASS_LOSS_ENTRY)
    {NULL, NULL, 0, NULL},
};
