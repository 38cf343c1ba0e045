/*
 * mtl.c — `_core.MtlMethod`: one ph_mtl_method handle per object, made by mtl_method(name, …), and the
 * functions that drive it (mtl_backward, mtl_parameters, mtl_end_epoch, mtl_method_names).
 */
#include "mtl.h"

#include "args.h"
#include "errors.h"
#include "handle.h"
#include "tensor.h"

/* ---------------------------------------------------------------- the type */

PyDoc_STRVAR(mtl_method_type_doc,
"A multi-task weighting or gradient method held by the Polyhead core (made by mtl_method(); drive it\n"
"with mtl_backward(), mtl_parameters() and mtl_end_epoch()).");

static ph_status free_mtl_method(void *handle) { return ph_mtl_method_free(handle); }

int mtl_method_type_add(PyObject *module, core_state *state) {
    state->mtl_method_type = handle_type_add(module, "polyhead._core.MtlMethod", mtl_method_type_doc);
    return state->mtl_method_type == NULL ? -1 : 0;
}

/* The handle of a MtlMethod argument; NULL + TypeError naming the argument otherwise. */
static ph_mtl_method *mtl_method_arg(PyObject *module, PyObject *obj, const char *fname) {
    return handle_arg(core_get_state(module)->mtl_method_type, obj, fname, "method", "a polyhead MtlMethod");
}

/* ---------------------------------------------------------------- construction */

/* Parallel arrays of option names (UTF-8 owned by `names`) and values, from two sequences. */
typedef struct {
    PyObject *names;        /* a tuple copy of the names, keeping their UTF-8 alive */
    const char **keys;
    double *values;
    int32_t count;
} option_arrays;

static void option_arrays_release(option_arrays *options) {
    PyMem_Free(options->keys);
    PyMem_Free(options->values);
    options->keys = NULL;
    options->values = NULL;
    Py_CLEAR(options->names);
}

static int option_arrays_from(PyObject *names_obj, PyObject *values_obj, option_arrays *out) {
    static const char fname[] = "mtl_method";
    *out = (option_arrays){NULL, NULL, NULL, 0};
    if (PyUnicode_Check(names_obj) || !PySequence_Check(names_obj)) {
        return arg_type_error(fname, "option_names", "a sequence of str", names_obj);
    }
    if (PyUnicode_Check(values_obj) || !PySequence_Check(values_obj)) {
        return arg_type_error(fname, "option_values", "a sequence of real numbers", values_obj);
    }
    PyObject *values = PySequence_Tuple(values_obj);
    out->names = values != NULL ? PySequence_Tuple(names_obj) : NULL;
    if (out->names == NULL) {
        Py_XDECREF(values);
        return -1;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(out->names);
    if (PyTuple_GET_SIZE(values) != count) {
        PyErr_Format(PyExc_ValueError, "%s(): 'option_names' has %zd entries but 'option_values' has %zd", fname,
                     count, PyTuple_GET_SIZE(values));
        goto fail;
    }
    if (count > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "%s(): more than 2**31 - 1 options", fname);
        goto fail;
    }
    out->keys = PyMem_New(const char *, count > 0 ? count : 1);
    out->values = PyMem_New(double, count > 0 ? count : 1);
    if (out->keys == NULL || out->values == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *key = PyTuple_GET_ITEM(out->names, i);
        if (!PyUnicode_Check(key)) {
            PyErr_Format(PyExc_TypeError, "%s(): argument 'option_names' item %zd must be str, not %.200s", fname,
                         i, Py_TYPE(key)->tp_name);
            goto fail;
        }
        out->keys[i] = utf8_arg(key, fname, "option_names");
        if (out->keys[i] == NULL ||
            arg_double(PyTuple_GET_ITEM(values, i), fname, "option_values", &out->values[i]) < 0) {
            goto fail;
        }
    }
    out->count = (int32_t)count;
    Py_DECREF(values);
    return 0;
fail:
    Py_DECREF(values);
    option_arrays_release(out);
    return -1;
}

