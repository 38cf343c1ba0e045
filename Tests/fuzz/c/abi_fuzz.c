/*
 * abi_fuzz.c — libFuzzer harness for the C ABI (polyhead.h).
 *
 * Each input is a little program: one opcode byte, then argument bytes, repeated. Arguments are drawn from
 * pools of live handles (tensors, optimizers, methods; any slot may be empty, i.e. NULL), from tables of
 * interesting values (0, -1, 2**62, INT64_MIN, NaN, ±inf, denormals, …) and from the input itself. Every
 * call must return a valid ph_status, and every failure must come with a non-empty ph_last_error(): the
 * harness aborts otherwise, and ASan/UBSan abort on any memory error in the harness, the bridge-free C ABI
 * or (when built with -sanitize=address) the Swift core. At the end of an input every handle is freed and
 * ph_debug_live_objects() must be back where it started (no leaks).
 *
 * What the harness never does, because the C contract makes it the caller's fault: pass a handle of the
 * wrong type, use a freed handle, or pass an array shorter than the count that goes with it.
 *
 * Build and run: Tests/fuzz/c/run.sh [seconds]. Keras models/trainers and safetensors I/O have their own
 * harnesses (model_fuzz.c, safetensors_fuzz.c; see Tests/fuzz/README.md).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "polyhead.h"

enum { TENSORS = 16, OPTIMIZERS = 4, METHODS = 4, SCRATCH = 256 };

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t pos;
} reader;

static uint8_t byte(reader *r) { return r->pos < r->size ? r->data[r->pos++] : 0; }

static uint32_t u32(reader *r) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = (v << 8) | byte(r);
    return v;
}

static const int64_t dims_table[] = {0, 1, 2, 3, 4, 5, 1, 2, 3, -1, -2, 1LL << 36, 1LL << 40, 1LL << 62,
                                     INT64_MAX, INT64_MIN, 7, 16};
static const float floats_table[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, 2.0f, 1e-45f, 1e-40f, 3.4e38f, -3.4e38f,
                                     1e4f, -1e4f, 50.0f, -50.0f, NAN, INFINITY, -INFINITY, 0.9f, 0.999f, 1e-8f};
static const double doubles_table[] = {0.0, 1.0, -1.0, 0.5, 2.0, 3.0, 1e-300, 1e300, 1e12, -5.0, NAN, INFINITY,
                                       -INFINITY, 0.9, 100.0, 1e30};
static const int32_t axes_table[] = {0, 1, -1, 2, -2, 3, 4, -5, 64, INT32_MAX, INT32_MIN};
static const char *const option_names[] = {"c", "rescale", "temperature", "alpha", "beta", "beta_sigma", "gamma",
                                           "gamma_sigma", "rho", "lr", "weight_decay", "adam", "max_norm",
                                           "update_weights_every", "optim_niter", "leak", "mu", "warmup_epochs",
                                           "normalize", "normalization", "scale_mode", "weight0", "weight1",
                                           "regression0", "initial_log_variance", "lambda", "niter", "norm_eps",
                                           "reg_eps", "pref0", "robust_step_size", "bogus", ""};

#define COUNT(array) ((int)(sizeof(array) / sizeof((array)[0])))

static int64_t dim(reader *r) { return dims_table[byte(r) % COUNT(dims_table)]; }
static float fval(reader *r) { return floats_table[byte(r) % COUNT(floats_table)]; }
static double dval(reader *r) { return doubles_table[byte(r) % COUNT(doubles_table)]; }
static int32_t axis(reader *r) { return axes_table[byte(r) % COUNT(axes_table)]; }
static int32_t flag(reader *r) { return byte(r) % 3 == 2 ? -7 : byte(r) & 1; }

/* ---------------------------------------------------------------- pools */

static ph_tensor *tensors[TENSORS];
static ph_optimizer *optimizers[OPTIMIZERS];
static ph_mtl_method *methods[METHODS];
static int64_t release_calls, external_tensors;

static ph_tensor *tensor(reader *r) { return tensors[byte(r) % TENSORS]; }

static unsigned next_slot;

static void keep_tensor(ph_tensor *t) {
    if (t == NULL) return;
    unsigned slot = next_slot++ % TENSORS;
    ph_tensor_free(tensors[slot]);
    tensors[slot] = t;
}

