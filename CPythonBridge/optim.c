/*
 * optim.c — `_core.Optimizer`: one ph_optimizer handle per object, made by sgd(), adam(), adagrad() or rmsprop().
 */
#include "optim.h"

#include "args.h"
#include "errors.h"
#include "handle.h"
#include "tensor.h"

/* ---------------------------------------------------------------- the type */

PyDoc_STRVAR(optimizer_doc,
"An optimizer held by the Polyhead core (made by sgd() or adam(); drive it with optimizer_step(),\n"
"optimizer_zero_grad(), optimizer_set_lr() and optimizer_step_count()).");

static ph_status free_optimizer(void *handle) { return ph_optimizer_free(handle); }

int optimizer_type_add(PyObject *module, core_state *state) {
    state->optimizer_type = handle_type_add(module, "polyhead._core.Optimizer", optimizer_doc);
    return state->optimizer_type == NULL ? -1 : 0;
}

/* The handle of an Optimizer argument; NULL + TypeError naming the argument otherwise. */
static ph_optimizer *optimizer_arg(PyObject *module, PyObject *obj, const char *fname) {
    return handle_arg(core_get_state(module)->optimizer_type, obj, fname, "optimizer", "a polyhead Optimizer");
}

/* ---------------------------------------------------------------- constructors: sgd, adam, adagrad */

/* sgd, adam and adagrad share a shape: (params, <n floats>[, <one flag>]); adapters give them one signature. */
typedef ph_status (*optimizer_new_fn)(ph_optimizer **out, ph_tensor *const *params, int32_t count,
                                      const float *values, int32_t flag);

static ph_status new_sgd(ph_optimizer **out, ph_tensor *const *params, int32_t count, const float *v,
                         int32_t nesterov) {
    return ph_optimizer_sgd_new(out, params, count, v[0], v[1], v[2], v[3], nesterov);
}

static ph_status new_adam(ph_optimizer **out, ph_tensor *const *params, int32_t count, const float *v,
                          int32_t decoupled) {
    return ph_optimizer_adam_new(out, params, count, v[0], v[1], v[2], v[3], v[4], decoupled);
}

static ph_status new_adagrad(ph_optimizer **out, ph_tensor *const *params, int32_t count, const float *v,
                             int32_t unused) {
    (void)unused;
    return ph_optimizer_adagrad_new(out, params, count, v[0], v[1], v[2], v[3], v[4]);
}

typedef struct {
    const char *name;
    optimizer_new_fn make;
    int nvalues;
    const char *names[6];  /* the float arguments, then the flag (NULL: no flag) */
} optimizer_constructor;

static const optimizer_constructor sgd_constructor = {
    "sgd", new_sgd, 4, {"lr", "momentum", "dampening", "weight_decay", "nesterov", NULL}};
static const optimizer_constructor adam_constructor = {
    "adam", new_adam, 5, {"lr", "beta1", "beta2", "eps", "weight_decay", "decoupled"}};
static const optimizer_constructor adagrad_constructor = {
    "adagrad", new_adagrad, 5, {"lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", NULL}};

static PyObject *call_optimizer_new(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                                    const optimizer_constructor *constructor) {
    const char *name = constructor->name;
    int n = constructor->nvalues;
    int has_flag = constructor->names[n] != NULL;
    if (check_nargs(name, nargs, n + 1 + has_flag, n + 1 + has_flag) < 0) {
        return NULL;
    }
    float values[5];
    int32_t flag = 0;
    for (int i = 0; i < n; i++) {
        if (arg_float(args[1 + i], name, constructor->names[i], &values[i]) < 0) {
            return NULL;
        }
    }
    core_state *state = core_get_state(module);
    tensor_list params;
    if ((has_flag && arg_flag(args[1 + n], name, constructor->names[n], &flag) < 0) ||
        arg_tensor_list(state, args[0], name, "params", &params) < 0) {
        return NULL;
    }
    ph_optimizer *handle = NULL;
    ph_status status = constructor->make(&handle, params.handles, params.count, values, flag);
    tensor_list_release(&params);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    return handle_object_new(state->optimizer_type, handle, free_optimizer);
}

