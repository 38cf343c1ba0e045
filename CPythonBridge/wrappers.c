/*
 * wrappers.c — the wrappers that several bridge files share (see wrappers.h).
 */
#include "wrappers.h"

/* One wrapper for both scalar kinds: exactly one of fn_float and fn_int32 is set. */
static PyObject *call_tensor_scalar(PyObject *module, PyObject *const *args, Py_ssize_t nargs, const char *name,
                                    const char *tensor_name, const char *value_name, tensor_float_fn fn_float,
                                    tensor_int32_fn fn_int32) {
    if (check_nargs(name, nargs, 2, 2) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    const ph_tensor *x = tensor_arg(state, args[0], name, tensor_name);
    float real = 0.0f;
    int32_t integer = 0;
    if (x == NULL || (fn_float != NULL ? arg_float(args[1], name, value_name, &real)
                                       : arg_int32(args[1], name, value_name, &integer)) < 0) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = fn_float != NULL ? fn_float(&out, x, real) : fn_int32(&out, x, integer);
    Py_END_ALLOW_THREADS
    return tensor_result(state, status, out);
}

PyObject *call_tensor_float(PyObject *module, PyObject *const *args, Py_ssize_t nargs, const char *name,
                            const char *tensor_name, const char *value_name, tensor_float_fn fn) {
    return call_tensor_scalar(module, args, nargs, name, tensor_name, value_name, fn, NULL);
}

PyObject *call_tensor_int32(PyObject *module, PyObject *const *args, Py_ssize_t nargs, const char *name,
                            const char *tensor_name, const char *value_name, tensor_int32_fn fn) {
    return call_tensor_scalar(module, args, nargs, name, tensor_name, value_name, NULL, fn);
}

PyObject *pair_of_new_references(PyObject *first, PyObject *second) {
    PyObject *pair = first != NULL && second != NULL ? PyTuple_Pack(2, first, second) : NULL;
    Py_XDECREF(first);
    Py_XDECREF(second);
    return pair;
}

PyObject *parameter_pair(core_state *state, ph_tensor *weight, ph_tensor *bias) {
    PyObject *bias_obj = bias != NULL ? tensor_from_handle(state, bias) : Py_NewRef(Py_None);
    if (bias_obj == NULL) {
        ph_tensor_free(weight);
        return NULL;
    }
    return pair_of_new_references(tensor_from_handle(state, weight), bias_obj);
}
