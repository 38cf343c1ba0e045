/*
 * training.c — `_core.Model` and `_core.Trainer`: the Keras-style graph model and its training loop, which
 * runs entirely in the core with the GIL released. The fit callback re-acquires the GIL to call a Python
 * callable; an exception it raises stops training and is re-raised once fit returns.
 */
#include "args.h"
#include "errors.h"
#include "handle.h"
#include "tensor.h"

/* ---------------------------------------------------------------- the types */

PyDoc_STRVAR(model_type_doc, "A Keras-style functional model held by the Polyhead core (made by model_new()).");
PyDoc_STRVAR(trainer_type_doc, "A compiled Keras-style training loop held by the Polyhead core (made by trainer_new()).");

static ph_status free_model(void *handle) { return ph_model_free(handle); }
static ph_status free_trainer(void *handle) { return ph_trainer_free(handle); }

int training_types_add(PyObject *module, core_state *state) {
    state->model_type = handle_type_add(module, "polyhead._core.Model", model_type_doc);
    if (state->model_type == NULL) {
        return -1;
    }
    state->trainer_type = handle_type_add(module, "polyhead._core.Trainer", trainer_type_doc);
    return state->trainer_type == NULL ? -1 : 0;
}

static ph_model *model_arg(PyObject *module, PyObject *obj, const char *fname) {
    return handle_arg(core_get_state(module)->model_type, obj, fname, "model", "a polyhead Model");
}

static ph_trainer *trainer_arg(PyObject *module, PyObject *obj, const char *fname) {
    return handle_arg(core_get_state(module)->trainer_type, obj, fname, "trainer", "a polyhead Trainer");
}

/* A tensor list argument that may be None (then count 0, handles NULL). */
static int optional_tensor_list(core_state *state, PyObject *obj, const char *fname, const char *argname,
                                tensor_list *out) {
    if (obj == Py_None) {
        out->items = NULL;
        out->handles = out->inline_handles;
        out->count = 0;
        return 0;
    }
    return arg_tensor_list(state, obj, fname, argname, out);
}

/* The handles of a list, or NULL for a None (empty, never-given) list. */
static ph_tensor *const *handles_or_null(const tensor_list *list) {
    return list->items == NULL ? NULL : list->handles;
}

/* A list of `count` +1 tensor handles as Python tensors; every handle is consumed. */
static PyObject *tensor_handles_to_list(core_state *state, ph_tensor **handles, int32_t count) {
    PyObject *list = PyList_New(count);
    for (int32_t i = 0; i < count; i++) {
        if (list == NULL) {
            ph_tensor_free(handles[i]);
            continue;
        }
        PyObject *item = tensor_from_handle(state, handles[i]);
        if (item == NULL) {
            Py_CLEAR(list);
            continue;
        }
        PyList_SET_ITEM(list, i, item);
    }
    return list;
}

/* ---------------------------------------------------------------- models */

PyDoc_STRVAR(model_new_doc,
"model_new($module, config_json, shared_names=(), shared_tensors=(), /)\n--\n\n"
"A Keras-style model from its JSON config; weights are initialised from the global generator, except the\n"
"weights named in shared_names, which are the matching shared_tensors (shared with their owner).");

CORE_FASTCALL(core_model_new) {
    static const char fname[] = "model_new";
    const char *config;
    if (check_nargs(fname, nargs, 1, 3) < 0 || (config = utf8_arg(args[0], fname, "config_json")) == NULL) {
        return NULL;
    }
    string_list names = {0};
    tensor_list tensors = {0};
    if (nargs > 1 && arg_string_list(args[1], fname, "shared_names", &names) < 0) {
        return NULL;
    }
    if (nargs > 2 && arg_tensor_list(core_get_state(module), args[2], fname, "shared_tensors", &tensors) < 0) {
        string_list_release(&names);
        return NULL;
    }
    PyObject *result = NULL;
    if (names.count != tensors.count) {
        PyErr_Format(PyExc_ValueError, "%s(): %d shared_names for %d shared_tensors", fname, names.count, tensors.count);
        goto done;
    }
    ph_model *handle = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_model_new_sharing(&handle, config, names.values, tensors.handles, tensors.count);
    Py_END_ALLOW_THREADS
    result = status != PH_OK ? raise_from_status(status)
                             : handle_object_new(core_get_state(module)->model_type, handle, free_model);
done:
    string_list_release(&names);
    tensor_list_release(&tensors);
    return result;
}

