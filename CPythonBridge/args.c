/*
 * args.c — argument conversion with errors that name the function and the argument.
 */
#include "args.h"

#include "tensor.h"

int check_nargs(const char *fname, Py_ssize_t nargs, Py_ssize_t min, Py_ssize_t max) {
    if (nargs >= min && nargs <= max) {
        return 0;
    }
    if (min == max) {
        PyErr_Format(PyExc_TypeError, "%s() takes exactly %zd argument%s (%zd given)", fname, min,
                     min == 1 ? "" : "s", nargs);
    } else {
        PyErr_Format(PyExc_TypeError, "%s() takes from %zd to %zd arguments (%zd given)", fname, min, max,
                     nargs);
    }
    return -1;
}

int arg_type_error(const char *fname, const char *argname, const char *expected, PyObject *obj) {
    PyErr_Format(PyExc_TypeError, "%s(): argument '%s' must be %s, not %.200s", fname, argname, expected,
                 Py_TYPE(obj)->tp_name);
    return -1;
}

/* A new reference to obj.__index__() as a Python int, or NULL with TypeError naming the argument. */
static PyObject *index_object(PyObject *obj, const char *fname, const char *argname) {
    if (!PyIndex_Check(obj)) {
        arg_type_error(fname, argname, "int", obj);
        return NULL;
    }
    return PyNumber_Index(obj);
}

/* Reads an int via __index__ into a long long; OverflowError names the argument. */
static int index_as_long_long(PyObject *obj, const char *fname, const char *argname, long long *out) {
    PyObject *index = index_object(obj, fname, argname);
    if (index == NULL) {
        return -1;
    }
    int overflow = 0;
    long long value = PyLong_AsLongLongAndOverflow(index, &overflow);
    Py_DECREF(index);
    if (value == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (overflow != 0) {
        PyErr_Format(PyExc_OverflowError, "%s(): argument '%s' does not fit in 64 bits", fname, argname);
        return -1;
    }
    *out = value;
    return 0;
}

int arg_int64(PyObject *obj, const char *fname, const char *argname, int64_t *out) {
    long long value;
    if (index_as_long_long(obj, fname, argname, &value) < 0) {
        return -1;
    }
    *out = (int64_t)value;
    return 0;
}

int arg_int32(PyObject *obj, const char *fname, const char *argname, int32_t *out) {
    long long value;
    if (index_as_long_long(obj, fname, argname, &value) < 0) {
        return -1;
    }
    if (value < INT32_MIN || value > INT32_MAX) {
        PyErr_Format(PyExc_OverflowError, "%s(): argument '%s' does not fit in 32 bits: %lld", fname,
                     argname, value);
        return -1;
    }
    *out = (int32_t)value;
    return 0;
}

int arg_seed(PyObject *obj, const char *fname, const char *argname, uint64_t *out) {
    PyObject *index = index_object(obj, fname, argname);
    if (index == NULL) {
        return -1;
    }
    int overflow = 0;
    long long value = PyLong_AsLongLongAndOverflow(index, &overflow);
    if (overflow > 0) {
        unsigned long long big = PyLong_AsUnsignedLongLong(index);
        Py_DECREF(index);
        if (big == (unsigned long long)-1 && PyErr_Occurred()) {
            PyErr_Format(PyExc_OverflowError, "%s(): argument '%s' must be in [-2**63, 2**64)", fname,
                         argname);
            return -1;
        }
        *out = (uint64_t)big;
        return 0;
    }
    Py_DECREF(index);
    if (overflow < 0) {
        PyErr_Format(PyExc_OverflowError, "%s(): argument '%s' must be in [-2**63, 2**64)", fname, argname);
        return -1;
    }
    if (value == -1 && PyErr_Occurred()) {
        return -1;
    }
    *out = (uint64_t)value;
    return 0;
}

int arg_double(PyObject *obj, const char *fname, const char *argname, double *out) {
    if (PyFloat_CheckExact(obj)) {
        *out = PyFloat_AS_DOUBLE(obj);
        return 0;
    }
    double value = PyFloat_AsDouble(obj);
    if (value == -1.0 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            return arg_type_error(fname, argname, "a real number", obj);
        }
        return -1;
    }
    *out = value;
    return 0;
}

int arg_float(PyObject *obj, const char *fname, const char *argname, float *out) {
    double value;
    if (arg_double(obj, fname, argname, &value) < 0) {
        return -1;
    }
    *out = (float)value;
    return 0;
}

int arg_flag(PyObject *obj, const char *fname, const char *argname, int32_t *out) {
    (void)fname;
    (void)argname;
    int truth = PyObject_IsTrue(obj);
    if (truth < 0) {
        return -1;
    }
    *out = truth;
    return 0;
}

int int64_list_init(int64_list *list, Py_ssize_t count) {
    list->count = 0;
    list->values = list->inline_values;
    if (count > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "polyhead: too many entries (more than 2**31 - 1)");
        return -1;
    }
    if (count > (Py_ssize_t)(sizeof(list->inline_values) / sizeof(int64_t))) {
        list->values = PyMem_New(int64_t, count);
        if (list->values == NULL) {
            list->values = list->inline_values;
            PyErr_NoMemory();
            return -1;
        }
    }
    list->count = (int32_t)count;
    return 0;
}