PyDoc_STRVAR(mtl_method_doc,
"mtl_method($module, name, task_count, option_names, option_values, /)\n--\n\n"
"The multi-task method `name` (see mtl_method_names()) for task_count >= 1 tasks, with numeric options\n"
"given as two parallel sequences (names: str, values: real numbers). Unknown names or options and\n"
"out-of-range values raise ValueError.");

CORE_FASTCALL(core_mtl_method) {
    static const char fname[] = "mtl_method";
    if (check_nargs(fname, nargs, 4, 4) < 0) {
        return NULL;
    }
    int32_t task_count = 0;
    const char *name = utf8_arg(args[0], fname, "name");
    if (name == NULL || arg_int32(args[1], fname, "task_count", &task_count) < 0) {
        return NULL;
    }
    option_arrays options;
    if (option_arrays_from(args[2], args[3], &options) < 0) {
        return NULL;
    }
    ph_mtl_method *handle = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_mtl_method_new(&handle, name, task_count, options.keys, options.values, options.count);
    Py_END_ALLOW_THREADS
    option_arrays_release(&options);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    core_state *state = core_get_state(module);
    return handle_object_new(state->mtl_method_type, handle, free_mtl_method);
}

PyDoc_STRVAR(mtl_method_names_doc,
"mtl_method_names($module, /)\n--\n\nThe names mtl_method() accepts, as a list of str.");

CORE_FASTCALL(core_mtl_method_names) {
    (void)module;
    (void)args;
    if (check_nargs("mtl_method_names", nargs, 0, 0) < 0) {
        return NULL;
    }
    int32_t count = 0;
    ph_status status = ph_mtl_method_name_count(&count);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    PyObject *list = PyList_New(count);
    for (int32_t i = 0; list != NULL && i < count; i++) {
        const char *name = NULL;
        status = ph_mtl_method_name(&name, i);
        PyObject *item = status != PH_OK ? raise_from_status(status) : PyUnicode_FromString(name);
        if (item == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, i, item);
    }
    return list;
}

/* ---------------------------------------------------------------- driving a method */

PyDoc_STRVAR(mtl_parameters_doc,
"mtl_parameters($module, method, /)\n--\n\n"
"The method's learnable tensors (new references to the core's tensors), as a list; empty for most.");

CORE_FASTCALL(core_mtl_parameters) {
    ph_mtl_method *method;
    if (check_nargs("mtl_parameters", nargs, 1, 1) < 0 ||
        (method = mtl_method_arg(module, args[0], "mtl_parameters")) == NULL) {
        return NULL;
    }
    int32_t count = 0;
    ph_status status = ph_mtl_method_parameter_count(&count, method);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    ph_tensor **handles = PyMem_Calloc(count > 0 ? (size_t)count : 1, sizeof(ph_tensor *));
    if (handles == NULL) {
        return PyErr_NoMemory();
    }
    status = ph_mtl_method_parameters(handles, count, method);
    core_state *state = core_get_state(module);
    PyObject *list = status != PH_OK ? raise_from_status(status) : PyList_New(count);
    for (int32_t i = 0; status == PH_OK && i < count; i++) {
        /* Every handle is consumed: wrapped, or freed once building the list has failed. */
        if (list == NULL) {
            ph_tensor_free(handles[i]);
            continue;
        }
        PyObject *item = tensor_from_handle(state, handles[i]);  /* frees the handle on failure */
        if (item == NULL) {
            Py_CLEAR(list);
            continue;
        }
        PyList_SET_ITEM(list, i, item);
    }
    PyMem_Free(handles);
    return list;
}

PyDoc_STRVAR(mtl_backward_doc,
"mtl_backward($module, method, losses, shared_parameters, representation, present, /)\n--\n\n"
"Back-propagates one multi-task step: `losses` holds one scalar tensor per task, `shared_parameters`\n"
"the shared tensors (a sequence, may be empty), `representation` the shared representation or None,\n"
"`present` one int flag per task (0 = absent: no labelled sample) or None (absent = loss exactly 0).\n"
"Gradients accumulate into .grad. Returns the task weights used, as a tuple of floats.");

