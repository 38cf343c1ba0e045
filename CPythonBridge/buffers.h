/*
 * buffers.h — reading Python buffers (numpy arrays, array.array, memoryview, _core.Tensor) without numpy
 * headers.
 */
#ifndef POLYHEAD_BUFFERS_H
#define POLYHEAD_BUFFERS_H

#include "core.h"

#include "args.h"

/**
 * Gets a C-contiguous float32 buffer (format "f", itemsize 4) of any rank, writable if asked.
 * TypeError naming the argument for anything else; release the view with PyBuffer_Release.
 */
int float_buffer_get(PyObject *obj, Py_buffer *view, int writable, const char *fname, const char *argname);

/**
 * Gets a C-contiguous 1-D int64 buffer (format "q", or "l" where long is 64-bit): class indices, row
 * indices. TypeError naming the argument for anything else; release the view with PyBuffer_Release.
 */
int index_buffer_get(PyObject *obj, Py_buffer *view, const char *fname, const char *argname);

/** The shape of a buffer view as an int64_list (release with int64_list_release). */
int buffer_shape(const Py_buffer *view, int64_list *out);

#endif /* POLYHEAD_BUFFERS_H */