PyDoc_STRVAR(sgd_doc,
"sgd($module, params, lr, momentum, dampening, weight_decay, nesterov, /)\n--\n\n"
"An SGD optimizer over a sequence of tensors, with torch.optim.SGD's update rule.");
CORE_FASTCALL(core_sgd) { return call_optimizer_new(module, args, nargs, &sgd_constructor); }

PyDoc_STRVAR(adam_doc,
"adam($module, params, lr, beta1, beta2, eps, weight_decay, decoupled, /)\n--\n\n"
"Adam (decoupled false: L2 decay added to the gradient) or AdamW (decoupled true) over a sequence\n"
"of tensors, with PyTorch's bias correction.");
CORE_FASTCALL(core_adam) { return call_optimizer_new(module, args, nargs, &adam_constructor); }

PyDoc_STRVAR(adagrad_doc,
"adagrad($module, params, lr, lr_decay, weight_decay, initial_accumulator_value, eps, /)\n--\n\n"
"Adagrad over a sequence of tensors, with torch.optim.Adagrad's update rule.");
CORE_FASTCALL(core_adagrad) { return call_optimizer_new(module, args, nargs, &adagrad_constructor); }

PyDoc_STRVAR(rmsprop_doc,
"rmsprop($module, params, lr, alpha, eps, weight_decay, momentum, centered, eps_inside_sqrt, /)\n--\n\n"
"RMSprop over a sequence of tensors with torch.optim.RMSprop's rule (eps_inside_sqrt: Keras's g / sqrt(v + eps)).");

CORE_FASTCALL(core_rmsprop) {
    static const char fname[] = "rmsprop";
    static const char *const names[5] = {"lr", "alpha", "eps", "weight_decay", "momentum"};
    if (check_nargs(fname, nargs, 8, 8) < 0) {
        return NULL;
    }
    float values[5];
    int32_t centered = 0, inside = 0;
    for (int i = 0; i < 5; i++) {
        if (arg_float(args[1 + i], fname, names[i], &values[i]) < 0) {
            return NULL;
        }
    }
    core_state *state = core_get_state(module);
    tensor_list params;
    if (arg_flag(args[6], fname, "centered", &centered) < 0 || arg_flag(args[7], fname, "eps_inside_sqrt", &inside) < 0 ||
        arg_tensor_list(state, args[0], fname, "params", &params) < 0) {
        return NULL;
    }
    ph_optimizer *handle = NULL;
    ph_status status = ph_optimizer_rmsprop_new(&handle, params.handles, params.count, values[0], values[1], values[2],
                                                values[3], values[4], centered, inside);
    tensor_list_release(&params);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    return handle_object_new(state->optimizer_type, handle, free_optimizer);
}

/* ---------------------------------------------------------------- driving an optimizer */

PyDoc_STRVAR(optimizer_step_doc,
"optimizer_step($module, optimizer, /)\n--\n\nApplies one update to every parameter that has a gradient.");

