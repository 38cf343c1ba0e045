/*
 * tensor.c — `_core.Tensor`: handle lifetime, properties, buffer protocol, and the tensor-class registry.
 */
#include "tensor.h"

#include "errors.h"

/* ---------------------------------------------------------------- handles ↔ objects */

/* Wraps a +1 handle in a new instance of `cls` without calling __init__; frees the handle on failure. */
static PyObject *tensor_wrap(PyTypeObject *cls, ph_tensor *handle) {
    PyObject *self = cls->tp_alloc(cls, 0);
    if (self == NULL) {
        ph_tensor_free(handle);
        return NULL;
    }
    ((TensorObject *)self)->handle = handle;
    return self;
}

PyObject *tensor_from_handle(core_state *state, ph_tensor *handle) {
    return tensor_wrap(state->tensor_class, handle);
}

PyObject *tensor_result(core_state *state, ph_status status, ph_tensor *out) {
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    return tensor_from_handle(state, out);
}

ph_tensor *tensor_arg(core_state *state, PyObject *obj, const char *fname, const char *argname) {
    if (!PyObject_TypeCheck(obj, state->tensor_type)) {
        arg_type_error(fname, argname, "a polyhead Tensor", obj);
        return NULL;
    }
    return ((TensorObject *)obj)->handle;
}

int tensor_arg_or_none(core_state *state, PyObject *obj, const char *fname, const char *argname,
                       ph_tensor **out) {
    if (obj == Py_None) {
        *out = NULL;
        return 0;
    }
    if (!PyObject_TypeCheck(obj, state->tensor_type)) {
        return arg_type_error(fname, argname, "a polyhead Tensor or None", obj);
    }
    *out = ((TensorObject *)obj)->handle;
    return 0;
}

int tensor_shape(const ph_tensor *handle, int64_list *out) {
    int32_t ndim = 0;
    ph_status status = ph_tensor_ndim(&ndim, handle);
    if (status != PH_OK) {
        raise_from_status(status);
        return -1;
    }
    if (int64_list_init(out, ndim) < 0) {
        return -1;
    }
    status = ph_tensor_shape(out->values, ndim, handle);
    if (status != PH_OK) {
        int64_list_release(out);
        raise_from_status(status);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- construction and lifetime */

PyDoc_STRVAR(tensor_doc,
"Tensor(source)\n--\n\n"
"A float32 tensor held by the Polyhead core.\n\n"
"Tensor(source) — with `source` a Tensor — makes a new leaf of this class sharing source's storage,\n"
"without history and without requires_grad (how nn.Parameter is made). Tensors returned by `_core`\n"
"are instances of the class registered with set_tensor_class().");

static PyObject *tensor_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    core_state *state = core_state_from_type(type);
    if (state == NULL) {
        return NULL;
    }
    /* Like object.__new__: extra arguments are fine only when a subclass's __init__ consumes them. */
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    int has_kwargs = kwargs != NULL && PyDict_GET_SIZE(kwargs) > 0;
    int init_overridden = type->tp_init != state->tensor_type->tp_init;
    if (nargs < 1 || (!init_overridden && (nargs > 1 || has_kwargs))) {
        PyErr_Format(PyExc_TypeError, "%.200s() takes exactly one positional argument 'source' (a polyhead Tensor)",
                     type->tp_name);
        return NULL;
    }
    ph_tensor *source = tensor_arg(state, PyTuple_GET_ITEM(args, 0), type->tp_name, "source");
    if (source == NULL) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status = ph_tensor_detach(&out, source);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    return tensor_wrap(type, out);
}

static void tensor_dealloc(PyObject *self) {
    PyTypeObject *type = Py_TYPE(self);
    ph_tensor_free(((TensorObject *)self)->handle);
    ((TensorObject *)self)->handle = NULL;
    type->tp_free(self);
    Py_DECREF(type);
}

/* ---------------------------------------------------------------- properties */

static PyObject *tensor_get_shape(PyObject *self, void *closure) {
    (void)closure;
    int64_list shape;
    if (tensor_shape(((TensorObject *)self)->handle, &shape) < 0) {
        return NULL;
    }
    PyObject *tuple = PyTuple_New(shape.count);
    for (int32_t i = 0; tuple != NULL && i < shape.count; i++) {
        PyObject *dim = PyLong_FromLongLong(shape.values[i]);
        if (dim == NULL) {
            Py_CLEAR(tuple);
            break;
        }
        PyTuple_SET_ITEM(tuple, i, dim);
    }
    int64_list_release(&shape);
    return tuple;
}

/* Reads an int32 property of a tensor through `getter`, as an int (as_bool 0) or a bool (as_bool 1). */
static PyObject *int32_property(PyObject *self, ph_status (*getter)(int32_t *, const ph_tensor *), int as_bool) {
    int32_t value = 0;
    ph_status status = getter(&value, ((TensorObject *)self)->handle);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    return as_bool ? PyBool_FromLong(value) : PyLong_FromLong(value);
}

static PyObject *tensor_get_ndim(PyObject *self, void *closure) {
    (void)closure;
    return int32_property(self, ph_tensor_ndim, 0);
}

static PyObject *tensor_get_requires_grad(PyObject *self, void *closure) {
    (void)closure;
    return int32_property(self, ph_tensor_requires_grad, 1);
}

static PyObject *tensor_get_is_leaf(PyObject *self, void *closure) {
    (void)closure;
    return int32_property(self, ph_tensor_is_leaf, 1);
}

static int tensor_set_requires_grad(PyObject *self, PyObject *value, void *closure) {
    (void)closure;
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete requires_grad");
        return -1;
    }
    int flag = PyObject_IsTrue(value);
    if (flag < 0) {
        return -1;
    }
    ph_status status = ph_tensor_set_requires_grad(((TensorObject *)self)->handle, flag);
    if (status != PH_OK) {
        raise_from_status(status);
        return -1;
    }
    return 0;
}

