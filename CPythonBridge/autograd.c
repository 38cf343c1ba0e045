/*
 * autograd.c — back-propagation, in-place copies and the per-thread switches (grad mode, anomaly detection).
 */
#include "errors.h"
#include "tensor.h"

PyDoc_STRVAR(backward_doc,
"backward($module, t, seed, retain_graph, /)\n--\n\n"
"Back-propagates from `t`. `seed` is the gradient of `t` (same shape), or None for a one-element `t`.\n"
"Gradients accumulate into .grad of the leaves that require them; unless retain_graph is true the\n"
"graph is freed.");

CORE_FASTCALL(core_backward) {
    if (check_nargs("backward", nargs, 3, 3) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    ph_tensor *t = tensor_arg(state, args[0], "backward", "t");
    ph_tensor *seed = NULL;
    int32_t retain_graph = 0;
    if (t == NULL || tensor_arg_or_none(state, args[1], "backward", "seed", &seed) < 0 ||
        arg_flag(args[2], "backward", "retain_graph", &retain_graph) < 0) {
        return NULL;
    }
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_tensor_backward(t, seed, retain_graph);
    Py_END_ALLOW_THREADS
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(copy__doc,
"copy_($module, dst, src, /)\n--\n\n"
"Copies `src` into `dst` in place (not recorded); `src` broadcasts to dst's shape.");

CORE_FASTCALL(core_copy_) {
    if (check_nargs("copy_", nargs, 2, 2) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    ph_tensor *dst = tensor_arg(state, args[0], "copy_", "dst");
    const ph_tensor *src = dst == NULL ? NULL : tensor_arg(state, args[1], "copy_", "src");
    if (src == NULL) {
        return NULL;
    }
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_tensor_copy_(dst, src);
    Py_END_ALLOW_THREADS
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    Py_RETURN_NONE;
}

/* A per-thread switch of the core (grad mode, anomaly detection): set → previous, get → current. */
typedef ph_status (*switch_setter)(int32_t *previous, int32_t enabled);
typedef ph_status (*switch_getter)(int32_t *out);

static PyObject *set_switch(PyObject *const *args, Py_ssize_t nargs, const char *name, switch_setter set) {
    int32_t enabled = 0, previous = 0;
    if (check_nargs(name, nargs, 1, 1) < 0 || arg_flag(args[0], name, "flag", &enabled) < 0) {
        return NULL;
    }
    ph_status status = set(&previous, enabled);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    return PyBool_FromLong(previous);
}

static PyObject *get_switch(Py_ssize_t nargs, const char *name, switch_getter get) {
    if (check_nargs(name, nargs, 0, 0) < 0) {
        return NULL;
    }
    int32_t enabled = 0;
    ph_status status = get(&enabled);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    return PyBool_FromLong(enabled);
}

PyDoc_STRVAR(set_grad_enabled_doc,
"set_grad_enabled($module, flag, /)\n--\n\n"
"Enables or disables gradient recording on this thread; returns the previous setting.");

CORE_FASTCALL(core_set_grad_enabled) {
    (void)module;
    return set_switch(args, nargs, "set_grad_enabled", ph_set_grad_enabled);
}

PyDoc_STRVAR(is_grad_enabled_doc,
"is_grad_enabled($module, /)\n--\n\nWhether gradient recording is enabled on this thread.");

CORE_FASTCALL(core_is_grad_enabled) {
    (void)module;
    (void)args;
    return get_switch(nargs, "is_grad_enabled", ph_is_grad_enabled);
}

PyDoc_STRVAR(set_anomaly_enabled_doc,
"set_anomaly_enabled($module, flag, /)\n--\n\n"
"Turns anomaly detection on or off for this thread; returns the previous setting.");

CORE_FASTCALL(core_set_anomaly_enabled) {
    (void)module;
    return set_switch(args, nargs, "set_anomaly_enabled", ph_set_anomaly_enabled);
}

PyDoc_STRVAR(is_anomaly_enabled_doc,
"is_anomaly_enabled($module, /)\n--\n\nWhether anomaly detection is on for this thread.");

CORE_FASTCALL(core_is_anomaly_enabled) {
    (void)module;
    (void)args;
    return get_switch(nargs, "is_anomaly_enabled", ph_is_anomaly_enabled);
}

PyMethodDef autograd_functions[] = {
    CORE_METHOD("backward", core_backward, backward_doc),
    CORE_METHOD("copy_", core_copy_, copy__doc),
    CORE_METHOD("set_grad_enabled", core_set_grad_enabled, set_grad_enabled_doc),
    CORE_METHOD("is_grad_enabled", core_is_grad_enabled, is_grad_enabled_doc),
    CORE_METHOD("set_anomaly_enabled", core_set_anomaly_enabled, set_anomaly_enabled_doc),
    CORE_METHOD("is_anomaly_enabled", core_is_anomaly_enabled, is_anomaly_enabled_doc),
    {NULL, NULL, 0, NULL},
};
