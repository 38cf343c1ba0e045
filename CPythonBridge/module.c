/*
 * module.c — `polyhead._core`: module definition (multi-phase init, module state), constants, and the
 * library-wide switches (seed, BLAS threads, leak counter).
 */
#include "errors.h"
#include "mtl.h"
#include "optim.h"
#include "args.h"
#include "tensor.h"
#include "wrappers.h"

static struct PyModuleDef core_module;

core_state *core_state_from_type(PyTypeObject *type) {
#if PY_VERSION_HEX >= 0x030B0000
    PyObject *module = PyType_GetModuleByDef(type, &core_module);
    return module != NULL ? core_get_state(module) : NULL;
#else
    PyObject *mro = type->tp_mro;
    for (Py_ssize_t i = 0; mro != NULL && i < PyTuple_GET_SIZE(mro); i++) {
        PyTypeObject *base = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
        if (PyType_HasFeature(base, Py_TPFLAGS_HEAPTYPE)) {
            PyObject *module = ((PyHeapTypeObject *)base)->ht_module;
            if (module != NULL && PyModule_GetDef(module) == &core_module) {
                return core_get_state(module);
            }
        }
    }
    PyErr_Format(PyExc_TypeError, "%.200s is not a polyhead._core type", type->tp_name);
    return NULL;
#endif
}

/* ---------------------------------------------------------------- library-wide switches */

PyDoc_STRVAR(manual_seed_doc,
"manual_seed($module, n, /)\n--\n\n"
"Seeds the global random generator (SplitMix64); the same seed gives the same stream as in Swift.");

CORE_FASTCALL(core_manual_seed) {
    (void)module;
    uint64_t seed = 0;
    if (check_nargs("manual_seed", nargs, 1, 1) < 0 || arg_seed(args[0], "manual_seed", "n", &seed) < 0) {
        return NULL;
    }
    ph_status status = ph_manual_seed(seed);
    return status != PH_OK ? raise_from_status(status) : Py_NewRef(Py_None);
}

PyDoc_STRVAR(random_permutation_doc,
"random_permutation($module, n, state, /)\n--\n\n"
"A random permutation of 0 … n-1 as (order, next_state): order holds n native int64 values in a bytes object\n"
"(numpy.frombuffer(…, numpy.int64) reads it). With state None it is drawn from the global generator and\n"
"next_state is None; with an int SplitMix64 state (a polyhead.Generator's) it is drawn from that state and\n"
"next_state is the advanced state.");

CORE_FASTCALL(core_random_permutation) {
    (void)module;
    int64_t n = 0;
    uint64_t state = 0;
    int has_state = nargs == 2 && args[1] != Py_None;
    if (check_nargs("random_permutation", nargs, 2, 2) < 0 || arg_int64(args[0], "random_permutation", "n", &n) < 0 ||
        (has_state && arg_seed(args[1], "random_permutation", "state", &state) < 0)) {
        return NULL;
    }
    if (n < 0) {
        return PyErr_Format(PyExc_ValueError, "random_permutation(): n must be >= 0, got %lld", (long long)n);
    }
    if ((uint64_t)n > (uint64_t)PY_SSIZE_T_MAX / sizeof(int64_t)) {
        return PyErr_NoMemory();
    }
    PyObject *order = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n * (Py_ssize_t)sizeof(int64_t));
    if (order == NULL) {
        return NULL;
    }
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_random_permutation((int64_t *)PyBytes_AS_STRING(order), n, has_state ? &state : NULL);
    Py_END_ALLOW_THREADS
    if (status != PH_OK) {
        Py_DECREF(order);
        return raise_from_status(status);
    }
    return pair_of_new_references(order, has_state ? PyLong_FromUnsignedLongLong(state) : Py_NewRef(Py_None));
}

PyDoc_STRVAR(set_num_threads_doc,
"set_num_threads($module, n, /)\n--\n\nSets the number of OpenBLAS threads (n >= 1).");

CORE_FASTCALL(core_set_num_threads) {
    (void)module;
    int32_t n = 0;
    if (check_nargs("set_num_threads", nargs, 1, 1) < 0 || arg_int32(args[0], "set_num_threads", "n", &n) < 0) {
        return NULL;
    }
    ph_status status = ph_set_num_threads(n);
    return status != PH_OK ? raise_from_status(status) : Py_NewRef(Py_None);
}

PyDoc_STRVAR(get_num_threads_doc, "get_num_threads($module, /)\n--\n\nThe number of OpenBLAS threads.");

