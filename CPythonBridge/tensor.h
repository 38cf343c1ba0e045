/*
 * tensor.h — the `_core.Tensor` type: one ph_tensor handle per Python object.
 */
#ifndef POLYHEAD_TENSOR_H
#define POLYHEAD_TENSOR_H

#include "core.h"

#include "args.h"

/** The instance layout of `_core.Tensor` (and of every subclass). */
typedef struct {
    PyObject_HEAD
    ph_tensor *handle;  /* owned: one reference, dropped by tp_dealloc */
} TensorObject;

/** Creates the heap type `_core.Tensor`, adds it to `module` and stores it in the state. */
int tensor_type_add(PyObject *module, core_state *state);

/**
 * Wraps a +1 handle in a new instance of the registered tensor class (set_tensor_class). The handle is
 * consumed: on failure it is freed and NULL is returned with an exception set.
 */
PyObject *tensor_from_handle(core_state *state, ph_tensor *handle);

/** The usual ending of a wrapper: raise for a failed status, else wrap the +1 handle `out`. */
PyObject *tensor_result(core_state *state, ph_status status, ph_tensor *out);

/** The borrowed handle of a `_core.Tensor` argument; NULL + TypeError naming the argument otherwise. */
ph_tensor *tensor_arg(core_state *state, PyObject *obj, const char *fname, const char *argname);

/** Like tensor_arg, but None gives *out = NULL. Returns 0, or -1 with TypeError. */
int tensor_arg_or_none(core_state *state, PyObject *obj, const char *fname, const char *argname,
                       ph_tensor **out);

/** The shape of a tensor (release with int64_list_release). */
int tensor_shape(const ph_tensor *handle, int64_list *out);

#endif /* POLYHEAD_TENSOR_H */
