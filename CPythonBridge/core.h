/*
 * core.h — what every file of the `polyhead._core` extension shares: the module state and the
 * signature of a METH_FASTCALL function.
 *
 * The extension follows CPython's Modules/xxlimited.c: multi-phase init, heap types created with
 * PyType_FromModuleAndSpec, and no mutable C globals (everything lives in the module state).
 */
#ifndef POLYHEAD_CORE_H
#define POLYHEAD_CORE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "polyhead.h"

#if PY_VERSION_HEX < 0x030A0000
/* Py_NewRef arrived in 3.10. */
static inline PyObject *Py_NewRef(PyObject *obj) { Py_INCREF(obj); return obj; }
#endif

/** Per-module state: the types and the class that wraps every tensor `_core` returns. */
typedef struct {
    PyTypeObject *tensor_type;     /* _core.Tensor */
    PyTypeObject *optimizer_type;  /* _core.Optimizer */
    PyTypeObject *mtl_method_type; /* _core.MtlMethod */
    PyTypeObject *model_type;      /* _core.Model (training.c) */
    PyTypeObject *trainer_type;    /* _core.Trainer (training.c) */
    PyTypeObject *tensor_class;    /* set_tensor_class(cls); defaults to tensor_type */
    PyTypeObject *integer_class;   /* set_integer_tensor_class(cls): exports no float32 buffer; or NULL */
} core_state;

/** The signature of every module-level function (METH_FASTCALL; `module` is the `_core` module). */
#define CORE_FASTCALL(name) \
    static PyObject *name(PyObject *module, PyObject *const *args, Py_ssize_t nargs)

/** Casts a METH_FASTCALL function for a PyMethodDef entry. */
#define CORE_METHOD(name, func, doc) \
    {name, (PyCFunction)(void (*)(void))(func), METH_FASTCALL, doc}

/** The state of the `_core` module object passed to a module-level function. */
static inline core_state *core_get_state(PyObject *module) {
    return (core_state *)PyModule_GetState(module);
}

/** The state of the `_core` module that defined `type` or one of its bases (NULL + exception if none). */
core_state *core_state_from_type(PyTypeObject *type);

/* Module-level function tables, one per concept file; module.c adds them all at exec time. */
extern PyMethodDef tensor_functions[];     /* tensor.c: set_tensor_class, set_integer_tensor_class, item, numel */
extern PyMethodDef creation_functions[];   /* creation.c: from_buffer, full, randn, … */
extern PyMethodDef ops_functions[];        /* ops.c: elementwise, linear algebra, reductions */
extern PyMethodDef shape_functions[];      /* shape.c: reshape, concat, split, index_select */
extern PyMethodDef loss_functions[];       /* losses.c */
extern PyMethodDef autograd_functions[];   /* autograd.c: backward, copy_, grad mode, anomaly mode */
extern PyMethodDef optim_functions[];      /* optim.c */
extern PyMethodDef mtl_functions[];        /* mtl.c: multi-task methods */
extern PyMethodDef io_functions[];         /* io.c: safetensors save/load, atomic writes */
extern PyMethodDef layer_functions[];      /* layers.c: conv, pooling, dropout, embedding, norms */
extern PyMethodDef training_functions[];   /* training.c: Keras-style models and fit */

/** Creates `_core.Model` and `_core.Trainer` (training.c) and stores them in the state. */
int training_types_add(PyObject *module, core_state *state);

#endif /* POLYHEAD_CORE_H */
