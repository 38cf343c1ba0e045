/*
 * handle.h — Python objects that own one opaque core handle (`_core.Optimizer`, `_core.MtlMethod`, …):
 * one heap type per handle kind, not instantiable from Python, freeing the handle in tp_dealloc.
 */
#ifndef POLYHEAD_HANDLE_H
#define POLYHEAD_HANDLE_H

#include "core.h"

/** Frees one handle of a given kind (an adapter over the matching ph_*_free). */
typedef ph_status (*handle_free_fn)(void *handle);

/** Creates the heap type `name` (a string literal, e.g. "polyhead._core.Optimizer") with docstring `doc`
 *  and adds it to `module`. Returns a new reference, or NULL with an exception set. */
PyTypeObject *handle_type_add(PyObject *module, const char *name, const char *doc);

/** Wraps a +1 `handle` in a new object of `type` that frees it with `free_handle`; on failure frees the
 *  handle and returns NULL. */
PyObject *handle_object_new(PyTypeObject *type, void *handle, handle_free_fn free_handle);

/** The borrowed handle of `obj` if it is an instance of `type`; otherwise NULL with a TypeError naming the
 *  function, the argument and the `expected` kind. */
void *handle_arg(PyTypeObject *type, PyObject *obj, const char *fname, const char *argname, const char *expected);

#endif /* POLYHEAD_HANDLE_H */
