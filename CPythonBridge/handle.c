/*
 * handle.c — the one implementation of handle-owning heap types (see handle.h).
 */
#include "handle.h"

#include "args.h"

typedef struct {
    PyObject_HEAD
    void *handle;               /* owned, freed by tp_dealloc */
    handle_free_fn free_handle; /* how to free it */
} HandleObject;

static void handle_dealloc(PyObject *self) {
    PyTypeObject *type = Py_TYPE(self);
    HandleObject *object = (HandleObject *)self;
    if (object->handle != NULL) {
        object->free_handle(object->handle);
    }
    type->tp_free(self);
    Py_DECREF(type);
}

PyTypeObject *handle_type_add(PyObject *module, const char *name, const char *doc) {
    PyType_Slot slots[] = {
        {Py_tp_doc, (void *)doc},
        {Py_tp_dealloc, handle_dealloc},
        {0, NULL},
    };
    PyType_Spec spec = {
        .name = name,
        .basicsize = sizeof(HandleObject),
        .itemsize = 0,
#ifdef Py_TPFLAGS_DISALLOW_INSTANTIATION
        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
#else
        .flags = Py_TPFLAGS_DEFAULT,
#endif
        .slots = slots,
    };
    PyTypeObject *type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &spec, NULL);
    if (type == NULL) {
        return NULL;
    }
#ifndef Py_TPFLAGS_DISALLOW_INSTANTIATION
    type->tp_new = NULL; /* Python 3.9: no flag, no constructor */
#endif
    if (PyModule_AddType(module, type) < 0) {
        Py_DECREF(type);
        return NULL;
    }
    return type;
}

PyObject *handle_object_new(PyTypeObject *type, void *handle, handle_free_fn free_handle) {
    PyObject *self = type->tp_alloc(type, 0);
    if (self == NULL) {
        free_handle(handle);
        return NULL;
    }
    ((HandleObject *)self)->handle = handle;
    ((HandleObject *)self)->free_handle = free_handle;
    return self;
}

void *handle_arg(PyTypeObject *type, PyObject *obj, const char *fname, const char *argname, const char *expected) {
    if (!PyObject_TypeCheck(obj, type)) {
        arg_type_error(fname, argname, expected, obj);
        return NULL;
    }
    return ((HandleObject *)obj)->handle;
}