/* ---------------------------------------------------------------- the contract */

static const char *current;

static void check(ph_status status) {
    if (status < PH_OK || status > PH_ERROR_RUNTIME) {
        fprintf(stderr, "%s returned an invalid status %d\n", current, (int)status);
        abort();
    }
    if (status != PH_OK) {
        const char *message = ph_last_error();
        if (message == NULL || message[0] == '\0') {
            fprintf(stderr, "%s failed (%s) without a message in ph_last_error()\n", current,
                    ph_status_string(status));
            abort();
        }
    }
}

#define CALL(fn, ...) (current = #fn, check(fn(__VA_ARGS__)))
/* A call producing one tensor into a local, kept in the pool on success (NULL out sometimes). */
#define MAKE(fn, ...)                                                                                   \
    do {                                                                                                \
        ph_tensor *made_ = NULL;                                                                        \
        int null_out_ = (byte(r) % 16) == 0;                                                            \
        current = #fn;                                                                                  \
        ph_status s_ = fn(null_out_ ? NULL : &made_, __VA_ARGS__);                                      \
        check(s_);                                                                                      \
        if (null_out_ && s_ == PH_OK) {                                                                 \
            fprintf(stderr, "%s accepted a NULL out-pointer\n", #fn);                                   \
            abort();                                                                                    \
        }                                                                                               \
        if (s_ != PH_OK && made_ != NULL) {                                                             \
            fprintf(stderr, "%s failed but wrote its out-parameter\n", #fn);                            \
            abort();                                                                                    \
        }                                                                                               \
        keep_tensor(made_);                                                                             \
    } while (0)

static void release_external(void *context) {
    release_calls++;
    free(context);
}

/* ---------------------------------------------------------------- argument builders */

static int32_t shape_of(reader *r, int64_t *shape) {
    uint8_t b = byte(r);
    int32_t ndim = b % 6;
    if (b >= 250) ndim = b == 255 ? -1 : 65;  /* invalid ranks */
    for (int32_t i = 0; i < ndim && i < 8; i++) shape[i] = dim(r);
    return ndim;
}

static int32_t tensor_list(reader *r, ph_tensor **list, int32_t capacity) {
    int32_t count = byte(r) % (capacity + 1);
    for (int32_t i = 0; i < count; i++) list[i] = tensor(r);
    return count;
}

static int32_t reduction(reader *r) { return (int32_t)(byte(r) % 5) - 1; }

/* ---------------------------------------------------------------- one operation */

static void step(reader *r, float *floats, int64_t *ints) {
    int64_t shape[72] = {0};
    ph_tensor *list[8];
    ph_tensor *outs[16] = {0};
    uint8_t op = byte(r) % 64;
    switch (op) {
    case 0: {  /* tensor from data: count may disagree with the shape */
        int32_t ndim = shape_of(r, shape);
        int64_t count = byte(r) % 64;
        MAKE(ph_tensor_new, byte(r) % 8 == 0 ? NULL : floats, count, ndim > 0 ? shape : NULL, ndim);
        break;
    }
    case 1: {
        int32_t ndim = shape_of(r, shape);
        MAKE(ph_tensor_full, shape, ndim, fval(r));
        break;
    }
    case 2: {
        int32_t ndim = shape_of(r, shape);
        MAKE(ph_tensor_randn, shape, ndim);
        break;
    }
    case 3: {
        int32_t ndim = shape_of(r, shape);
        float low = fval(r), high = fval(r);
        MAKE(ph_tensor_uniform, shape, ndim, low, high);
        break;
    }
    case 4: {
        double start = dval(r), end = dval(r), stride = dval(r);
        MAKE(ph_tensor_arange, start, end, stride);
        break;
    }
    case 5: {  /* external memory: released exactly once, also on failure */
        int32_t ndim = shape_of(r, shape);
        int64_t count = byte(r) % 32;
        float *memory = calloc((size_t)count + 1, sizeof(float));
        ph_tensor *made = NULL;
        current = "ph_tensor_new_external";
        external_tensors++;
        ph_status s = ph_tensor_new_external(&made, memory, count, shape, ndim, release_external, memory);
        check(s);
        keep_tensor(made);
        break;
    }
    case 6: {  /* properties of a tensor (maybe NULL) */
        ph_tensor *t = tensor(r);
        int32_t n = 0, capacity = byte(r) % 8;
        int64_t numel = 0, out_shape[8];
        float *data = NULL, item = 0;
        CALL(ph_tensor_ndim, &n, t);
        CALL(ph_tensor_shape, byte(r) & 1 ? out_shape : NULL, capacity, t);
        CALL(ph_tensor_numel, &numel, t);
        current = "ph_tensor_data";
        if (ph_tensor_data(&data, t) == PH_OK && numel > 0) {  /* first and last element must be readable */
            volatile float sink = data[0] + data[numel - 1];
            (void)sink;
        }
        CALL(ph_tensor_item, &item, t);
        CALL(ph_tensor_requires_grad, &n, t);
        CALL(ph_tensor_is_leaf, &n, t);
        CALL(ph_tensor_ndim, NULL, t);
        break;
    }
    case 7: CALL(ph_tensor_set_requires_grad, tensor(r), flag(r)); break;
    case 8: {
        ph_tensor *grad = NULL;
        current = "ph_tensor_grad";
        check(ph_tensor_grad(&grad, tensor(r)));
        keep_tensor(grad);
        break;
    }
    case 9: CALL(ph_tensor_set_grad, tensor(r), tensor(r)); break;
    case 10: {
        ph_tensor *t = tensor(r), *seed = byte(r) & 1 ? tensor(r) : NULL;
        CALL(ph_tensor_backward, t, seed, flag(r));
        break;
    }
    case 11: MAKE(ph_tensor_detach, tensor(r)); break;
    case 12: MAKE(ph_tensor_clone, tensor(r)); break;
    case 13: CALL(ph_tensor_copy_, tensor(r), tensor(r)); break;
    case 14: MAKE(ph_add, tensor(r), tensor(r)); break;
    case 15: MAKE(ph_sub, tensor(r), tensor(r)); break;
    case 16: MAKE(ph_mul, tensor(r), tensor(r)); break;
    case 17: MAKE(ph_div, tensor(r), tensor(r)); break;
    case 18: {
        static ph_status (*const unary[])(ph_tensor **, const ph_tensor *) = {
            ph_neg, ph_exp, ph_log, ph_sqrt, ph_relu, ph_sigmoid, ph_tanh, ph_sum_all, ph_mean_all, ph_transpose};
        int which = byte(r) % COUNT(unary);
        current = "unary op";
        ph_tensor *made = NULL;
        check(unary[which](&made, tensor(r)));
        keep_tensor(made);
        break;
    }
    case 19: MAKE(ph_pow_scalar, tensor(r), fval(r)); break;
    case 20: MAKE(ph_matmul, tensor(r), tensor(r), flag(r), flag(r)); break;
    case 21: MAKE(ph_linear, tensor(r), tensor(r), byte(r) & 1 ? tensor(r) : NULL); break;
    case 22: {
        ph_tensor *weight = NULL, *bias = NULL;
        int64_t in = dim(r), out = dim(r);
        current = "ph_linear_init";
        check(ph_linear_init(&weight, &bias, in, out, flag(r)));
        keep_tensor(weight);
        keep_tensor(bias);
        break;
    }
    case 23: MAKE(ph_sum, tensor(r), axis(r), flag(r)); break;
    case 24: MAKE(ph_mean, tensor(r), axis(r), flag(r)); break;
    case 25: MAKE(ph_max, tensor(r), axis(r), flag(r)); break;
    case 26: MAKE(ph_argmax, tensor(r), axis(r), flag(r)); break;
    case 27: MAKE(ph_softmax, tensor(r), axis(r)); break;
    case 28: MAKE(ph_log_softmax, tensor(r), axis(r)); break;
    case 29: {
        int32_t ndim = shape_of(r, shape);
        MAKE(ph_reshape, tensor(r), shape, ndim);
        break;
    }
    case 30: {
        int32_t count = tensor_list(r, list, 8);
        MAKE(ph_concat, byte(r) % 8 == 0 ? NULL : list, count, axis(r));
        break;
    }
    case 31: {
        int32_t count = byte(r) % 17;
        for (int32_t i = 0; i < count; i++) shape[i] = byte(r) % 3 == 0 ? dim(r) : byte(r) % 4;
        current = "ph_split";
        ph_status s = ph_split(outs, tensor(r), shape, count, axis(r));
        check(s);
        for (int32_t i = 0; s == PH_OK && i < count; i++) keep_tensor(outs[i]);
        break;
    }
    case 32: {
        int64_t count = byte(r) % 16;
        for (int64_t i = 0; i < count; i++) ints[i] = byte(r) % 4 == 0 ? dim(r) : (int64_t)(byte(r) % 8) - 4;
        MAKE(ph_index_select, tensor(r), byte(r) % 8 == 0 ? NULL : ints, count);
        break;
    }
    case 33: MAKE(ph_mse_loss, tensor(r), tensor(r), byte(r) & 1 ? tensor(r) : NULL, reduction(r)); break;
    case 34: MAKE(ph_l1_loss, tensor(r), tensor(r), byte(r) & 1 ? tensor(r) : NULL, reduction(r)); break;
    case 35: MAKE(ph_binary_cross_entropy, tensor(r), tensor(r), byte(r) & 1 ? tensor(r) : NULL, reduction(r)); break;
    case 36:
        MAKE(ph_binary_cross_entropy_with_logits, tensor(r), tensor(r), byte(r) & 1 ? tensor(r) : NULL, reduction(r));
        break;
    case 37:
    case 38: {
        int64_t count = byte(r) % 16;
        for (int64_t i = 0; i < count; i++) ints[i] = byte(r) % 4 == 0 ? dim(r) : (int64_t)(byte(r) % 8) - 1;
        ph_tensor *scores = tensor(r), *mask = byte(r) & 1 ? tensor(r) : NULL;
        const int64_t *targets = byte(r) % 8 == 0 ? NULL : ints;
        if (op == 37) MAKE(ph_cross_entropy, scores, targets, count, mask, reduction(r));
        else MAKE(ph_nll_loss, scores, targets, count, mask, reduction(r));
        break;
    }
    case 39:
    case 40:
    case 41: {  /* optimizers over any tensors of the pool */
        int32_t count = tensor_list(r, list, 8);
        ph_tensor *const *params = byte(r) % 8 == 0 ? NULL : list;
        ph_optimizer *made = NULL;
        ph_status s;
        if (op == 39) {
            current = "ph_optimizer_sgd_new";
            s = ph_optimizer_sgd_new(&made, params, count, fval(r), fval(r), fval(r), fval(r), flag(r));
        } else if (op == 40) {
            current = "ph_optimizer_adam_new";
            s = ph_optimizer_adam_new(&made, params, count, fval(r), fval(r), fval(r), fval(r), fval(r), flag(r));
        } else {
            current = "ph_optimizer_rmsprop_new";
            s = ph_optimizer_rmsprop_new(&made, params, count, fval(r), fval(r), fval(r), fval(r), fval(r), flag(r),
                                         flag(r));
        }
        check(s);
        if (made != NULL) {
            unsigned slot = byte(r) % OPTIMIZERS;
            ph_optimizer_free(optimizers[slot]);
            optimizers[slot] = made;
        }
        break;
    }
    case 42: CALL(ph_optimizer_step, optimizers[byte(r) % OPTIMIZERS]); break;
    case 43: CALL(ph_optimizer_zero_grad, optimizers[byte(r) % OPTIMIZERS]); break;
    case 44: CALL(ph_optimizer_set_learning_rate, optimizers[byte(r) % OPTIMIZERS], fval(r)); break;
    case 45: {
        int64_t steps = 0;
        CALL(ph_optimizer_step_count, byte(r) & 1 ? &steps : NULL, optimizers[byte(r) % OPTIMIZERS]);
        break;
    }
    case 46: {  /* a multi-task method by a registered (or a garbage) name with random options */
        int32_t names = 0;
        const char *name = "no-such-method";
        CALL(ph_mtl_method_name_count, &names);
        if (names > 0 && byte(r) % 8 != 0) CALL(ph_mtl_method_name, &name, byte(r) % (names + 1));
        const char *keys[4];
        double values[4];
        int32_t count = byte(r) % 5;
        for (int32_t i = 0; i < count; i++) {
            keys[i] = option_names[byte(r) % COUNT(option_names)];
            values[i] = dval(r);
        }
        int32_t tasks = (int32_t)(byte(r) % 6) - 1;
        ph_mtl_method *made = NULL;
        current = "ph_mtl_method_new";
        check(ph_mtl_method_new(&made, byte(r) % 16 == 0 ? NULL : name, tasks, keys, values, count));
        if (made != NULL) {
            unsigned slot = byte(r) % METHODS;
            ph_mtl_method_free(methods[slot]);
            methods[slot] = made;
        }
        break;
    }
    case 47: {  /* method backward with whatever losses and shared tensors the pool holds */
        double weights[8];
        int32_t losses = tensor_list(r, list, 8);
        ph_tensor *shared[8];
        int32_t shared_count = tensor_list(r, shared, 8);
        int32_t capacity = byte(r) % 9;
        ph_tensor *representation = byte(r) % 3 == 0 ? tensor(r) : NULL;
        CALL(ph_mtl_backward, byte(r) % 16 == 0 ? NULL : weights, capacity, methods[byte(r) % METHODS], list, losses,
             shared, shared_count, representation, NULL);
        break;
    }
    case 48: CALL(ph_mtl_method_end_epoch, methods[byte(r) % METHODS]); break;
    case 49: {
        ph_mtl_method *method = methods[byte(r) % METHODS];
        int32_t count = 0;
        CALL(ph_mtl_method_parameter_count, &count, method);
        int32_t capacity = byte(r) % 9;
        current = "ph_mtl_method_parameters";
        ph_status s = ph_mtl_method_parameters(outs, capacity, method);
        check(s);
        for (int32_t i = 0; s == PH_OK && i < count; i++) keep_tensor(outs[i]);
        break;
    }
    case 50: {  /* a well-formed multi-task step: T scalar losses from one shared tensor */
        ph_tensor *shared = tensor(r), *losses[4];
        int32_t tasks = 1 + byte(r) % 4;
        ph_tensor *h = NULL;
        current = "ph_mul";
        if (ph_mul(&h, shared, shared) != PH_OK) break;
        for (int32_t i = 0; i < tasks; i++) {
            ph_tensor *scaled = NULL, *scale = NULL;
            int64_t none[1];
            ph_tensor_full(&scale, none, 0, fval(r));
            ph_mul(&scaled, h, scale);
            losses[i] = NULL;
            ph_sum_all(&losses[i], scaled);
            ph_tensor_free(scaled);
            ph_tensor_free(scale);
        }
        double weights[4];
        int32_t present[4] = {byte(r) & 1, byte(r) & 1, byte(r) & 1, byte(r) & 1};  /* absent tasks sit out */
        CALL(ph_mtl_backward, weights, 4, methods[byte(r) % METHODS], losses, tasks, &shared, 1,
             byte(r) & 1 ? h : NULL, byte(r) & 1 ? present : NULL);
        for (int32_t i = 0; i < tasks; i++) ph_tensor_free(losses[i]);
        ph_tensor_free(h);
        break;
    }
    case 51: {  /* free a slot; retain + free keeps the count balanced */
        unsigned slot = byte(r) % TENSORS;
        if (byte(r) & 1) {
            CALL(ph_tensor_retain, tensors[slot]);
            if (tensors[slot] != NULL) ph_tensor_free(tensors[slot]);
        } else {
            ph_tensor_free(tensors[slot]);
            tensors[slot] = NULL;
        }
        break;
    }
    case 52: CALL(ph_manual_seed, ((uint64_t)u32(r) << 32) | u32(r)); break;
    case 53: {
        int32_t previous = 0;
        CALL(ph_set_grad_enabled, byte(r) & 1 ? &previous : NULL, flag(r));
        CALL(ph_is_grad_enabled, &previous);
        CALL(ph_is_grad_enabled, NULL);
        break;
    }
    case 54: CALL(ph_set_num_threads, (int32_t)(byte(r) % 5) - 1); break;
    case 55: {
        ph_tensor *x = tensor(r), *w = tensor(r), *b = byte(r) & 1 ? tensor(r) : NULL;
        MAKE(ph_conv2d, x, w, b, dim(r), dim(r), dim(r), dim(r));
        break;
    }
    case 56: {
        ph_tensor *weight = NULL, *bias = NULL;
        int64_t in = dim(r), out = dim(r), kh = dim(r), kw = dim(r);
        current = "ph_conv2d_init";
        check(ph_conv2d_init(&weight, &bias, in, out, kh, kw, flag(r)));
        keep_tensor(weight);
        keep_tensor(bias);
        break;
    }
    case 57: {
        ph_tensor *x = tensor(r);
        int64_t kh = dim(r), kw = dim(r), sh = dim(r), sw = dim(r), ph = dim(r), pw = dim(r);
        if (byte(r) & 1) MAKE(ph_max_pool2d, x, kh, kw, sh, sw, ph, pw);
        else MAKE(ph_avg_pool2d, x, kh, kw, sh, sw, ph, pw, flag(r));
        break;
    }
    case 58: MAKE(ph_dropout, tensor(r), fval(r)); break;
    case 59: {
        int64_t count = byte(r) % 16;
        for (int64_t i = 0; i < count; i++) ints[i] = byte(r) % 4 == 0 ? dim(r) : (int64_t)(byte(r) % 8) - 1;
        int32_t ndim = shape_of(r, shape);
        MAKE(ph_embedding, tensor(r), ints, count, shape, ndim, dim(r));
        break;
    }
    case 60: MAKE(ph_embedding_init, dim(r), dim(r), dim(r)); break;
    case 61: {
        int32_t ndim = shape_of(r, shape);
        ph_tensor *x = tensor(r), *w = byte(r) & 1 ? tensor(r) : NULL, *b = byte(r) & 1 ? tensor(r) : NULL;
        MAKE(ph_layer_norm, x, byte(r) % 8 == 0 ? NULL : shape, ndim, w, b, fval(r));
        break;
    }
    case 62: {
        ph_tensor *x = tensor(r), *mean = tensor(r), *var = tensor(r), *w = tensor(r), *b = tensor(r);
        MAKE(ph_batch_norm, x, mean, var, w, b, flag(r), fval(r), fval(r));
        break;
    }
    default: {
        uint8_t which = byte(r) % 3;
        ph_tensor *x = tensor(r);
        if (which == 0) MAKE(ph_gelu, x, (int32_t)(byte(r) % 4) - 1);
        else if (which == 1) MAKE(ph_leaky_relu, x, fval(r));
        else MAKE(ph_elu, x, fval(r));
        break;
    }
    }
}

/* ---------------------------------------------------------------- entry point */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static float floats[SCRATCH];
    static int64_t ints[SCRATCH];
    reader r = {data, size, 0};
    int64_t live_before = 0, live_after = 0;
    int32_t threads = 1;
    ph_get_num_threads(&threads);
    ph_debug_live_objects(&live_before);
    for (int i = 0; i < SCRATCH; i++) floats[i] = floats_table[(i * 7 + size) % COUNT(floats_table)];
    release_calls = external_tensors = 0;
    next_slot = 0;  /* every input starts from the same state, so a saved crash input reproduces alone */
    ph_manual_seed(0);
    ph_set_grad_enabled(NULL, 1);
    for (int steps = 0; r.pos < r.size && steps < 64; steps++) step(&r, floats, ints);
    for (int i = 0; i < TENSORS; i++) ph_tensor_free(tensors[i]), tensors[i] = NULL;
    for (int i = 0; i < OPTIMIZERS; i++) ph_optimizer_free(optimizers[i]), optimizers[i] = NULL;
    for (int i = 0; i < METHODS; i++) ph_mtl_method_free(methods[i]), methods[i] = NULL;
    ph_set_grad_enabled(NULL, 1);
    ph_set_num_threads(threads);
    ph_debug_live_objects(&live_after);
    if (live_after != live_before) {
        fprintf(stderr, "leak: %lld live objects before the input, %lld after\n", (long long)live_before,
                (long long)live_after);
        abort();
    }
    if (release_calls != external_tensors) {
        fprintf(stderr, "external memory: %lld tensors made, %lld releases\n", (long long)external_tensors,
                (long long)release_calls);
        abort();
    }
    return 0;
}
