/*
 * creation.c — new tensors: from Python buffers (copied or shared), filled, random, ranges.
 */
#include <stdlib.h>

#include "buffers.h"
#include "errors.h"
#include "tensor.h"

/* ---------------------------------------------------------------- from buffers */

PyDoc_STRVAR(from_buffer_doc,
"from_buffer($module, obj, shape=None, /)\n--\n\n"
"A new tensor holding a copy of a C-contiguous float32 buffer (format 'f').\n"
"`shape`, a sequence of ints, overrides the buffer's shape (same element count).");

CORE_FASTCALL(core_from_buffer) {
    if (check_nargs("from_buffer", nargs, 1, 2) < 0) {
        return NULL;
    }
    Py_buffer view;
    if (float_buffer_get(args[0], &view, 0, "from_buffer", "obj") < 0) {
        return NULL;
    }
    int64_list shape;
    int rc = nargs > 1 && args[1] != Py_None ? arg_int64_list(args[1], "from_buffer", "shape", &shape)
                                              : buffer_shape(&view, &shape);
    if (rc < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_tensor_new(&out, (const float *)view.buf, (int64_t)(view.len / 4), shape.values, shape.count);
    Py_END_ALLOW_THREADS
    int64_list_release(&shape);
    PyBuffer_Release(&view);
    return tensor_result(core_get_state(module), status, out);
}

/* A valid address for an empty buffer whose exporter gives NULL (the core refuses NULL data). */
static float empty_placeholder[1];

/* The exporter's buffer, held for as long as the core uses the memory. */
typedef struct {
    Py_buffer view;
} shared_buffer;

/* Called by the core exactly once, from any thread, with or without the GIL: give the buffer back. */
static void shared_buffer_release(void *context) {
    shared_buffer *shared = context;
    if (Py_IsInitialized()) {  /* after interpreter shutdown the exporter is gone: only free */
        PyGILState_STATE gil = PyGILState_Ensure();
        PyBuffer_Release(&shared->view);
        PyGILState_Release(gil);
    }
    free(shared);
}

PyDoc_STRVAR(from_buffer_shared_doc,
"from_buffer_shared($module, obj, /)\n--\n\n"
"A new tensor using the memory of a writable C-contiguous float32 buffer without copying.\n"
"The buffer stays acquired (keeping `obj` alive) until the last tensor using it dies.");

CORE_FASTCALL(core_from_buffer_shared) {
    if (check_nargs("from_buffer_shared", nargs, 1, 1) < 0) {
        return NULL;
    }
    shared_buffer *shared = malloc(sizeof *shared);
    if (shared == NULL) {
        return PyErr_NoMemory();
    }
    if (float_buffer_get(args[0], &shared->view, 1, "from_buffer_shared", "obj") < 0) {
        free(shared);
        return NULL;
    }
    int64_list shape;
    if (buffer_shape(&shared->view, &shape) < 0) {
        PyBuffer_Release(&shared->view);
        free(shared);
        return NULL;
    }
    /* From here the core owns `shared`: it calls shared_buffer_release exactly once, even on failure. */
    ph_tensor *out = NULL;
    float *data = shared->view.buf != NULL ? (float *)shared->view.buf : empty_placeholder;
    ph_status status = ph_tensor_new_external(&out, data, (int64_t)(shared->view.len / 4), shape.values,
                                              shape.count, shared_buffer_release, shared);
    int64_list_release(&shape);
    return tensor_result(core_get_state(module), status, out);
}

/* ---------------------------------------------------------------- shaped creation: full, randn, uniform */

/* Adapters giving the three shaped constructors one signature: shape + up to two float parameters. */
typedef ph_status (*shaped_fn)(ph_tensor **out, const int64_t *shape, int32_t ndim, const float *params);

static ph_status make_full(ph_tensor **out, const int64_t *shape, int32_t ndim, const float *params) {
    return ph_tensor_full(out, shape, ndim, params[0]);
}

static ph_status make_randn(ph_tensor **out, const int64_t *shape, int32_t ndim, const float *params) {
    (void)params;
    return ph_tensor_randn(out, shape, ndim);
}

static ph_status make_uniform(ph_tensor **out, const int64_t *shape, int32_t ndim, const float *params) {
    return ph_tensor_uniform(out, shape, ndim, params[0], params[1]);
}

typedef struct {
    const char *name;
    shaped_fn make;
    int nparams;
    const char *param_names[2];
} shaped_constructor;

static const shaped_constructor full_constructor = {"full", make_full, 1, {"value", NULL}};
static const shaped_constructor randn_constructor = {"randn", make_randn, 0, {NULL, NULL}};
static const shaped_constructor uniform_constructor = {"uniform", make_uniform, 2, {"low", "high"}};

static PyObject *call_shaped(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                             const shaped_constructor *constructor) {
    const char *name = constructor->name;
    if (check_nargs(name, nargs, 1 + constructor->nparams, 1 + constructor->nparams) < 0) {
        return NULL;
    }
    float params[2] = {0.0f, 0.0f};
    for (int i = 0; i < constructor->nparams; i++) {
        if (arg_float(args[1 + i], name, constructor->param_names[i], &params[i]) < 0) {
            return NULL;
        }
    }
    int64_list shape;
    if (arg_int64_list(args[0], name, "shape", &shape) < 0) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = constructor->make(&out, shape.values, shape.count, params);
    Py_END_ALLOW_THREADS
    int64_list_release(&shape);
    return tensor_result(core_get_state(module), status, out);
}

PyDoc_STRVAR(full_doc, "full($module, shape, value, /)\n--\n\nA tensor of the given shape filled with `value`.");
CORE_FASTCALL(core_full) { return call_shaped(module, args, nargs, &full_constructor); }

PyDoc_STRVAR(randn_doc,
"randn($module, shape, /)\n--\n\nStandard-normal samples from the global generator (see manual_seed).");
CORE_FASTCALL(core_randn) { return call_shaped(module, args, nargs, &randn_constructor); }

PyDoc_STRVAR(uniform_doc,
"uniform($module, shape, low, high, /)\n--\n\nSamples uniform in [low, high) from the global generator.");
CORE_FASTCALL(core_uniform) { return call_shaped(module, args, nargs, &uniform_constructor); }

/* ---------------------------------------------------------------- ranges */

PyDoc_STRVAR(arange_doc,
"arange($module, start, end, step, /)\n--\n\n"
"The 1-D tensor start, start + step, … up to (not including) end; step != 0.");

CORE_FASTCALL(core_arange) {
    static const char *const names[3] = {"start", "end", "step"};
    if (check_nargs("arange", nargs, 3, 3) < 0) {
        return NULL;
    }
    double values[3];
    for (int i = 0; i < 3; i++) {
        if (arg_double(args[i], "arange", names[i], &values[i]) < 0) {
            return NULL;
        }
    }
    ph_tensor *out = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_tensor_arange(&out, values[0], values[1], values[2]);
    Py_END_ALLOW_THREADS
    return tensor_result(core_get_state(module), status, out);
}

PyMethodDef creation_functions[] = {
    CORE_METHOD("from_buffer", core_from_buffer, from_buffer_doc),
    CORE_METHOD("from_buffer_shared", core_from_buffer_shared, from_buffer_shared_doc),
    CORE_METHOD("full", core_full, full_doc),
    CORE_METHOD("randn", core_randn, randn_doc),
    CORE_METHOD("uniform", core_uniform, uniform_doc),
    CORE_METHOD("arange", core_arange, arange_doc),
    {NULL, NULL, 0, NULL},
};
