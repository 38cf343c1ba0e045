/*
 * wrappers.h — the wrappers that several bridge files share: a tensor plus one scalar (float or int32) (ops.c,
 * layers.c), and pairs of results (the (weight, bias or None) of the layer initialisers, module.c's permutation).
 */
#ifndef POLYHEAD_WRAPPERS_H
#define POLYHEAD_WRAPPERS_H

#include "tensor.h"

/** A core function of a tensor and one float: pow_scalar(a, exponent), dropout(x, p), elu(x, alpha), … */
typedef ph_status (*tensor_float_fn)(ph_tensor **out, const ph_tensor *x, float value);

/** A core function of a tensor and one int32: softmax(a, axis), gelu(x, approximate), … */
typedef ph_status (*tensor_int32_fn)(ph_tensor **out, const ph_tensor *x, int32_t value);

/**
 * `name(tensor_name, value_name, /)`: checks both arguments (errors name them), calls `fn` with the GIL
 * released and wraps the result.
 */
PyObject *call_tensor_float(PyObject *module, PyObject *const *args, Py_ssize_t nargs, const char *name,
                            const char *tensor_name, const char *value_name, tensor_float_fn fn);

/** Like call_tensor_float, for an int32 value. */
PyObject *call_tensor_int32(PyObject *module, PyObject *const *args, Py_ssize_t nargs, const char *name,
                            const char *tensor_name, const char *value_name, tensor_int32_fn fn);

/** The tuple (first, second) from two new references, which it consumes; NULL (with the exception set) if
 *  either is NULL. */
PyObject *pair_of_new_references(PyObject *first, PyObject *second);

/** (weight, bias or None) from two +1 handles (bias may be NULL); consumes both, even on failure. */
PyObject *parameter_pair(core_state *state, ph_tensor *weight, ph_tensor *bias);

#endif /* POLYHEAD_WRAPPERS_H */