CORE_FASTCALL(core_mtl_backward) {
    static const char fname[] = "mtl_backward";
    ph_mtl_method *method;
    if (check_nargs(fname, nargs, 5, 5) < 0 || (method = mtl_method_arg(module, args[0], fname)) == NULL) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    ph_tensor *representation = NULL;
    tensor_list losses, shared;
    int64_list flags = {0};
    flags.values = flags.inline_values;
    if (tensor_arg_or_none(state, args[3], fname, "representation", &representation) < 0 ||
        (args[4] != Py_None && arg_int64_list(args[4], fname, "present", &flags) < 0) ||
        arg_tensor_list(state, args[1], fname, "losses", &losses) < 0) {
        int64_list_release(&flags);
        return NULL;
    }
    if (arg_tensor_list(state, args[2], fname, "shared_parameters", &shared) < 0) {
        tensor_list_release(&losses);
        int64_list_release(&flags);
        return NULL;
    }
    int32_t count = losses.count;
    double *weights = PyMem_New(double, count > 0 ? count : 1);
    int32_t *present = PyMem_New(int32_t, count > 0 ? count : 1);
    ph_status status = PH_OK;
    if (args[4] != Py_None && flags.count != count) {
        PyErr_Format(PyExc_ValueError, "%s() argument 'present' has %zd flags for %d losses", fname,
                     (Py_ssize_t)flags.count, (int)count);
    } else if (weights != NULL && present != NULL) {
        for (int32_t i = 0; args[4] != Py_None && i < count; i++) present[i] = flags.values[i] != 0;
        Py_BEGIN_ALLOW_THREADS
        status = ph_mtl_backward(weights, count, method, losses.handles, count, shared.handles, shared.count,
                                 representation, args[4] == Py_None ? NULL : present);
        Py_END_ALLOW_THREADS
    }
    tensor_list_release(&losses);
    tensor_list_release(&shared);
    int64_list_release(&flags);
    PyMem_Free(present);
    PyObject *result = NULL;
    if (PyErr_Occurred()) {
        result = NULL;
    } else if (weights == NULL || present == NULL) {
        result = PyErr_NoMemory();
    } else if (status != PH_OK) {
        result = raise_from_status(status);
    } else {
        result = PyTuple_New(count);
        for (int32_t i = 0; result != NULL && i < count; i++) {
            PyObject *item = PyFloat_FromDouble(weights[i]);
            if (item == NULL) {
                Py_CLEAR(result);
                break;
            }
            PyTuple_SET_ITEM(result, i, item);
        }
    }
    PyMem_Free(weights);
    return result;
}

PyDoc_STRVAR(mtl_end_epoch_doc,
"mtl_end_epoch($module, method, /)\n--\n\nTells the method an epoch ended (DWA and other epoch-level methods).");

CORE_FASTCALL(core_mtl_end_epoch) {
    ph_mtl_method *method;
    if (check_nargs("mtl_end_epoch", nargs, 1, 1) < 0 ||
        (method = mtl_method_arg(module, args[0], "mtl_end_epoch")) == NULL) {
        return NULL;
    }
    ph_status status = ph_mtl_method_end_epoch(method);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    Py_RETURN_NONE;
}

PyMethodDef mtl_functions[] = {
    CORE_METHOD("mtl_method", core_mtl_method, mtl_method_doc),
    CORE_METHOD("mtl_method_names", core_mtl_method_names, mtl_method_names_doc),
    CORE_METHOD("mtl_parameters", core_mtl_parameters, mtl_parameters_doc),
    CORE_METHOD("mtl_backward", core_mtl_backward, mtl_backward_doc),
    CORE_METHOD("mtl_end_epoch", core_mtl_end_epoch, mtl_end_epoch_doc),
    {NULL, NULL, 0, NULL},
};
