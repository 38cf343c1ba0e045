/*
 * shape.c — shape ops: reshape, concat, split, index_select.
 */
#include "buffers.h"
#include "errors.h"
#include "tensor.h"

PyDoc_STRVAR(reshape_doc,
"reshape($module, a, shape, /)\n--\n\n"
"The same data with a new shape (a sequence of ints, one may be -1); shares storage.");

CORE_FASTCALL(core_reshape) {
    if (check_nargs("reshape", nargs, 2, 2) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    const ph_tensor *a = tensor_arg(state, args[0], "reshape", "a");
    int64_list shape;
    if (a == NULL || arg_int64_list(args[1], "reshape", "shape", &shape) < 0) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_reshape(&out, a, shape.values, shape.count);
    Py_END_ALLOW_THREADS
    int64_list_release(&shape);
    return tensor_result(state, status, out);
}

PyDoc_STRVAR(concat_doc,
"concat($module, tensors, axis, /)\n--\n\n"
"Concatenates a sequence of tensors along `axis`; all other dimensions must agree.");

CORE_FASTCALL(core_concat) {
    if (check_nargs("concat", nargs, 2, 2) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    int32_t axis = 0;
    tensor_list tensors;
    if (arg_int32(args[1], "concat", "axis", &axis) < 0 ||
        arg_tensor_list(state, args[0], "concat", "tensors", &tensors) < 0) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_concat(&out, tensors.handles, tensors.count, axis);
    Py_END_ALLOW_THREADS
    tensor_list_release(&tensors);
    return tensor_result(state, status, out);
}

/* A list of tensor objects wrapping handles[0..<count] (+1 each); consumes every handle, even on failure. */
static PyObject *list_from_handles(core_state *state, ph_tensor **handles, int32_t count) {
    PyObject *list = PyList_New(count);
    for (int32_t i = 0; i < count; i++) {
        PyObject *item = list != NULL ? tensor_from_handle(state, handles[i]) : NULL;
        if (item == NULL) {
            if (list != NULL) {  /* tensor_from_handle freed handles[i] */
                i++;
            }
            for (; i < count; i++) {
                ph_tensor_free(handles[i]);
            }
            Py_XDECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, item);
    }
    return list;
}

PyDoc_STRVAR(split_doc,
"split($module, a, sizes, axis, /)\n--\n\n"
"Splits `a` along `axis` into pieces of the given sizes (summing to the axis length); returns a list.");

CORE_FASTCALL(core_split) {
    if (check_nargs("split", nargs, 3, 3) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    const ph_tensor *a = tensor_arg(state, args[0], "split", "a");
    int32_t axis = 0;
    int64_list sizes;
    if (a == NULL || arg_int32(args[2], "split", "axis", &axis) < 0 ||
        arg_int64_list(args[1], "split", "sizes", &sizes) < 0) {
        return NULL;
    }
    ph_tensor **outs = PyMem_Calloc(sizes.count > 0 ? (size_t)sizes.count : 1, sizeof(ph_tensor *));
    if (outs == NULL) {
        int64_list_release(&sizes);
        return PyErr_NoMemory();
    }
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_split(outs, a, sizes.values, sizes.count, axis);
    Py_END_ALLOW_THREADS
    int32_t count = sizes.count;
    int64_list_release(&sizes);
    PyObject *result = status != PH_OK ? raise_from_status(status) : list_from_handles(state, outs, count);
    PyMem_Free(outs);
    return result;
}

PyDoc_STRVAR(index_select_doc,
"index_select($module, a, indices, /)\n--\n\n"
"The rows of `a` (entries along axis 0) at `indices`, a C-contiguous 1-D int64 buffer; repeats allowed,\n"
"negative indices count from the end.");

CORE_FASTCALL(core_index_select) {
    if (check_nargs("index_select", nargs, 2, 2) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    const ph_tensor *a = tensor_arg(state, args[0], "index_select", "a");
    Py_buffer indices;
    if (a == NULL || index_buffer_get(args[1], &indices, "index_select", "indices") < 0) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_index_select(&out, a, (const int64_t *)indices.buf, (int64_t)indices.shape[0]);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&indices);
    return tensor_result(state, status, out);
}

PyMethodDef shape_functions[] = {
    CORE_METHOD("reshape", core_reshape, reshape_doc),
    CORE_METHOD("concat", core_concat, concat_doc),
    CORE_METHOD("split", core_split, split_doc),
    CORE_METHOD("index_select", core_index_select, index_select_doc),
    {NULL, NULL, 0, NULL},
};
