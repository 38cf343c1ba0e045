/*
 * model_fuzz.c — libFuzzer harness for the Keras-style model and trainer functions of polyhead.h
 * (ph_model_*, ph_trainer_*).
 *
 * Each input picks a model config (a small two-output graph whose sizes, activations and layer kinds come
 * from tables of good and bad values, or, for an input starting with '{', the input itself as config JSON),
 * then calls the model and its trainer with tensors of random shapes and values (NaN, ±inf, labels beyond
 * the classes), compile and fit JSON from tables (unknown losses, zero/negative/huge batch sizes and epochs,
 * validation splits outside [0, 1)), masks of the wrong length, an optional multi-task method, and a
 * progress callback that may stop training. Contract checked (abort = a finding): a valid ph_status, a
 * message with every failure, out-parameters untouched on failure, JSON results on success, and the
 * live-object count back where it started once everything is freed. ASan/UBSan cover the rest.
 *
 * Build and run: TARGET=model Tests/fuzz/c/run.sh [seconds].
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "polyhead.h"

enum { MAX_OUTPUTS = 8, MAX_WEIGHTS = 64 };

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t pos;
} input_bytes;

static unsigned pick(input_bytes *in, unsigned choices) {
    return in->pos < in->size ? in->data[in->pos++] % choices : 0;
}

#define COUNT(array) ((unsigned)(sizeof(array) / sizeof((array)[0])))
#define CHOOSE(in, table) ((table)[pick((in), COUNT(table))])

static const long long sizes[] = {1, 2, 3, 4, 3, 2, 0, -1, 1LL << 40, 5};
static const char *const activations[] = {"relu", "softmax", "sigmoid", "linear", "tanh", "gelu", "relu", "bogus"};
static const char *const heads[] = {
    "{\"class_name\":\"Dense\",\"name\":\"o1\",\"config\":{\"units\":%lld,\"activation\":\"softmax\"},\"inbound\":[\"h\"]}",
    "{\"class_name\":\"Dense\",\"name\":\"o1\",\"config\":{\"units\":%lld,\"activation\":\"linear\"},\"inbound\":[\"h\"]}",
    "{\"class_name\":\"Dropout\",\"name\":\"o1\",\"config\":{\"rate\":0.5},\"inbound\":[\"h\"],\"units\":%lld}",
    "{\"class_name\":\"LayerNormalization\",\"name\":\"o1\",\"config\":{},\"inbound\":[\"h\"],\"x\":%lld}",
    "{\"class_name\":\"Dense\",\"name\":\"o1\",\"config\":{\"units\":%lld},\"inbound\":[\"missing\"]}",
};
static const char *const losses[] = {"sparse_categorical_crossentropy", "categorical_crossentropy", "mse", "mae",
                                     "huber", "binary_crossentropy", "bogus"};
static const char *const weights_json[] = {"1.0", "0.5", "0", "-1", "1e30", "1e400"};
static const char *const metrics_json[] = {"", "\"accuracy\"", "\"mae\",\"mse\"", "\"f1\"", "\"auc\"", "\"bogus\""};
static const char *const fit_json[] = {
    "{\"epochs\":1,\"batch_size\":2,\"shuffle\":true,\"validation_split\":0.0}",
    "{\"epochs\":2,\"batch_size\":3,\"shuffle\":false,\"validation_split\":0.25}",
    "{\"epochs\":1,\"batch_size\":32,\"shuffle\":true,\"validation_split\":0.5}",
    "{\"epochs\":1,\"batch_size\":0,\"shuffle\":true,\"validation_split\":0.0}",
    "{\"epochs\":-1,\"batch_size\":2,\"shuffle\":true,\"validation_split\":0.0}",
    "{\"epochs\":1,\"batch_size\":9223372036854775807,\"shuffle\":true,\"validation_split\":0.0}",
    "{\"epochs\":1,\"batch_size\":2,\"shuffle\":true,\"validation_split\":1.0}",
    "{\"epochs\":1,\"batch_size\":2,\"shuffle\":true,\"validation_split\":-0.1}",
    "{\"epochs\":0,\"batch_size\":1}", "{}", "[]", "not json",
};
static const long long rows[] = {0, 1, 2, 5, 7, 33};
static const float values[] = {0.0f, 1.0f, 2.0f, 3.0f, 0.5f, -1.0f, 7.0f, 1e30f, INFINITY, NAN};
static const long long batch_sizes[] = {1, 2, 32, 0, -1, INT64_MAX};

static const char *current;

static void check(ph_status status) {
    if (status < PH_OK || status > PH_ERROR_RUNTIME) {
        fprintf(stderr, "%s returned an invalid status %d\n", current, (int)status);
        abort();
    }
    if (status != PH_OK && (ph_last_error() == NULL || ph_last_error()[0] == '\0')) {
        fprintf(stderr, "%s failed without a message in ph_last_error()\n", current);
        abort();
    }
}

#define CALL(fn, ...) (current = #fn, check(fn(__VA_ARGS__)))

static void require(int condition, const char *what) {
    if (!condition) {
        fprintf(stderr, "contract violated after %s: %s\n", current, what);
        abort();
    }
}

/* A (n) or (n, width) tensor filled with one value from the table (NULL if the shape is refused). */
static ph_tensor *filled(input_bytes *in, long long n, long long width) {
    int64_t shape[2] = {n, width};
    ph_tensor *t = NULL;
    CALL(ph_tensor_full, &t, shape, width > 0 ? 2 : 1, CHOOSE(in, values));
    return t;
}