void int64_list_release(int64_list *list) {
    if (list->values != list->inline_values) {
        PyMem_Free(list->values);
    }
    list->values = list->inline_values;
    list->count = 0;
}

int arg_int64_list(PyObject *obj, const char *fname, const char *argname, int64_list *out) {
    out->values = out->inline_values;
    out->count = 0;
    if (PyUnicode_Check(obj) || PyBytes_Check(obj) || !PySequence_Check(obj)) {
        return arg_type_error(fname, argname, "a sequence of ints", obj);
    }
    PyObject *items = PySequence_Fast(obj, "");
    if (items == NULL) {
        return -1;
    }
    Py_ssize_t count = PySequence_Fast_GET_SIZE(items);
    if (int64_list_init(out, count) < 0) {
        Py_DECREF(items);
        return -1;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(items, i);
        if (!PyIndex_Check(item)) {
            PyErr_Format(PyExc_TypeError, "%s(): argument '%s' must be a sequence of ints, not one holding %.200s",
                         fname, argname, Py_TYPE(item)->tp_name);
            goto fail;
        }
        if (arg_int64(item, fname, argname, &out->values[i]) < 0) {
            goto fail;
        }
    }
    Py_DECREF(items);
    return 0;
fail:
    Py_DECREF(items);
    int64_list_release(out);
    return -1;
}

int arg_tensor_list(core_state *state, PyObject *obj, const char *fname, const char *argname,
                    tensor_list *out) {
    out->items = NULL;
    out->handles = out->inline_handles;
    out->count = 0;
    if (PyUnicode_Check(obj) || PyBytes_Check(obj) || !PySequence_Check(obj) ||
        PyObject_TypeCheck(obj, state->tensor_type)) {
        return arg_type_error(fname, argname, "a sequence of polyhead Tensors", obj);
    }
    /* A tuple copy: another thread cannot drop the tensors while the GIL is released. */
    PyObject *items = PySequence_Tuple(obj);
    if (items == NULL) {
        return -1;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(items);
    if (count > INT32_MAX) {
        Py_DECREF(items);
        PyErr_Format(PyExc_ValueError, "%s(): argument '%s' has more than 2**31 - 1 tensors", fname, argname);
        return -1;
    }
    if (count > (Py_ssize_t)(sizeof(out->inline_handles) / sizeof(ph_tensor *))) {
        out->handles = PyMem_New(ph_tensor *, count);
        if (out->handles == NULL) {
            out->handles = out->inline_handles;
            Py_DECREF(items);
            PyErr_NoMemory();
            return -1;
        }
    }
    out->items = items;
    out->count = (int32_t)count;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PyTuple_GET_ITEM(items, i);
        if (!PyObject_TypeCheck(item, state->tensor_type)) {
            PyErr_Format(PyExc_TypeError, "%s(): argument '%s' item %zd must be a polyhead Tensor, not %.200s",
                         fname, argname, i, Py_TYPE(item)->tp_name);
            tensor_list_release(out);
            return -1;
        }
        out->handles[i] = ((TensorObject *)item)->handle;
    }
    return 0;
}

void tensor_list_release(tensor_list *list) {
    if (list->handles != list->inline_handles) {
        PyMem_Free(list->handles);
    }
    list->handles = list->inline_handles;
    list->count = 0;
    Py_CLEAR(list->items);
}

const char *utf8_arg(PyObject *obj, const char *fname, const char *argname) {
    if (!PyUnicode_Check(obj)) {
        arg_type_error(fname, argname, "str", obj);
        return NULL;
    }
    Py_ssize_t size = 0;
    const char *text = PyUnicode_AsUTF8AndSize(obj, &size);
    if (text != NULL && (Py_ssize_t)strlen(text) != size) {
        PyErr_Format(PyExc_ValueError, "%s(): argument '%s' contains a NUL character", fname, argname);
        return NULL;
    }
    return text;
}

void string_list_release(string_list *list) {
    PyMem_Free(list->values);
    list->values = NULL;
    Py_CLEAR(list->items);
}

int arg_string_list(PyObject *obj, const char *fname, const char *argname, string_list *out) {
    out->items = NULL;
    out->values = NULL;
    out->count = 0;
    if (PyUnicode_Check(obj) || PyBytes_Check(obj) || !PySequence_Check(obj)) {
        return arg_type_error(fname, argname, "a sequence of str", obj);
    }
    out->items = PySequence_Tuple(obj);
    if (out->items == NULL) {
        return -1;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(out->items);
    if (count > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "%s(): argument '%s' has more than 2**31 - 1 items", fname, argname);
        string_list_release(out);
        return -1;
    }
    out->values = PyMem_New(const char *, count > 0 ? count : 1);
    if (out->values == NULL) {
        string_list_release(out);
        PyErr_NoMemory();
        return -1;
    }
    out->count = (int32_t)count;
    for (Py_ssize_t i = 0; i < count; i++) {
        out->values[i] = utf8_arg(PyTuple_GET_ITEM(out->items, i), fname, argname);
        if (out->values[i] == NULL) {
            string_list_release(out);
            return -1;
        }
    }
    return 0;
}
