/*
 * buffers.c — buffer-protocol inputs: float32 data and int64 indices.
 */
#include "buffers.h"

/* True if `format` is the native single-item struct code `code` ("f", "@f", "=f", "<f" on a
 * little-endian machine). The itemsize is checked separately. */
static int format_is(const char *format, char code) {
    if (format == NULL) {
        return code == 'B';
    }
    char first = format[0];
#if PY_LITTLE_ENDIAN
    int native_prefix = first == '@' || first == '=' || first == '<';
#else
    int native_prefix = first == '@' || first == '=' || first == '>' || first == '!';
#endif
    if (native_prefix) {
        format++;
    }
    return format[0] == code && format[1] == '\0';
}

/* Gets a C-contiguous buffer with its format; turns a refusal into a TypeError naming the argument. */
static int contiguous_buffer_get(PyObject *obj, Py_buffer *view, int flags, const char *fname,
                                 const char *argname, const char *expected) {
    if (!PyObject_CheckBuffer(obj)) {
        return arg_type_error(fname, argname, expected, obj);
    }
    if (PyObject_GetBuffer(obj, view, flags | PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        PyObject *type, *value, *traceback;
        PyErr_Fetch(&type, &value, &traceback);
        PyErr_NormalizeException(&type, &value, &traceback);
        PyErr_Format(PyExc_TypeError, "%s(): argument '%s' must be %s (%S)", fname, argname, expected,
                     value != NULL ? value : Py_None);
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(traceback);
        return -1;
    }
    return 0;
}

int float_buffer_get(PyObject *obj, Py_buffer *view, int writable, const char *fname, const char *argname) {
    const char *expected = writable ? "a writable C-contiguous float32 buffer"
                                    : "a C-contiguous float32 buffer";
    if (contiguous_buffer_get(obj, view, writable ? PyBUF_WRITABLE : 0, fname, argname, expected) < 0) {
        return -1;
    }
    if (view->itemsize != 4 || !format_is(view->format, 'f')) {
        PyErr_Format(PyExc_TypeError, "%s(): argument '%s' must be %s, not one with format '%s'", fname,
                     argname, expected, view->format != NULL ? view->format : "B");
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

int index_buffer_get(PyObject *obj, Py_buffer *view, const char *fname, const char *argname) {
    const char *expected = "a C-contiguous 1-D int64 buffer";
    if (contiguous_buffer_get(obj, view, 0, fname, argname, expected) < 0) {
        return -1;
    }
    int is_int64 = view->itemsize == 8 &&
                   (format_is(view->format, 'q') || (sizeof(long) == 8 && format_is(view->format, 'l')));
    if (!is_int64 || view->ndim != 1) {
        PyErr_Format(PyExc_TypeError, "%s(): argument '%s' must be %s, not a %d-D one with format '%s'", fname,
                     argname, expected, view->ndim, view->format != NULL ? view->format : "B");
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

int buffer_shape(const Py_buffer *view, int64_list *out) {
    if (int64_list_init(out, view->ndim) < 0) {
        return -1;
    }
    for (int i = 0; i < view->ndim; i++) {
        out->values[i] = (int64_t)view->shape[i];
    }
    return 0;
}