static void free_all(ph_tensor **tensors, int count) {
    for (int i = 0; i < count; i++) ph_tensor_free(tensors[i]), tensors[i] = NULL;
}

static int32_t on_progress(void *context, int32_t event, int64_t epoch, int64_t batch, int32_t count,
                           const char *const *names, const double *values_) {
    (void)epoch, (void)batch;
    require(event >= PH_EVENT_TRAIN_BEGIN && event <= PH_EVENT_TRAIN_END, "callback event out of range");
    require(count >= 0 && (count == 0 || (names != NULL && values_ != NULL)), "callback logs");
    for (int32_t i = 0; i < count; i++) require(names[i] != NULL && strlen(names[i]) > 0, "empty log name");
    int *calls = context;
    return ++*calls >= 3;  /* stop after a few events */
}

/* Compiles a trainer for `model` and fits/evaluates it on tensors shaped by the input. */
static void train(input_bytes *in, ph_model *model, int32_t inputs, int32_t outputs, long long features) {
    ph_tensor *params[MAX_WEIGHTS] = {0};
    int32_t count = 0, method_params = 0;
    CALL(ph_model_weight_count, &count, model);
    require(count >= 0, "weight count");
    if (count > MAX_WEIGHTS - 4) return;  /* a raw config with many layers: called above, not trained */
    for (int32_t i = 0; i < count; i++) {
        const char *name = NULL;
        CALL(ph_model_weight, &params[i], &name, model, i);
        require(params[i] != NULL && name != NULL, "weight handle or name");
    }
    ph_mtl_method *method = NULL;
    if (pick(in, 3) == 0) {
        int32_t names = 0;
        const char *method_name = NULL;
        CALL(ph_mtl_method_name_count, &names);
        CALL(ph_mtl_method_name, &method_name, names > 0 ? (int32_t)pick(in, (unsigned)names) : 0);
        CALL(ph_mtl_method_new, &method, method_name, (int32_t)pick(in, 4), NULL, NULL, 0);
        if (method != NULL) {
            CALL(ph_mtl_method_parameter_count, &method_params, method);
            if (method_params > 4) method_params = 4;
            CALL(ph_mtl_method_parameters, params + count, method_params, method);
        }
    }
    ph_optimizer *optimizer = NULL;
    if (pick(in, 2)) CALL(ph_optimizer_adam_new, &optimizer, params, count + method_params, 1e-3f, 0.9f, 0.999f, 1e-7f, 0.0f, 0);
    else CALL(ph_optimizer_sgd_new, &optimizer, params, count + method_params - (int32_t)pick(in, 2), 0.1f, 0.9f, 0.0f, 0.0f, 0);
    char compile[512];
    snprintf(compile, sizeof compile, "{\"outputs\":[{\"loss\":\"%s\",\"loss_weight\":%s,\"metrics\":[%s]},"
             "{\"loss\":\"%s\",\"metrics\":[%s]}%s]}", CHOOSE(in, losses), CHOOSE(in, weights_json),
             CHOOSE(in, metrics_json), CHOOSE(in, losses), CHOOSE(in, metrics_json),
             pick(in, 8) == 0 ? ",{\"loss\":\"mse\"}" : "");
    ph_trainer *trainer = NULL;
    CALL(ph_trainer_new, &trainer, model, compile, optimizer, method);
    if (trainer != NULL) {
        long long n = CHOOSE(in, rows);
        ph_tensor *x[MAX_OUTPUTS] = {0}, *y[MAX_OUTPUTS] = {0}, *masks[MAX_OUTPUTS] = {0};
        int32_t x_count = inputs + (pick(in, 8) == 0), y_count = outputs - (pick(in, 8) == 0);
        for (int32_t i = 0; i < x_count && i < MAX_OUTPUTS; i++) x[i] = filled(in, n, features + (pick(in, 6) == 0));
        for (int32_t i = 0; i < y_count && i < MAX_OUTPUTS; i++) {
            unsigned kind = pick(in, 3);
            y[i] = filled(in, n + (pick(in, 10) == 0), kind == 0 ? 0 : kind == 1 ? 1 : 3);
            masks[i] = filled(in, n + (pick(in, 6) == 0), 0);
        }
        int with_masks = pick(in, 2);
        int calls = 0;
        const char *history = NULL, *logs = NULL;
        current = "ph_trainer_fit";
        ph_status status = ph_trainer_fit(&history, trainer, x, x_count, y, y_count, with_masks ? masks : NULL,
                                          NULL, 0, NULL, 0, NULL, CHOOSE(in, fit_json),
                                          pick(in, 2) ? on_progress : NULL, &calls);
        check(status);
        require(status == PH_OK ? history != NULL && history[0] == '{' : history == NULL, "fit history_json");
        current = "ph_trainer_evaluate";
        status = ph_trainer_evaluate(&logs, trainer, x, x_count, y, y_count, NULL, CHOOSE(in, batch_sizes));
        check(status);
        require(status == PH_OK ? logs != NULL && logs[0] == '{' : logs == NULL, "evaluate logs_json");
        free_all(x, MAX_OUTPUTS), free_all(y, MAX_OUTPUTS), free_all(masks, MAX_OUTPUTS);
        ph_trainer_free(trainer);
    }
    ph_optimizer_free(optimizer);
    ph_mtl_method_free(method);
    free_all(params, MAX_WEIGHTS);
}