PyDoc_STRVAR(model_weights_doc,
"model_weights($module, model, /)\n--\n\n"
"The model's weights as a list of (name, tensor, trainable) triples: the live tensors, trainable ones first.");

CORE_FASTCALL(core_model_weights) {
    static const char fname[] = "model_weights";
    ph_model *model;
    if (check_nargs(fname, nargs, 1, 1) < 0 || (model = model_arg(module, args[0], fname)) == NULL) {
        return NULL;
    }
    int32_t count = 0, trainable = 0;
    ph_status status = ph_model_weight_count(&count, model);
    if (status == PH_OK) {
        status = ph_model_trainable_weight_count(&trainable, model);
    }
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    core_state *state = core_get_state(module);
    PyObject *list = PyList_New(count);
    for (int32_t i = 0; list != NULL && i < count; i++) {
        ph_tensor *weight = NULL;
        const char *name = NULL;
        status = ph_model_weight(&weight, &name, model, i);
        if (status != PH_OK) {
            raise_from_status(status);
            Py_CLEAR(list);
            break;
        }
        PyObject *tensor = tensor_from_handle(state, weight);
        PyObject *triple = tensor == NULL ? NULL : Py_BuildValue("(sNO)", name, tensor, i < trainable ? Py_True : Py_False);
        if (triple == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, i, triple);
    }
    return list;
}