CORE_FASTCALL(core_optimizer_step) {
    ph_optimizer *optimizer;
    if (check_nargs("optimizer_step", nargs, 1, 1) < 0 ||
        (optimizer = optimizer_arg(module, args[0], "optimizer_step")) == NULL) {
        return NULL;
    }
    ph_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ph_optimizer_step(optimizer);
    Py_END_ALLOW_THREADS
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(optimizer_zero_grad_doc,
"optimizer_zero_grad($module, optimizer, /)\n--\n\nClears the gradients of the optimizer's parameters.");

CORE_FASTCALL(core_optimizer_zero_grad) {
    ph_optimizer *optimizer;
    if (check_nargs("optimizer_zero_grad", nargs, 1, 1) < 0 ||
        (optimizer = optimizer_arg(module, args[0], "optimizer_zero_grad")) == NULL) {
        return NULL;
    }
    ph_status status = ph_optimizer_zero_grad(optimizer);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(optimizer_set_lr_doc,
"optimizer_set_lr($module, optimizer, lr, /)\n--\n\nChanges the learning rate of the next steps (lr > 0).");

CORE_FASTCALL(core_optimizer_set_lr) {
    ph_optimizer *optimizer;
    float lr = 0.0f;
    if (check_nargs("optimizer_set_lr", nargs, 2, 2) < 0 ||
        (optimizer = optimizer_arg(module, args[0], "optimizer_set_lr")) == NULL ||
        arg_float(args[1], "optimizer_set_lr", "lr", &lr) < 0) {
        return NULL;
    }
    ph_status status = ph_optimizer_set_learning_rate(optimizer, lr);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(optimizer_step_count_doc,
"optimizer_step_count($module, optimizer, /)\n--\n\nThe number of steps taken.");

CORE_FASTCALL(core_optimizer_step_count) {
    ph_optimizer *optimizer;
    if (check_nargs("optimizer_step_count", nargs, 1, 1) < 0 ||
        (optimizer = optimizer_arg(module, args[0], "optimizer_step_count")) == NULL) {
        return NULL;
    }
    int64_t count = 0;
    ph_status status = ph_optimizer_step_count(&count, optimizer);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    return PyLong_FromLongLong(count);
}

/* ---------------------------------------------------------------- saving and restoring the state */

/* The optimizer and the `count` int32 arguments (slot and/or parameter index) that follow it, of a call taking
 * `extra` further arguments; -1 with an exception. */
static int optimizer_and_indices(PyObject *module, PyObject *const *args, Py_ssize_t nargs, const char *fname,
                                 int count, const char *const *names, int extra, ph_optimizer **optimizer,
                                 int32_t *indices) {
    if (check_nargs(fname, nargs, 1 + count + extra, 1 + count + extra) < 0 ||
        (*optimizer = optimizer_arg(module, args[0], fname)) == NULL) {
        return -1;
    }
    for (int i = 0; i < count; i++) {
        if (arg_int32(args[1 + i], fname, names[i], &indices[i]) < 0) {
            return -1;
        }
    }
    return 0;
}

static const char *const slot_parameter[2] = {"slot", "parameter"};
static const char *const parameter_only[1] = {"parameter"};

PyDoc_STRVAR(optimizer_state_slot_count_doc,
"optimizer_state_slot_count($module, optimizer, /)\n--\n\nThe number of state buffers per parameter.");

CORE_FASTCALL(core_optimizer_state_slot_count) {
    ph_optimizer *optimizer;
    int32_t count = 0;
    if (optimizer_and_indices(module, args, nargs, "optimizer_state_slot_count", 0, NULL, 0, &optimizer,
                              NULL) < 0) {
        return NULL;
    }
    ph_status status = ph_optimizer_state_slot_count(&count, optimizer);
    return status != PH_OK ? raise_from_status(status) : PyLong_FromLong(count);
}

PyDoc_STRVAR(optimizer_state_doc,
"optimizer_state($module, optimizer, slot, parameter, /)\n--\n\n"
"A copy of state buffer `slot` of parameter `parameter` (a tensor shaped like the parameter).");

CORE_FASTCALL(core_optimizer_state) {
    ph_optimizer *optimizer;
    int32_t indices[2];
    if (optimizer_and_indices(module, args, nargs, "optimizer_state", 2, slot_parameter, 0, &optimizer,
                              indices) < 0) {
        return NULL;
    }
    ph_tensor *out = NULL;
    ph_status status = ph_optimizer_state(&out, optimizer, indices[0], indices[1]);
    return tensor_result(core_get_state(module), status, out);
}

PyDoc_STRVAR(optimizer_set_state_doc,
"optimizer_set_state($module, optimizer, slot, parameter, value, /)\n--\n\n"
"Copies `value` (shaped like the parameter) into state buffer `slot` of parameter `parameter`.");

CORE_FASTCALL(core_optimizer_set_state) {
    ph_optimizer *optimizer;
    int32_t indices[2];
    ph_tensor *value;
    if (optimizer_and_indices(module, args, nargs, "optimizer_set_state", 2, slot_parameter, 1, &optimizer,
                              indices) < 0 ||
        (value = tensor_arg(core_get_state(module), args[3], "optimizer_set_state", "value")) == NULL) {
        return NULL;
    }
    ph_status status = ph_optimizer_set_state(optimizer, indices[0], indices[1], value);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(optimizer_parameter_step_doc,
"optimizer_parameter_step($module, optimizer, parameter, /)\n--\n\n"
"How many updates parameter `parameter` has received.");

CORE_FASTCALL(core_optimizer_parameter_step) {
    ph_optimizer *optimizer;
    int32_t index;
    if (optimizer_and_indices(module, args, nargs, "optimizer_parameter_step", 1, parameter_only, 0, &optimizer,
                              &index) < 0) {
        return NULL;
    }
    int64_t step = 0;
    ph_status status = ph_optimizer_parameter_step(&step, optimizer, index);
    return status != PH_OK ? raise_from_status(status) : PyLong_FromLongLong(step);
}

PyDoc_STRVAR(optimizer_set_parameter_step_doc,
"optimizer_set_parameter_step($module, optimizer, parameter, step, /)\n--\n\n"
"Restores the update count of parameter `parameter`.");

CORE_FASTCALL(core_optimizer_set_parameter_step) {
    ph_optimizer *optimizer;
    int32_t index;
    int64_t step = 0;
    if (optimizer_and_indices(module, args, nargs, "optimizer_set_parameter_step", 1, parameter_only, 1,
                              &optimizer, &index) < 0 ||
        arg_int64(args[2], "optimizer_set_parameter_step", "step", &step) < 0) {
        return NULL;
    }
    ph_status status = ph_optimizer_set_parameter_step(optimizer, index, step);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(optimizer_set_step_count_doc,
"optimizer_set_step_count($module, optimizer, count, /)\n--\n\n"
"Restores how many times the optimizer has stepped.");

CORE_FASTCALL(core_optimizer_set_step_count) {
    ph_optimizer *optimizer;
    int64_t count = 0;
    if (optimizer_and_indices(module, args, nargs, "optimizer_set_step_count", 0, NULL, 1, &optimizer, NULL) < 0 ||
        arg_int64(args[1], "optimizer_set_step_count", "count", &count) < 0) {
        return NULL;
    }
    ph_status status = ph_optimizer_set_step_count(optimizer, count);
    if (status != PH_OK) {
        return raise_from_status(status);
    }
    Py_RETURN_NONE;
}

PyMethodDef optim_functions[] = {
    CORE_METHOD("sgd", core_sgd, sgd_doc),
    CORE_METHOD("adam", core_adam, adam_doc),
    CORE_METHOD("adagrad", core_adagrad, adagrad_doc),
    CORE_METHOD("rmsprop", core_rmsprop, rmsprop_doc),
    CORE_METHOD("optimizer_step", core_optimizer_step, optimizer_step_doc),
    CORE_METHOD("optimizer_zero_grad", core_optimizer_zero_grad, optimizer_zero_grad_doc),
    CORE_METHOD("optimizer_set_lr", core_optimizer_set_lr, optimizer_set_lr_doc),
    CORE_METHOD("optimizer_step_count", core_optimizer_step_count, optimizer_step_count_doc),
    CORE_METHOD("optimizer_state_slot_count", core_optimizer_state_slot_count, optimizer_state_slot_count_doc),
    CORE_METHOD("optimizer_state", core_optimizer_state, optimizer_state_doc),
    CORE_METHOD("optimizer_set_state", core_optimizer_set_state, optimizer_set_state_doc),
    CORE_METHOD("optimizer_parameter_step", core_optimizer_parameter_step, optimizer_parameter_step_doc),
    CORE_METHOD("optimizer_set_parameter_step", core_optimizer_set_parameter_step,
                optimizer_set_parameter_step_doc),
    CORE_METHOD("optimizer_set_step_count", core_optimizer_set_step_count, optimizer_set_step_count_doc),
    {NULL, NULL, 0, NULL},
};