/* Calls and predicts with the model on tensors shaped by the input, then trains it. */
static void exercise(input_bytes *in, ph_model *model, long long features) {
    int32_t inputs = -1, outputs = -1, weights = -1, trainable = -1;
    CALL(ph_model_input_count, &inputs, model);
    CALL(ph_model_output_count, &outputs, model);
    CALL(ph_model_weight_count, &weights, model);
    CALL(ph_model_trainable_weight_count, &trainable, model);
    require(inputs >= 1 && outputs >= 1 && 0 <= trainable && trainable <= weights, "model counts");
    if (inputs > MAX_OUTPUTS || outputs > MAX_OUTPUTS) return;  /* a raw config larger than the arrays here */
    ph_tensor *x[MAX_OUTPUTS] = {0}, *out[MAX_OUTPUTS] = {0};
    long long n = CHOOSE(in, rows);
    int32_t given = inputs - (pick(in, 10) == 0);
    for (int32_t i = 0; i < given; i++) x[i] = filled(in, n, features + (pick(in, 6) == 0) - (pick(in, 6) == 0));
    CALL(ph_model_call, out, model, x, given, (int32_t)pick(in, 2));
    free_all(out, MAX_OUTPUTS);
    CALL(ph_model_predict, out, model, x, given, CHOOSE(in, batch_sizes));
    free_all(out, MAX_OUTPUTS);
    free_all(x, MAX_OUTPUTS);
    train(in, model, inputs, outputs, features);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    input_bytes in = {data, size, 0};
    int64_t live_before = 0, live_after = 0;
    ph_debug_live_objects(&live_before);
    ph_manual_seed(0);
    char config[2048];
    long long features = CHOOSE(&in, sizes);
    if (size > 0 && data[0] == '{') {  /* the input is the config (up to its first NUL) */
        size_t length = strnlen((const char *)data, size < sizeof config - 1 ? size : sizeof config - 1);
        memcpy(config, data, length);
        config[length] = '\0';
        in.pos = size;  /* the rest of the choices take their defaults */
        features = 3;
    } else {
        char head[256];
        snprintf(head, sizeof head, CHOOSE(&in, heads), CHOOSE(&in, sizes));
        snprintf(config, sizeof config,
                 "{\"inputs\":[{\"name\":\"x\",\"shape\":[%lld]}],\"layers\":["
                 "{\"class_name\":\"Dense\",\"name\":\"h\",\"config\":{\"units\":%lld,\"activation\":\"%s\"},"
                 "\"inbound\":[\"x\"]},%s,"
                 "{\"class_name\":\"Dense\",\"name\":\"o2\",\"config\":{\"units\":1,\"activation\":\"sigmoid\"},"
                 "\"inbound\":[\"h\"]}],\"outputs\":[\"o1\",\"o2\"]}",
                 features, CHOOSE(&in, sizes), CHOOSE(&in, activations), head);
    }
    ph_model *model = NULL;
    current = "ph_model_new";
    ph_status status = ph_model_new(&model, config);
    check(status);
    require(status == PH_OK ? model != NULL : model == NULL, "ph_model_new out-parameter");
    if (model != NULL) exercise(&in, model, features);
    ph_model_free(model);
    ph_debug_live_objects(&live_after);
    if (live_after != live_before) {
        fprintf(stderr, "leak: %lld live objects before the input, %lld after\n", (long long)live_before,
                (long long)live_after);
        abort();
    }
    return 0;
}
