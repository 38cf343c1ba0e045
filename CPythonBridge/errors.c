/*
 * errors.c — ph_status → exception, as one table (after nanobind's fixed translation table).
 */
#include "errors.h"

/* Addresses of the exception globals (their values are only known at run time). */
static PyObject **const exception_for_status[] = {
    [PH_ERROR_VALUE] = &PyExc_ValueError,
    [PH_ERROR_TYPE] = &PyExc_TypeError,
    [PH_ERROR_INDEX] = &PyExc_IndexError,
    [PH_ERROR_MEMORY] = &PyExc_MemoryError,
    [PH_ERROR_IO] = &PyExc_OSError,
    [PH_ERROR_RUNTIME] = &PyExc_RuntimeError,
};

#define STATUS_COUNT ((ph_status)(sizeof(exception_for_status) / sizeof(exception_for_status[0])))

PyObject *raise_from_status(ph_status status) {
    if (status == PH_OK) {
        PyErr_SetString(PyExc_SystemError, "polyhead._core: raise_from_status called with PH_OK");
        return NULL;
    }
    PyObject *exception = PyExc_RuntimeError;
    if (status > 0 && status < STATUS_COUNT && exception_for_status[status] != NULL) {
        exception = *exception_for_status[status];
    }
    const char *message = ph_last_error();
    if (message == NULL || message[0] == '\0') {
        message = ph_status_string(status);
    }
    message = message != NULL ? message : "unknown polyhead error";
    int32_t os_errno = 0;
    if (status == PH_ERROR_IO && ph_last_errno(&os_errno) == PH_OK && os_errno > 0) {
        /* OSError(errno, message) picks the subclass, e.g. FileNotFoundError for ENOENT. */
        PyObject *error = PyObject_CallFunction(PyExc_OSError, "is", (int)os_errno, message);
        if (error != NULL) {
            PyErr_SetObject((PyObject *)Py_TYPE(error), error);
            Py_DECREF(error);
        }
        return NULL;
    }
    PyErr_SetString(exception, message);
    return NULL;
}