static PyObject *tensor_get_grad(PyObject *self, void *closure) {
    (void)closure;
    core_state *state = core_state_from_type(Py_TYPE(self));
    if (state == NULL) {
        return NULL;
    }
    ph_tensor *grad = NULL;
    ph_status status = ph_tensor_grad(&grad, ((TensorObject *)self)->handle);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    if (grad == NULL) {
        Py_RETURN_NONE;
    }
    return tensor_from_handle(state, grad);
}

/* `t.grad = g` sets, `t.grad = None` and `del t.grad` clear. */
static int tensor_set_grad(PyObject *self, PyObject *value, void *closure) {
    (void)closure;
    core_state *state = core_state_from_type(Py_TYPE(self));
    if (state == NULL) {
        return -1;
    }
    ph_tensor *grad = NULL;
    if (value != NULL && tensor_arg_or_none(state, value, "Tensor.grad", "value", &grad) < 0) {
        return -1;
    }
    ph_status status = ph_tensor_set_grad(((TensorObject *)self)->handle, grad);
    if (status != PH_OK) {
        raise_from_status(status);
        return -1;
    }
    return 0;
}

static PyGetSetDef tensor_getset[] = {
    {"shape", tensor_get_shape, NULL, PyDoc_STR("The shape, a tuple of ints (() for a scalar)."), NULL},
    {"ndim", tensor_get_ndim, NULL, PyDoc_STR("The rank (0 for a scalar)."), NULL},
    {"requires_grad", tensor_get_requires_grad, tensor_set_requires_grad,
     PyDoc_STR("Whether gradients are recorded for this tensor (settable on leaves)."), NULL},
    {"grad", tensor_get_grad, tensor_set_grad,
     PyDoc_STR("The accumulated gradient (a new tensor object sharing it) or None; settable."), NULL},
    {"is_leaf", tensor_get_is_leaf, NULL, PyDoc_STR("Whether the tensor was made by the user, not by a recorded op."),
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* ---------------------------------------------------------------- buffer protocol */

/* Where a 0-element buffer points when the core has no storage pointer (never read or written). */
static float empty_storage[1];

/* Exports the storage: format "f", C-contiguous, writable. view->internal holds shape + strides
 * (one PyMem block, freed in tensor_releasebuffer); view->obj keeps the tensor (and so the storage) alive.
 * Integer tensors (set_integer_tensor_class) export none, so numpy asks their __array__ for their dtype. */
static int tensor_getbuffer(PyObject *self, Py_buffer *view, int flags) {
    core_state *state = core_state_from_type(Py_TYPE(self));
    if (state == NULL) {
        return -1;
    }
    if (state->integer_class != NULL && PyType_IsSubtype(Py_TYPE(self), state->integer_class)) {
        PyErr_SetString(PyExc_BufferError, "integer tensors export no float32 buffer; use numpy.asarray(t)");
        return -1;
    }
    ph_tensor *handle = ((TensorObject *)self)->handle;
    float *data = NULL;
    int64_t numel = 0;
    ph_status status = ph_tensor_data(&data, handle);
    if (status == PH_OK) {
        status = ph_tensor_numel(&numel, handle);
    }
    if (status != PH_OK) {
        raise_from_status(status);
        return -1;
    }
    int64_list shape;
    if (tensor_shape(handle, &shape) < 0) {
        return -1;
    }
    int fortran_ok = 1;
    for (int32_t i = 0, big = 0; i < shape.count; i++) {
        big += shape.values[i] > 1;
        fortran_ok = fortran_ok && big <= 1;
    }
    if ((flags & PyBUF_F_CONTIGUOUS) == PyBUF_F_CONTIGUOUS && !fortran_ok) {
        int64_list_release(&shape);
        PyErr_SetString(PyExc_BufferError, "polyhead tensors are C-contiguous, not Fortran-contiguous");
        return -1;
    }
    Py_ssize_t *dims = PyMem_New(Py_ssize_t, 2 * (size_t)shape.count + 1);
    if (dims == NULL) {
        int64_list_release(&shape);
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t *strides = dims + shape.count;
    size_t stride = sizeof(float);  /* unsigned: an empty tensor's huge dimensions may wrap, harmlessly */
    for (int32_t i = shape.count - 1; i >= 0; i--) {
        dims[i] = (Py_ssize_t)shape.values[i];
        strides[i] = (Py_ssize_t)stride;
        stride *= dims[i] > 0 ? (size_t)dims[i] : 1;
    }
    view->buf = data != NULL ? (void *)data : (void *)empty_storage;
    view->obj = Py_NewRef(self);
    view->len = (Py_ssize_t)numel * (Py_ssize_t)sizeof(float);
    view->itemsize = sizeof(float);
    view->readonly = 0;
    view->format = (flags & PyBUF_FORMAT) ? "f" : NULL;
    int with_shape = (flags & PyBUF_ND) == PyBUF_ND;
    view->ndim = with_shape ? shape.count : 1;
    view->shape = with_shape ? dims : NULL;
    view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? strides : NULL;
    view->suboffsets = NULL;
    view->internal = dims;
    int64_list_release(&shape);
    return 0;
}

static void tensor_releasebuffer(PyObject *self, Py_buffer *view) {
    (void)self;
    PyMem_Free(view->internal);
    view->internal = NULL;
}

/* ---------------------------------------------------------------- the type */

static PyType_Slot tensor_slots[] = {
    {Py_tp_doc, (void *)tensor_doc},
    {Py_tp_new, tensor_new},
    {Py_tp_dealloc, tensor_dealloc},
    {Py_tp_getset, tensor_getset},
    {Py_bf_getbuffer, tensor_getbuffer},
    {Py_bf_releasebuffer, tensor_releasebuffer},
    {0, NULL},
};

static PyType_Spec tensor_spec = {
    .name = "polyhead._core.Tensor",
    .basicsize = sizeof(TensorObject),
    .itemsize = 0,
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .slots = tensor_slots,
};

int tensor_type_add(PyObject *module, core_state *state) {
    PyObject *type = PyType_FromModuleAndSpec(module, &tensor_spec, NULL);
    if (type == NULL) {
        return -1;
    }
    state->tensor_type = (PyTypeObject *)type;
    state->tensor_class = (PyTypeObject *)Py_NewRef(type);
    return PyModule_AddType(module, state->tensor_type);
}

/* ---------------------------------------------------------------- module functions */

/* Stores the one argument of `function`, a subclass of _core.Tensor, in `*slot` (a module-state field). */
static PyObject *store_tensor_subclass(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                                       const char *function, PyTypeObject **slot) {
    if (check_nargs(function, nargs, 1, 1) < 0) {
        return NULL;
    }
    PyObject *cls = args[0];
    if (!PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject *)cls, core_get_state(module)->tensor_type)) {
        arg_type_error(function, "cls", "a subclass of polyhead._core.Tensor", cls);
        return NULL;
    }
    Py_XSETREF(*slot, (PyTypeObject *)Py_NewRef(cls));
    Py_RETURN_NONE;
}

PyDoc_STRVAR(set_tensor_class_doc,
"set_tensor_class($module, cls, /)\n--\n\n"
"Makes every tensor returned by _core an instance of `cls`, a subclass of _core.Tensor.");

CORE_FASTCALL(core_set_tensor_class) {
    return store_tensor_subclass(module, args, nargs, "set_tensor_class", &core_get_state(module)->tensor_class);
}

PyDoc_STRVAR(set_integer_tensor_class_doc,
"set_integer_tensor_class($module, cls, /)\n--\n\n"
"Makes instances of `cls` (a subclass of _core.Tensor: the base of the integer-dtype tensors) export no\n"
"float32 buffer, so that numpy converts them through their __array__ method.");

CORE_FASTCALL(core_set_integer_tensor_class) {
    return store_tensor_subclass(module, args, nargs, "set_integer_tensor_class",
                                 &core_get_state(module)->integer_class);
}

PyDoc_STRVAR(item_doc, "item($module, t, /)\n--\n\nThe value of a one-element tensor, as a float.");

CORE_FASTCALL(core_item) {
    if (check_nargs("item", nargs, 1, 1) < 0) {
        return NULL;
    }
    ph_tensor *t = tensor_arg(core_get_state(module), args[0], "item", "t");
    if (t == NULL) {
        return NULL;
    }
    float value = 0.0f;
    ph_status status = ph_tensor_item(&value, t);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    return PyFloat_FromDouble((double)value);
}

PyDoc_STRVAR(numel_doc, "numel($module, t, /)\n--\n\nThe number of elements of a tensor.");

CORE_FASTCALL(core_numel) {
    if (check_nargs("numel", nargs, 1, 1) < 0) {
        return NULL;
    }
    ph_tensor *t = tensor_arg(core_get_state(module), args[0], "numel", "t");
    if (t == NULL) {
        return NULL;
    }
    int64_t count = 0;
    ph_status status = ph_tensor_numel(&count, t);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    return PyLong_FromLongLong(count);
}

PyMethodDef tensor_functions[] = {
    CORE_METHOD("set_tensor_class", core_set_tensor_class, set_tensor_class_doc),
    CORE_METHOD("set_integer_tensor_class", core_set_integer_tensor_class, set_integer_tensor_class_doc),
    CORE_METHOD("item", core_item, item_doc),
    CORE_METHOD("numel", core_numel, numel_doc),
    {NULL, NULL, 0, NULL},
};
