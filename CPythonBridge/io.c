/*
 * io.c — serialization: safetensors save/load and atomic file writes (ph_safetensors_*, ph_file_write_atomic).
 *
 * Paths are str, bytes or os.PathLike (PyUnicode_FSConverter). File I/O runs with the GIL released; every
 * string handed to C stays owned by a tuple the function holds until the call returns.
 */
#include "errors.h"
#include "tensor.h"

/* A path argument (str, bytes, os.PathLike) as a new bytes object; NULL + exception otherwise. */
static PyObject *path_arg(PyObject *obj) {
    PyObject *bytes = NULL;
    return PyUnicode_FSConverter(obj, &bytes) ? bytes : NULL;
}

PyDoc_STRVAR(safetensors_save_doc,
"safetensors_save($module, path, names, tensors, metadata_keys, metadata_values, /)\n--\n\n"
"Saves the tensors under the names (sequences of equal length) with the metadata pairs (sequences of str)\n"
"to a safetensors file at path, atomically. OSError for file-system errors, ValueError for bad names.");

CORE_FASTCALL(core_safetensors_save) {
    if (check_nargs("safetensors_save", nargs, 5, 5) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    PyObject *path = path_arg(args[0]);
    if (path == NULL) {
        return NULL;
    }
    string_list names = {0}, keys = {0}, values = {0};
    tensor_list tensors = {0};
    PyObject *result = NULL;
    if (arg_string_list(args[1], "safetensors_save", "names", &names) < 0 ||
        arg_tensor_list(state, args[2], "safetensors_save", "tensors", &tensors) < 0 ||
        arg_string_list(args[3], "safetensors_save", "metadata_keys", &keys) < 0 ||
        arg_string_list(args[4], "safetensors_save", "metadata_values", &values) < 0) {
        goto done;
    }
    if (names.count != tensors.count || keys.count != values.count) {
        PyErr_Format(PyExc_ValueError, "safetensors_save(): %d names for %d tensors, %d metadata keys for %d values",
                     names.count, tensors.count, keys.count, values.count);
        goto done;
    }
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_safetensors_save(PyBytes_AS_STRING(path), names.values, tensors.handles, tensors.count, keys.values,
                                 values.values, keys.count);
    Py_END_ALLOW_THREADS
    result = status != PH_OK ? raise_from_status(status) : Py_NewRef(Py_None);
done:
    string_list_release(&names);
    string_list_release(&keys);
    string_list_release(&values);
    tensor_list_release(&tensors);
    Py_DECREF(path);
    return result;
}

/* [(name, tensor), …] for every tensor of a loaded file. */
static PyObject *loaded_tensors(core_state *state, const ph_safetensors *file) {
    int32_t count = 0;
    ph_status status = ph_safetensors_tensor_count(&count, file);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    PyObject *list = PyList_New(count);
    for (int32_t i = 0; list != NULL && i < count; i++) {
        const char *name = NULL;
        ph_tensor *handle = NULL;
        if ((status = ph_safetensors_tensor_name(&name, file, i)) != PH_OK ||
            (status = ph_safetensors_tensor(&handle, file, i)) != PH_OK) {
            raise_from_status(status);
            Py_CLEAR(list);
            break;
        }
        PyObject *tensor = tensor_from_handle(state, handle);
        PyObject *pair = tensor != NULL ? Py_BuildValue("(sN)", name, tensor) : NULL;
        if (pair == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, i, pair);
    }
    return list;
}

/* {key: value} of a loaded file's metadata. */
static PyObject *loaded_metadata(const ph_safetensors *file) {
    int32_t count = 0;
    ph_status status = ph_safetensors_metadata_count(&count, file);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    PyObject *dict = PyDict_New();
    for (int32_t i = 0; dict != NULL && i < count; i++) {
        const char *key = NULL, *value = NULL;
        if ((status = ph_safetensors_metadata(&key, &value, file, i)) != PH_OK) {
            raise_from_status(status);
            Py_CLEAR(dict);
            break;
        }
        PyObject *text = PyUnicode_FromString(value);
        if (text == NULL || PyDict_SetItemString(dict, key, text) < 0) {
            Py_XDECREF(text);
            Py_CLEAR(dict);
            break;
        }
        Py_DECREF(text);
    }
    return dict;
}

PyDoc_STRVAR(safetensors_load_doc,
"safetensors_load($module, path, /)\n--\n\n"
"Loads a safetensors file: ([(name, tensor), ...] in file order, {metadata key: value}). OSError for\n"
"file-system errors (FileNotFoundError, ...), ValueError naming the file and the problem if malformed.");

CORE_FASTCALL(core_safetensors_load) {
    if (check_nargs("safetensors_load", nargs, 1, 1) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    PyObject *path = path_arg(args[0]);
    if (path == NULL) {
        return NULL;
    }
    ph_safetensors *file = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_safetensors_load(&file, PyBytes_AS_STRING(path));
    Py_END_ALLOW_THREADS
    Py_DECREF(path);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    PyObject *tensors = loaded_tensors(state, file);
    PyObject *metadata = tensors != NULL ? loaded_metadata(file) : NULL;
    ph_safetensors_free(file);
    if (metadata == NULL) {
        Py_XDECREF(tensors);
        return NULL;
    }
    return Py_BuildValue("(NN)", tensors, metadata);
}

PyDoc_STRVAR(file_write_atomic_doc,
"file_write_atomic($module, path, data, /)\n--\n\n"
"Replaces the file at path with the bytes of `data` (any bytes-like object) atomically: temporary file,\n"
"fsync, rename. OSError if it cannot be written (the old file is then untouched).");

CORE_FASTCALL(core_file_write_atomic) {
    (void)module;
    if (check_nargs("file_write_atomic", nargs, 2, 2) < 0) {
        return NULL;
    }
    PyObject *path = path_arg(args[0]);
    if (path == NULL) {
        return NULL;
    }
    Py_buffer data;
    if (PyObject_GetBuffer(args[1], &data, PyBUF_C_CONTIGUOUS) < 0) {
        Py_DECREF(path);
        return NULL;
    }
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_file_write_atomic(PyBytes_AS_STRING(path), data.buf, (int64_t)data.len);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&data);
    Py_DECREF(path);
    return status != PH_OK ? raise_from_status(status) : Py_NewRef(Py_None);
}

PyMethodDef io_functions[] = {
    CORE_METHOD("safetensors_save", core_safetensors_save, safetensors_save_doc),
    CORE_METHOD("safetensors_load", core_safetensors_load, safetensors_load_doc),
    CORE_METHOD("file_write_atomic", core_file_write_atomic, file_write_atomic_doc),
    {NULL, NULL, 0, NULL},
};