CORE_FASTCALL(core_get_num_threads) {
    (void)module;
    (void)args;
    int32_t n = 0;
    if (check_nargs("get_num_threads", nargs, 0, 0) < 0) {
        return NULL;
    }
    ph_status status = ph_get_num_threads(&n);
    return status != PH_OK ? raise_from_status(status) : PyLong_FromLong(n);
}

PyDoc_STRVAR(debug_live_objects_doc,
"debug_live_objects($module, /)\n--\n\n"
"The number of live library objects (tensors, storages, optimizers); for leak tests.");

CORE_FASTCALL(core_debug_live_objects) {
    (void)module;
    (void)args;
    int64_t count = 0;
    if (check_nargs("debug_live_objects", nargs, 0, 0) < 0) {
        return NULL;
    }
    ph_status status = ph_debug_live_objects(&count);
    return status != PH_OK ? raise_from_status(status) : PyLong_FromLongLong(count);
}

static PyMethodDef library_functions[] = {
    CORE_METHOD("manual_seed", core_manual_seed, manual_seed_doc),
    CORE_METHOD("random_permutation", core_random_permutation, random_permutation_doc),
    CORE_METHOD("set_num_threads", core_set_num_threads, set_num_threads_doc),
    CORE_METHOD("get_num_threads", core_get_num_threads, get_num_threads_doc),
    CORE_METHOD("debug_live_objects", core_debug_live_objects, debug_live_objects_doc),
    {NULL, NULL, 0, NULL},
};

/* ---------------------------------------------------------------- module state and init */

static int core_exec(PyObject *module) {
    core_state *state = core_get_state(module);
    PyMethodDef *const tables[] = {library_functions, tensor_functions, creation_functions, ops_functions,
                                   shape_functions,   loss_functions,   autograd_functions, optim_functions,
                                   mtl_functions,     io_functions,       layer_functions,
                                   training_functions};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        if (PyModule_AddFunctions(module, tables[i]) < 0) {
            return -1;
        }
    }
    if (tensor_type_add(module, state) < 0 || optimizer_type_add(module, state) < 0 ||
        mtl_method_type_add(module, state) < 0 || training_types_add(module, state) < 0) {
        return -1;
    }
    if (PyModule_AddIntConstant(module, "REDUCTION_NONE", PH_REDUCTION_NONE) < 0 ||
        PyModule_AddIntConstant(module, "REDUCTION_MEAN", PH_REDUCTION_MEAN) < 0 ||
        PyModule_AddIntConstant(module, "REDUCTION_SUM", PH_REDUCTION_SUM) < 0 ||
        PyModule_AddIntConstant(module, "GELU_NONE", PH_GELU_NONE) < 0 ||
        PyModule_AddIntConstant(module, "GELU_TANH", PH_GELU_TANH) < 0) {
        return -1;
    }
    return 0;
}

static int core_traverse(PyObject *module, visitproc visit, void *arg) {
    core_state *state = core_get_state(module);
    Py_VISIT(state->tensor_type);
    Py_VISIT(state->optimizer_type);
    Py_VISIT(state->mtl_method_type);
    Py_VISIT(state->model_type);
    Py_VISIT(state->trainer_type);
    Py_VISIT(state->tensor_class);
    Py_VISIT(state->integer_class);
    return 0;
}

static int core_clear(PyObject *module) {
    core_state *state = core_get_state(module);
    Py_CLEAR(state->tensor_type);
    Py_CLEAR(state->optimizer_type);
    Py_CLEAR(state->mtl_method_type);
    Py_CLEAR(state->model_type);
    Py_CLEAR(state->trainer_type);
    Py_CLEAR(state->tensor_class);
    Py_CLEAR(state->integer_class);
    return 0;
}

static void core_free(void *module) {
    core_clear((PyObject *)module);
}

PyDoc_STRVAR(core_module_doc,
"The C extension under polyhead: Python types over the handles of the Polyhead C ABI.\n\n"
"One function per C function, all positional; no math here. See CPythonBridge/README.md.");

static PyModuleDef_Slot core_slots[] = {
    {Py_mod_exec, core_exec},
    {0, NULL},
};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "polyhead._core",
    .m_doc = core_module_doc,
    .m_size = sizeof(core_state),
    .m_methods = NULL,
    .m_slots = core_slots,
    .m_traverse = core_traverse,
    .m_clear = core_clear,
    .m_free = core_free,
};

PyMODINIT_FUNC PyInit__core(void) {
    return PyModuleDef_Init(&core_module);
}