/* model_call and model_predict: inputs → list of outputs. */
static PyObject *run_model(PyObject *module, PyObject *const *args, Py_ssize_t nargs, const char *fname, int predict) {
    ph_model *model;
    int64_t number = 0;
    if (check_nargs(fname, nargs, 3, predict ? 3 : 4) < 0 || (model = model_arg(module, args[0], fname)) == NULL ||
        arg_int64(args[2], fname, predict ? "batch_size" : "training", &number) < 0) {
        return NULL;
    }
    string_list frozen = {0};
    if (nargs > 3 && arg_string_list(args[3], fname, "frozen", &frozen) < 0) {
        return NULL;
    }
    int32_t count = 0;
    ph_status status = ph_model_output_count(&count, model);
    core_state *state = core_get_state(module);
    tensor_list inputs = {0};
    ph_tensor **outputs = NULL;
    PyObject *result = NULL;
    if (status != PH_OK) {
        raise_from_status(status);
        goto done;
    }
    if (arg_tensor_list(state, args[1], fname, "inputs", &inputs) < 0) {
        goto done;
    }
    outputs = PyMem_Calloc((size_t)count, sizeof(ph_tensor *));
    if (outputs == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    status = predict ? ph_model_predict(outputs, model, inputs.handles, inputs.count, number)
                     : ph_model_call_frozen(outputs, model, inputs.handles, inputs.count, number != 0, frozen.values,
                                            frozen.count);
    Py_END_ALLOW_THREADS
    result = status != PH_OK ? raise_from_status(status) : tensor_handles_to_list(state, outputs, count);
done:
    PyMem_Free(outputs);
    tensor_list_release(&inputs);
    string_list_release(&frozen);
    return result;
}

PyDoc_STRVAR(model_call_doc,
"model_call($module, model, inputs, training, frozen=(), /)\n--\n\n"
"The model's outputs (a list) for a list of input tensors; training enables dropout and records gradients,\n"
"except that the layers named in frozen run in inference mode.");

CORE_FASTCALL(core_model_call) { return run_model(module, args, nargs, "model_call", 0); }

PyDoc_STRVAR(model_predict_doc,
"model_predict($module, model, inputs, batch_size, /)\n--\n\n"
"The model's outputs over the inputs in batches, without dropout or gradients (GIL released).");

CORE_FASTCALL(core_model_predict) { return run_model(module, args, nargs, "model_predict", 1); }

PyDoc_STRVAR(keras_loss_per_sample_doc,
"keras_loss_per_sample($module, loss_json, y_true, y_pred, /)\n--\n\n"
"Keras's per-sample losses of y_pred against y_true, as keras.losses.<name>(y_true, y_pred): loss_json is\n"
"{\"loss\": name, \"from_logits\": bool, \"delta\": float}. Not recorded for autodiff.");

CORE_FASTCALL(core_keras_loss_per_sample) {
    static const char fname[] = "keras_loss_per_sample";
    const char *spec;
    if (check_nargs(fname, nargs, 3, 3) < 0 || (spec = utf8_arg(args[0], fname, "loss_json")) == NULL) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    ph_tensor *y_true = tensor_arg(state, args[1], fname, "y_true");
    ph_tensor *y_pred = y_true == NULL ? NULL : tensor_arg(state, args[2], fname, "y_pred");
    if (y_pred == NULL) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status = ph_keras_loss_per_sample(&out, spec, y_true, y_pred);
    return status != PH_OK ? raise_from_status(status) : tensor_from_handle(state, out);
}

/* ---------------------------------------------------------------- trainers */

PyDoc_STRVAR(trainer_new_doc,
"trainer_new($module, model, compile_json, optimizer, method, /)\n--\n\n"
"Compiles a training loop over the model with a core Optimizer (over every weight) and an optional\n"
"MtlMethod (or None).");

CORE_FASTCALL(core_trainer_new) {
    static const char fname[] = "trainer_new";
    ph_model *model;
    const char *compile;
    if (check_nargs(fname, nargs, 4, 4) < 0 || (model = model_arg(module, args[0], fname)) == NULL ||
        (compile = utf8_arg(args[1], fname, "compile_json")) == NULL) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    ph_optimizer *optimizer = handle_arg(state->optimizer_type, args[2], fname, "optimizer", "a polyhead Optimizer");
    if (optimizer == NULL) {
        return NULL;
    }
    ph_mtl_method *method = NULL;
    if (args[3] != Py_None &&
        (method = handle_arg(state->mtl_method_type, args[3], fname, "method", "a polyhead MtlMethod or None")) == NULL) {
        return NULL;
    }
    ph_trainer *handle = NULL;
    ph_status status = ph_trainer_new(&handle, model, compile, optimizer, method);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    return handle_object_new(state->trainer_type, handle, free_trainer);
}

/* What the fit callback needs: the Python callable and the first exception it raised. */
typedef struct {
    PyObject *callable;
    PyObject *error_type, *error_value, *error_traceback;
} fit_context;

/* Called by the core on the fitting thread without the GIL: calls callable(event, epoch, batch, logs). */
static int32_t fit_callback(void *context, int32_t event, int64_t epoch, int64_t batch, int32_t count,
                            const char *const *names, const double *values) {
    fit_context *fit = context;
    PyGILState_STATE gil = PyGILState_Ensure();
    int32_t stop = 1;
    if (fit->error_type == NULL) {
        PyObject *logs = PyDict_New();
        for (int32_t i = 0; logs != NULL && i < count; i++) {
            PyObject *value = PyFloat_FromDouble(values[i]);
            if (value == NULL || PyDict_SetItemString(logs, names[i], value) < 0) {
                Py_CLEAR(logs);
            }
            Py_XDECREF(value);
        }
        PyObject *result = logs == NULL ? NULL : PyObject_CallFunction(fit->callable, "iLLN", (int)event, (long long)epoch,
                                                                         (long long)batch, logs);
        int truth = result == NULL ? -1 : PyObject_IsTrue(result);
        Py_XDECREF(result);
        if (truth < 0) {
            PyErr_Fetch(&fit->error_type, &fit->error_value, &fit->error_traceback);
        } else {
            stop = truth ? 1 : 0;
        }
    }
    PyGILState_Release(gil);
    return stop;
}

PyDoc_STRVAR(trainer_fit_doc,
"trainer_fit($module, trainer, inputs, targets, masks, val_inputs, val_targets, val_masks, fit_json,\n"
"            callback, /)\n--\n\n"
"Trains in the core with the GIL released and returns the history as a JSON text. masks and the validation\n"
"lists may be None. callback(event, epoch, batch, logs) -> truthy to stop, or None; an exception it raises\n"
"stops training and is re-raised here.");

CORE_FASTCALL(core_trainer_fit) {
    static const char fname[] = "trainer_fit";
    ph_trainer *trainer;
    const char *fit_json;
    if (check_nargs(fname, nargs, 9, 9) < 0 || (trainer = trainer_arg(module, args[0], fname)) == NULL ||
        (fit_json = utf8_arg(args[7], fname, "fit_json")) == NULL) {
        return NULL;
    }
    if (args[8] != Py_None && !PyCallable_Check(args[8])) {
        arg_type_error(fname, "callback", "a callable or None", args[8]);
        return NULL;
    }
    core_state *state = core_get_state(module);
    tensor_list lists[6];
    static const char *const names[6] = {"inputs", "targets", "masks", "val_inputs", "val_targets", "val_masks"};
    int filled = 0;
    for (; filled < 6; filled++) {
        int status = filled < 2 ? arg_tensor_list(state, args[1 + filled], fname, names[filled], &lists[filled])
                                : optional_tensor_list(state, args[1 + filled], fname, names[filled], &lists[filled]);
        if (status < 0) {
            break;
        }
    }
    PyObject *result = NULL;
    if (filled == 6) {
        fit_context context = {args[8], NULL, NULL, NULL};
        const char *history = NULL;
        ph_status status;
        Py_BEGIN_ALLOW_THREADS
        status = ph_trainer_fit(&history, trainer, lists[0].handles, lists[0].count, lists[1].handles, lists[1].count,
                                handles_or_null(&lists[2]), handles_or_null(&lists[3]), lists[3].count,
                                handles_or_null(&lists[4]), lists[4].count, handles_or_null(&lists[5]), fit_json,
                                args[8] == Py_None ? NULL : fit_callback, &context);
        Py_END_ALLOW_THREADS
        if (context.error_type != NULL) {
            PyErr_Restore(context.error_type, context.error_value, context.error_traceback);
        } else if (status != PH_OK) {
            raise_from_status(status);
        } else {
            result = PyUnicode_FromString(history);
        }
    }
    for (int i = 0; i < filled; i++) {
        tensor_list_release(&lists[i]);
    }
    return result;
}

PyDoc_STRVAR(trainer_evaluate_doc,
"trainer_evaluate($module, trainer, inputs, targets, masks, batch_size, /)\n--\n\n"
"The losses and metrics over the data (GIL released) as a JSON object text.");

CORE_FASTCALL(core_trainer_evaluate) {
    static const char fname[] = "trainer_evaluate";
    ph_trainer *trainer;
    int64_t batch_size = 0;
    if (check_nargs(fname, nargs, 5, 5) < 0 || (trainer = trainer_arg(module, args[0], fname)) == NULL ||
        arg_int64(args[4], fname, "batch_size", &batch_size) < 0) {
        return NULL;
    }
    core_state *state = core_get_state(module);
    tensor_list inputs, targets, masks;
    if (arg_tensor_list(state, args[1], fname, "inputs", &inputs) < 0) {
        return NULL;
    }
    if (arg_tensor_list(state, args[2], fname, "targets", &targets) < 0) {
        tensor_list_release(&inputs);
        return NULL;
    }
    if (optional_tensor_list(state, args[3], fname, "masks", &masks) < 0) {
        tensor_list_release(&inputs);
        tensor_list_release(&targets);
        return NULL;
    }
    const char *logs = NULL;
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_trainer_evaluate(&logs, trainer, inputs.handles, inputs.count, targets.handles, targets.count,
                                 handles_or_null(&masks), batch_size);
    Py_END_ALLOW_THREADS
    tensor_list_release(&inputs);
    tensor_list_release(&targets);
    tensor_list_release(&masks);
    return status != PH_OK ? raise_from_status(status) : PyUnicode_FromString(logs);
}

PyMethodDef training_functions[] = {
    CORE_METHOD("model_new", core_model_new, model_new_doc),
    CORE_METHOD("model_weights", core_model_weights, model_weights_doc),
    CORE_METHOD("model_call", core_model_call, model_call_doc),
    CORE_METHOD("model_predict", core_model_predict, model_predict_doc),
    CORE_METHOD("keras_loss_per_sample", core_keras_loss_per_sample, keras_loss_per_sample_doc),
    CORE_METHOD("trainer_new", core_trainer_new, trainer_new_doc),
    CORE_METHOD("trainer_fit", core_trainer_fit, trainer_fit_doc),
    CORE_METHOD("trainer_evaluate", core_trainer_evaluate, trainer_evaluate_doc),
    {NULL, NULL, 0, NULL},
};
