/*
 * polyhead.h — the C ABI of Polyhead, a multi-task learning library.
 *
 * Conventions (after sqlite3.h and mlx-c):
 *   - Every function returns a ph_status (PH_OK == 0) and writes results through its FIRST out-parameter.
 *   - On failure ph_last_error() returns a thread-local message naming the op, arguments and shapes;
 *     out-parameters are left untouched. No function aborts or exits the process on any input.
 *   - Handles are opaque and reference counted. A function that returns a handle through `ph_tensor** out`
 *     gives the caller one reference (+1); release it with exactly one ph_tensor_free. ph_*_free(NULL) is a
 *     no-op. Input handles are borrowed (the callee retains what it keeps).
 *   - A NULL input handle or NULL out-pointer yields PH_ERROR_VALUE, never a crash.
 *   - Tensors are float32, row-major and contiguous. Shapes are int64 arrays with an int32 rank.
 */
#ifndef POLYHEAD_H
#define POLYHEAD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result code of every call. */
typedef int32_t ph_status;

enum {
    PH_OK = 0,              /**< success */
    PH_ERROR_VALUE = 1,     /**< bad value or shape (Python: ValueError) */
    PH_ERROR_TYPE = 2,      /**< wrong kind of argument (Python: TypeError) */
    PH_ERROR_INDEX = 3,     /**< index or axis out of range (Python: IndexError) */
    PH_ERROR_MEMORY = 4,    /**< allocation failed or too large (Python: MemoryError) */
    PH_ERROR_IO = 5,        /**< file system error (Python: OSError) */
    PH_ERROR_RUNTIME = 6    /**< invalid state, e.g. backward twice (Python: RuntimeError) */
};

/** Loss reductions. */
enum {
    PH_REDUCTION_NONE = 0,  /**< one loss per sample */
    PH_REDUCTION_MEAN = 1,  /**< mean over samples (and elements) */
    PH_REDUCTION_SUM = 2    /**< sum over samples (and elements) */
};

/** Opaque float32 tensor with an optional autodiff history. */
typedef struct ph_tensor ph_tensor;
/** Opaque optimizer (SGD, Adam, AdamW) bound to a list of parameter tensors. */
typedef struct ph_optimizer ph_optimizer;

/* ---------------------------------------------------------------- errors, library state */

/** The message of the last failed call on this thread ("" if none). Owned by the library; valid until the
 *  next failing call on the same thread. */
const char *ph_last_error(void);
/** A static English name for a status code ("ok", "value error", …); never NULL. */
const char *ph_status_string(ph_status status);
/** Seeds the one global random generator (SplitMix64). Same seed → same stream in Swift and Python. */
ph_status ph_manual_seed(uint64_t seed);
/** Writes a random permutation of 0 … count−1 (Fisher–Yates) into out[0..<count] (count ≥ 0; out may be NULL
 *  when count is 0), drawn from the global generator when `state` is NULL, else from the caller-held SplitMix64
 *  state *state (seeded like ph_manual_seed), which is advanced in place. */
ph_status ph_random_permutation(int64_t *out, int64_t count, uint64_t *state);
/** Enables (1) or disables (0) gradient recording on this thread; writes the previous setting to *previous
 *  (which may be NULL). */
ph_status ph_set_grad_enabled(int32_t *previous, int32_t enabled);
/** Writes 1 if gradient recording is enabled on this thread, else 0. */
ph_status ph_is_grad_enabled(int32_t *out);
/** Turns anomaly detection on (non-zero) or off (0) for this thread; writes the previous setting to *previous
 *  (which may be NULL). While on, the first recorded op whose output, or whose backward gradient, holds NaN
 *  or ±inf fails with PH_ERROR_RUNTIME and a message naming the op, the pass and the input or output. */
ph_status ph_set_anomaly_enabled(int32_t *previous, int32_t enabled);
/** Writes 1 if anomaly detection is on for this thread, else 0. */
ph_status ph_is_anomaly_enabled(int32_t *out);
/** Sets the number of OpenBLAS threads (n ≥ 1). */
ph_status ph_set_num_threads(int32_t n);
/** Writes the number of OpenBLAS threads. */
ph_status ph_get_num_threads(int32_t *out);
/** Writes the number of live library objects (tensors, storages, optimizers); for leak tests. */
ph_status ph_debug_live_objects(int64_t *out);

/* ---------------------------------------------------------------- tensor creation and lifetime */

/** Creates a tensor holding a copy of `count` floats from `data` with the given shape (count must equal the
 *  product of the shape; data may be NULL when count is 0). */
ph_status ph_tensor_new(ph_tensor **out, const float *data, int64_t count, const int64_t *shape, int32_t ndim);
/** Wraps external memory without copying. `release(context)` is called exactly once, from any thread, when
 *  the last tensor using the memory dies (also when this call fails). The memory must stay valid until then. */
ph_status ph_tensor_new_external(ph_tensor **out, float *data, int64_t count, const int64_t *shape,
                                 int32_t ndim, void (*release)(void *context), void *context);
/** Creates a tensor of the given shape filled with `value`. */
ph_status ph_tensor_full(ph_tensor **out, const int64_t *shape, int32_t ndim, float value);
/** Creates a tensor of standard-normal samples from the global generator. */
ph_status ph_tensor_randn(ph_tensor **out, const int64_t *shape, int32_t ndim);
/** Creates a tensor of samples uniform in [low, high) from the global generator (low < high). */
ph_status ph_tensor_uniform(ph_tensor **out, const int64_t *shape, int32_t ndim, float low, float high);
/** Creates the 1-D tensor start, start+step, … (< end for step > 0, > end for step < 0); step ≠ 0. */
ph_status ph_tensor_arange(ph_tensor **out, double start, double end, double step);
/** Adds one reference to `tensor`. */
ph_status ph_tensor_retain(ph_tensor *tensor);
/** Drops one reference; frees the tensor when none remain. NULL is a no-op. */
ph_status ph_tensor_free(ph_tensor *tensor);

/* ---------------------------------------------------------------- tensor properties */

/** Writes the rank (0 for a scalar). */
ph_status ph_tensor_ndim(int32_t *out, const ph_tensor *tensor);
/** Writes the shape into out[0..<ndim]; `capacity` is the length of `out` and must be ≥ ndim. */
ph_status ph_tensor_shape(int64_t *out, int32_t capacity, const ph_tensor *tensor);
/** Writes the number of elements. */
ph_status ph_tensor_numel(int64_t *out, const ph_tensor *tensor);
/** Writes a pointer to the contiguous float32 storage; valid while `tensor` lives. Writes through it change
 *  the tensor (and every tensor sharing its storage). */
ph_status ph_tensor_data(float **out, const ph_tensor *tensor);
/** Writes the value of a one-element tensor; error otherwise. */
ph_status ph_tensor_item(float *out, const ph_tensor *tensor);
/** Writes 1 if the tensor records gradients, else 0. */
ph_status ph_tensor_requires_grad(int32_t *out, const ph_tensor *tensor);
/** Marks a leaf tensor as requiring gradients (or not); error on a non-leaf. */
ph_status ph_tensor_set_requires_grad(ph_tensor *tensor, int32_t requires_grad);
/** Writes 1 if the tensor is a leaf (created by the user, not by a recorded op). */
ph_status ph_tensor_is_leaf(int32_t *out, const ph_tensor *tensor);
/** Writes a new reference to the accumulated gradient, or NULL if there is none. */
ph_status ph_tensor_grad(ph_tensor **out, const ph_tensor *tensor);
/** Replaces the gradient (NULL clears it); the gradient's shape must equal the tensor's. */
ph_status ph_tensor_set_grad(ph_tensor *tensor, const ph_tensor *grad);

/* ---------------------------------------------------------------- autodiff */

/** Back-propagates from `tensor`. `seed` is the gradient of the output (same shape) or NULL for a
 *  one-element output (error otherwise). Gradients accumulate into `.grad` of leaves that require them.
 *  Unless `retain_graph` is 1, the graph is freed and a second backward through it is an error. */
ph_status ph_tensor_backward(ph_tensor *tensor, const ph_tensor *seed, int32_t retain_graph);
/** A new leaf sharing the storage, without history and without requires_grad. */
ph_status ph_tensor_detach(ph_tensor **out, const ph_tensor *tensor);
/** A new tensor with a copy of the data (recorded: its gradient flows back to `tensor`). */
ph_status ph_tensor_clone(ph_tensor **out, const ph_tensor *tensor);
/** Copies `source` into `destination` in place (not recorded); `source` broadcasts to the destination's
 *  shape. Error if the destination is a non-leaf or a leaf requiring grad while recording is enabled. */
ph_status ph_tensor_copy_(ph_tensor *destination, const ph_tensor *source);

/* ---------------------------------------------------------------- elementwise ops (numpy broadcasting) */

/** a + b */
ph_status ph_add(ph_tensor **out, const ph_tensor *a, const ph_tensor *b);
/** a - b */
ph_status ph_sub(ph_tensor **out, const ph_tensor *a, const ph_tensor *b);
/** a * b */
ph_status ph_mul(ph_tensor **out, const ph_tensor *a, const ph_tensor *b);
/** a / b */
ph_status ph_div(ph_tensor **out, const ph_tensor *a, const ph_tensor *b);
/** -a */
ph_status ph_neg(ph_tensor **out, const ph_tensor *a);
/** e^a */
ph_status ph_exp(ph_tensor **out, const ph_tensor *a);
/** natural log of a */
ph_status ph_log(ph_tensor **out, const ph_tensor *a);
/** square root of a */
ph_status ph_sqrt(ph_tensor **out, const ph_tensor *a);
/** a ** exponent */
ph_status ph_pow_scalar(ph_tensor **out, const ph_tensor *a, float exponent);
/** max(a, 0) */
ph_status ph_relu(ph_tensor **out, const ph_tensor *a);
/** 1 / (1 + e^-a) */
ph_status ph_sigmoid(ph_tensor **out, const ph_tensor *a);
/** tanh(a) */
ph_status ph_tanh(ph_tensor **out, const ph_tensor *a);
/** sin(a), radians */
ph_status ph_sin(ph_tensor **out, const ph_tensor *a);
/** cos(a), radians */
ph_status ph_cos(ph_tensor **out, const ph_tensor *a);

/* ---------------------------------------------------------------- linear algebra */

/** op(a) @ op(b) for 2-D a and b, op = transpose when the flag is 1 (GEMM flags, no copies). */
ph_status ph_matmul(ph_tensor **out, const ph_tensor *a, const ph_tensor *b, int32_t transpose_a,
                    int32_t transpose_b);
/** op(a[i]) @ op(b[i]) for 3-D a and b with equal batch lengths (PyTorch's bmm), op transposing the last two
 *  axes when the flag is 1 (GEMM flags, no copies). */
ph_status ph_bmm(ph_tensor **out, const ph_tensor *a, const ph_tensor *b, int32_t transpose_a, int32_t transpose_b);
/** x @ weight^T + bias for x (N, in), weight (out, in), bias (out) or NULL. */
ph_status ph_linear(ph_tensor **out, const ph_tensor *x, const ph_tensor *weight, const ph_tensor *bias);
/** Creates the parameters of a Linear layer with PyTorch's default init (kaiming-uniform a=√5 weight, uniform
 *  ±1/√in bias) from the global generator: weight (out, in), then bias (out) unless `with_bias` is 0 (then
 *  *bias_out is set to NULL). Both require grad. */
ph_status ph_linear_init(ph_tensor **weight_out, ph_tensor **bias_out, int64_t in_features,
                         int64_t out_features, int32_t with_bias);

/* ---------------------------------------------------------------- reductions, softmax */

/** Sum of all elements (a scalar). */
ph_status ph_sum_all(ph_tensor **out, const ph_tensor *a);
/** Sum along `axis` (negative counts from the end); keepdim keeps it as size 1. */
ph_status ph_sum(ph_tensor **out, const ph_tensor *a, int32_t axis, int32_t keepdim);
/** Mean of all elements (a scalar); NaN for an empty tensor, as PyTorch. */
ph_status ph_mean_all(ph_tensor **out, const ph_tensor *a);
/** Mean along `axis`. */
ph_status ph_mean(ph_tensor **out, const ph_tensor *a, int32_t axis, int32_t keepdim);
/** Maximum along `axis` (gradient goes to the first maximal element). */
ph_status ph_max(ph_tensor **out, const ph_tensor *a, int32_t axis, int32_t keepdim);
/** Index of the first maximal element along `axis`, as float values (not differentiable). */
ph_status ph_argmax(ph_tensor **out, const ph_tensor *a, int32_t axis, int32_t keepdim);
/** Softmax along `axis`, which must be the last axis (-1 or ndim-1). */
ph_status ph_softmax(ph_tensor **out, const ph_tensor *a, int32_t axis);
/** log(softmax) along the last axis, computed stably. */
ph_status ph_log_softmax(ph_tensor **out, const ph_tensor *a, int32_t axis);

/* ---------------------------------------------------------------- shape ops */

/** Same data with a new shape (one entry may be -1); shares storage like a view. */
ph_status ph_reshape(ph_tensor **out, const ph_tensor *a, const int64_t *shape, int32_t ndim);
/** Transpose of a 2-D tensor (a copy). */
ph_status ph_transpose(ph_tensor **out, const ph_tensor *a);
/** Concatenates `count` tensors along `axis`; all other dimensions must agree. */
ph_status ph_concat(ph_tensor **out, ph_tensor *const *tensors, int32_t count, int32_t axis);
/** Splits `a` along `axis` into `count` pieces of the given sizes (summing to the axis length); writes
 *  `count` new references into outs[0..<count]. */
ph_status ph_split(ph_tensor **outs, const ph_tensor *a, const int64_t *sizes, int32_t count, int32_t axis);
/** Rows (entries along axis 0) at `indices` (each in [-rows, rows)), in order; repeats allowed. */
ph_status ph_index_select(ph_tensor **out, const ph_tensor *a, const int64_t *indices, int64_t count);

/* ---------------------------------------------------------------- losses
 * Every loss takes an optional `mask`: NULL, or one finite weight ≥ 0 per sample along axis 0 (1 =
 * labelled, 0 = missing). A missing sample contributes exactly 0 (its target or label is not even
 * checked); the mean divides by the total weight, so a batch without a labelled sample gives 0, not NaN. */

/** Mean squared error between input and target (same shape). */
ph_status ph_mse_loss(ph_tensor **out, const ph_tensor *input, const ph_tensor *target, const ph_tensor *mask,
                      int32_t reduction);
/** Mean absolute error between input and target (same shape). */
ph_status ph_l1_loss(ph_tensor **out, const ph_tensor *input, const ph_tensor *target, const ph_tensor *mask,
                     int32_t reduction);
/** Binary cross-entropy on probabilities in [0, 1] (logs clamped at -100, as PyTorch). */
ph_status ph_binary_cross_entropy(ph_tensor **out, const ph_tensor *input, const ph_tensor *target,
                                  const ph_tensor *mask, int32_t reduction);
/** Binary cross-entropy on logits, computed stably. */
ph_status ph_binary_cross_entropy_with_logits(ph_tensor **out, const ph_tensor *input,
                                              const ph_tensor *target, const ph_tensor *mask, int32_t reduction);
/** Cross-entropy of logits (N, C) against `count` == N class indices in [0, C). */
ph_status ph_cross_entropy(ph_tensor **out, const ph_tensor *logits, const int64_t *targets, int64_t count,
                           const ph_tensor *mask, int32_t reduction);
/** Negative log-likelihood of log-probabilities (N, C) against N class indices in [0, C). */
ph_status ph_nll_loss(ph_tensor **out, const ph_tensor *log_probs, const int64_t *targets, int64_t count,
                      const ph_tensor *mask, int32_t reduction);

/* ---------------------------------------------------------------- optimizers */

/** SGD over `count` ≥ 1 parameter tensors (retained): lr ≥ 0, momentum ≥ 0, dampening, weight_decay ≥ 0,
 *  nesterov (needs momentum > 0 and dampening 0). Same update rule as torch.optim.SGD. */
ph_status ph_optimizer_sgd_new(ph_optimizer **out, ph_tensor *const *parameters, int32_t count, float lr,
                               float momentum, float dampening, float weight_decay, int32_t nesterov);
/** Adam (decoupled = 0, L2 weight decay added to the gradient) or AdamW (decoupled = 1) over `count`
 *  parameters, with PyTorch's bias correction. */
ph_status ph_optimizer_adam_new(ph_optimizer **out, ph_tensor *const *parameters, int32_t count, float lr,
                                float beta1, float beta2, float eps, float weight_decay, int32_t decoupled);
/** Applies one update to every parameter that has a gradient. */
ph_status ph_optimizer_step(ph_optimizer *optimizer);
/** Clears the gradients of the optimizer's parameters (sets them to none). */
ph_status ph_optimizer_zero_grad(ph_optimizer *optimizer);
/** Changes the learning rate used by the next steps (finite, lr ≥ 0). */
ph_status ph_optimizer_set_learning_rate(ph_optimizer *optimizer, float lr);
/** Writes the number of steps taken. */
ph_status ph_optimizer_step_count(int64_t *out, const ph_optimizer *optimizer);
/** Releases the optimizer. NULL is a no-op. */
ph_status ph_optimizer_free(ph_optimizer *optimizer);

/* ---------------------------------------------------------------- multi-task methods
 * A method turns T task losses into one update: loss-level weightings (linear, uncertainty, dwa, …) build
 * a weighted objective; gradient-level methods (pcgrad, mgda, cagrad, …) combine the per-task gradients of
 * the shared part. Methods are made by name with numeric options; ph_mtl_method_name lists the names. */

/** Opaque multi-task weighting or gradient method. */
typedef struct ph_mtl_method ph_mtl_method;

/** Creates the method `name` (e.g. "pcgrad") for `task_count` ≥ 1 tasks with `option_count` options given as
 *  parallel arrays of names and values (e.g. {"c"} = {0.5} for cagrad). Unknown names or options, and
 *  out-of-range values, are PH_ERROR_VALUE. Free with ph_mtl_method_free. */
ph_status ph_mtl_method_new(ph_mtl_method **out, const char *name, int32_t task_count,
                            const char *const *option_names, const double *option_values, int32_t option_count);
/** Releases the method. NULL is a no-op. */
ph_status ph_mtl_method_free(ph_mtl_method *method);
/** Writes the number of registered method names. */
ph_status ph_mtl_method_name_count(int32_t *out);
/** Writes the static name of registered method `index` (0 ≤ index < count). */
ph_status ph_mtl_method_name(const char **out, int32_t index);
/** Writes the number of learnable tensors the method owns (e.g. the log-variances of uncertainty
 *  weighting); an optimizer should update them with the model. */
ph_status ph_mtl_method_parameter_count(int32_t *out, const ph_mtl_method *method);
/** Writes new references to the method's learnable tensors into outs[0..<count]; capacity ≥ count. */
ph_status ph_mtl_method_parameters(ph_tensor **outs, int32_t capacity, const ph_mtl_method *method);
/** Back-propagates one step of `loss_count` scalar task losses (equal to the method's task count): afterwards
 *  every parameter's gradient holds this step's update (accumulated into existing gradients). Gradient methods
 *  combine the per-task gradients of the shared part: the `shared_count` shared parameters, or, when
 *  `representation` is not NULL, the shared representation (MGDA-UB style: T passes through the heads only,
 *  then one through the trunk). Task-specific parameters get their own task's gradient. `present` (NULL, or
 *  loss_count flags, non-zero = present) says which tasks have a labelled sample in the batch: an absent task
 *  takes no part in the step (weight 0, no gradient, its state untouched); with NULL a task is absent when its
 *  loss is exactly 0 (gradient methods: and its gradient all zero), as a masked loss without labelled samples.
 *  Writes the task weights used (or effective weights) into weights_out[0..<loss_count] (capacity ≥ loss_count). */
ph_status ph_mtl_backward(double *weights_out, int32_t weights_capacity, ph_mtl_method *method,
                          ph_tensor *const *losses, int32_t loss_count, ph_tensor *const *shared_parameters,
                          int32_t shared_count, ph_tensor *representation, const int32_t *present);
/** Tells the method an epoch ended (DWA and other epoch-level methods update their state here). */
ph_status ph_mtl_method_end_epoch(ph_mtl_method *method);

/* ---------------------------------------------------------------- serialization
 * Tensors are saved as safetensors files (huggingface/safetensors: an 8-byte little-endian header length, a
 * JSON header, then the raw little-endian data), readable by the `safetensors` package and numpy/torch.
 * Writes are atomic: the bytes go to a temporary file in the same directory, which is fsync'ed and renamed
 * over the target, then the directory is fsync'ed; on any error the old file is left untouched. Loading
 * reads only data, never code. A file-system failure is PH_ERROR_IO (ph_last_errno gives the OS errno); a
 * malformed file is PH_ERROR_VALUE with a message naming the file and the problem. */

/** A loaded safetensors file: its tensors (in data order) and metadata. Free with ph_safetensors_free. */
typedef struct ph_safetensors ph_safetensors;

/** Writes the OS error number (errno) behind this thread's last failed call if it was a PH_ERROR_IO reported
 *  by the OS (ENOENT, EACCES, ENOSPC, …), else 0. */
ph_status ph_last_errno(int32_t *out);
/** Saves `count` tensors (float32, dtype "F32") under the UTF-8 `names` (unique, not "__metadata__") with
 *  `metadata_count` string pairs of metadata (unique keys; the arrays may be NULL when the count is 0), to
 *  `path`, atomically. */
ph_status ph_safetensors_save(const char *path, const char *const *names, ph_tensor *const *tensors, int32_t count,
                              const char *const *metadata_keys, const char *const *metadata_values,
                              int32_t metadata_count);
/** Loads and validates a safetensors file. Reads F32 exactly and converts F64, F16, BF16, I8-I64, U8-U64 and
 *  BOOL to float32; other dtypes, truncated files, bad headers, bad offsets, shape/offset mismatches and
 *  duplicate names are PH_ERROR_VALUE. Free the result with ph_safetensors_free. */
ph_status ph_safetensors_load(ph_safetensors **out, const char *path);
/** Releases a loaded file (its tensors live on while references to them remain). NULL is a no-op. */
ph_status ph_safetensors_free(ph_safetensors *file);
/** Writes the number of tensors in the file. */
ph_status ph_safetensors_tensor_count(int32_t *out, const ph_safetensors *file);
/** Writes the name of tensor `index` (0 ≤ index < count); the string is owned by `file`, valid until it is
 *  freed. */
ph_status ph_safetensors_tensor_name(const char **out, const ph_safetensors *file, int32_t index);
/** Writes a new reference to tensor `index` (0 ≤ index < count). */
ph_status ph_safetensors_tensor(ph_tensor **out, const ph_safetensors *file, int32_t index);
/** Writes the number of metadata pairs. */
ph_status ph_safetensors_metadata_count(int32_t *out, const ph_safetensors *file);
/** Writes metadata pair `index` (0 ≤ index < count; pairs sorted by key); both strings are owned by `file`. */
ph_status ph_safetensors_metadata(const char **key_out, const char **value_out, const ph_safetensors *file,
                                  int32_t index);
/** Replaces the file at `path` with `size` bytes from `data` atomically (same procedure as saving), e.g. a
 *  model's JSON configuration. `data` may be NULL when size is 0. */
ph_status ph_file_write_atomic(const char *path, const void *data, int64_t size);

/* ---------------------------------------------------------------- layers (issue 4)
 * The functional forms behind convolution, pooling, dropout, embedding, normalization and activation layers,
 * with PyTorch's semantics. Images are NCHW. Every op is recorded for autodiff like the ops above. Layer state
 * (the training flag, running statistics) belongs to the caller: these functions only compute. */

/** GELU variants (PyTorch's `approximate`). */
enum {
    PH_GELU_NONE = 0,       /**< exact x·Φ(x) = x/2·(1 + erf(x/√2)) */
    PH_GELU_TANH = 1        /**< x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³))) */
};

/** 2-D convolution (cross-correlation; dilation 1, one group) of x (N, C, H, W) with weight (O, C, KH, KW), plus
 *  bias (O) or NULL → (N, O, OH, OW), OH = (H + 2·padding_h − KH) / stride_h + 1 rounded down (likewise OW).
 *  Strides ≥ 1, zero paddings ≥ 0, the kernel no larger than the padded input; C, O, KH, KW ≥ 1. Computed as
 *  im2col + one sgemm per sample; the backward recomputes the columns (GEMMs + col2im). */
ph_status ph_conv2d(ph_tensor **out, const ph_tensor *x, const ph_tensor *weight, const ph_tensor *bias,
                    int64_t stride_h, int64_t stride_w, int64_t padding_h, int64_t padding_w);
/** Creates the parameters of a Conv2d layer with PyTorch's default init, from the global generator, weight
 *  first: weight (out_channels, in_channels, kernel_h, kernel_w) and bias (out_channels), both uniform in
 *  ±1/√(in_channels·kernel_h·kernel_w) (kaiming-uniform with a=√5, like Linear). *bias_out is set to NULL when
 *  `with_bias` is 0. Both require grad. */
ph_status ph_conv2d_init(ph_tensor **weight_out, ph_tensor **bias_out, int64_t in_channels, int64_t out_channels,
                         int64_t kernel_h, int64_t kernel_w, int32_t with_bias);
/** Max pooling of x (N, C, H, W) over kernel_h × kernel_w windows moved by the strides, with implicit −∞
 *  padding (padding ≤ kernel / 2, as PyTorch) → (N, C, OH, OW), sizes as for ph_conv2d (floor mode). NaN counts
 *  as maximal; the gradient goes to the first maximal element of each window. */
ph_status ph_max_pool2d(ph_tensor **out, const ph_tensor *x, int64_t kernel_h, int64_t kernel_w, int64_t stride_h,
                        int64_t stride_w, int64_t padding_h, int64_t padding_w);
/** Average pooling of x (N, C, H, W), windows and sizes as ph_max_pool2d, with zero padding. Each window is
 *  divided by kernel_h·kernel_w when `count_include_pad` is 1 (PyTorch's default), else by the number of input
 *  pixels it covers. */
ph_status ph_avg_pool2d(ph_tensor **out, const ph_tensor *x, int64_t kernel_h, int64_t kernel_w, int64_t stride_h,
                        int64_t stride_w, int64_t padding_h, int64_t padding_w, int32_t count_include_pad);
/** Training-mode inverted dropout: zeroes each element of x with probability p (0 ≤ p ≤ 1; element i is kept
 *  when the global generator's i-th uniform draw is ≥ p) and scales the rest by 1/(1−p). The gradient uses the
 *  same mask. Evaluation mode is the identity: the caller skips this call. */
ph_status ph_dropout(ph_tensor **out, const ph_tensor *x, float p);
/** Embedding lookup: the rows of weight (num_embeddings, dim) at `count` indices (each in [0, num_embeddings))
 *  laid out row-major in `index_shape` (`index_ndim` dims whose product is `count`) → index_shape + (dim,). The
 *  gradient scatter-adds into the rows; row `padding_idx` (in [0, num_embeddings), or -1 for none) gets none.
 *  An index out of range is PH_ERROR_INDEX. */
ph_status ph_embedding(ph_tensor **out, const ph_tensor *weight, const int64_t *indices, int64_t count,
                       const int64_t *index_shape, int32_t index_ndim, int64_t padding_idx);
/** Creates the weight of an Embedding layer: (num_embeddings, embedding_dim) standard-normal samples from the
 *  global generator (PyTorch's init), with row `padding_idx` (in [0, num_embeddings), or -1 for none) zeroed.
 *  Requires grad. */
ph_status ph_embedding_init(ph_tensor **out, int64_t num_embeddings, int64_t embedding_dim, int64_t padding_idx);
/** Layer normalization of x over its trailing dims, which must equal normalized_shape[0..<normalized_ndim]
 *  (normalized_ndim ≥ 1): per slice, (x − mean) / √(biased var + eps), then · weight + bias (each shaped
 *  normalized_shape, or NULL). eps ≥ 0. */
ph_status ph_layer_norm(ph_tensor **out, const ph_tensor *x, const int64_t *normalized_shape, int32_t normalized_ndim,
                        const ph_tensor *weight, const ph_tensor *bias, float eps);
/** Batch normalization of x (N, C, *) per channel, then · weight + bias (each (C) or NULL). With `training` 1 the
 *  batch mean and biased variance are used (more than one value per channel needed) and, when given, the (C)
 *  buffers running_mean and running_var are updated in place: running = (1 − momentum)·running + momentum·batch,
 *  with the unbiased batch variance for running_var. With `training` 0 both buffers are required and used as
 *  constants. eps ≥ 0, momentum finite. */
ph_status ph_batch_norm(ph_tensor **out, const ph_tensor *x, ph_tensor *running_mean, ph_tensor *running_var,
                        const ph_tensor *weight, const ph_tensor *bias, int32_t training, float momentum, float eps);
/** GELU of x elementwise, exact (PH_GELU_NONE) or tanh-approximated (PH_GELU_TANH). */
ph_status ph_gelu(ph_tensor **out, const ph_tensor *x, int32_t approximate);
/** x for x > 0, else negative_slope·x, elementwise (finite slope; the derivative at 0 is negative_slope). */
ph_status ph_leaky_relu(ph_tensor **out, const ph_tensor *x, float negative_slope);
/** x for x > 0, else alpha·(e^x − 1), elementwise (finite alpha). */
ph_status ph_elu(ph_tensor **out, const ph_tensor *x, float alpha);


/* ---- Keras-style models and training ------------------------------------------------------------------------
 * A ph_model is a functional graph built from a Keras-like JSON config; a ph_trainer runs fit/evaluate on it
 * entirely inside the library (batching, shuffling, forward, losses, multi-task method, optimizer, metrics), so
 * a caller can release its own locks for the whole call. The config, compile and fit JSON formats are described
 * in Sources/Polyhead/Training (GraphModel, Trainer, FitOptions). */

/** RMSprop over `count` parameters (retained) with torch.optim.RMSprop's rule: v = alpha·v + (1 − alpha)·g²
 *  (g including weight_decay·p), step g / (√v + eps) — or Keras's g / √(v + eps) with eps_inside_sqrt — with
 *  optional momentum and `centered` (v minus the squared running mean gradient). 0 ≤ alpha ≤ 1, eps,
 *  weight_decay, momentum ≥ 0. */
ph_status ph_optimizer_rmsprop_new(ph_optimizer **out, ph_tensor *const *parameters, int32_t count, float lr,
                                   float alpha, float eps, float weight_decay, float momentum, int32_t centered,
                                   int32_t eps_inside_sqrt);
/** Adagrad over `count` parameters (retained) with torch.optim.Adagrad's rule: g = grad + weight_decay·p;
 *  s = s + g² (s starting at initial_accumulator_value); p = p − lr / (1 + (t − 1)·lr_decay) · g / (√s + eps),
 *  t the parameter's update count. lr_decay, weight_decay, initial_accumulator_value, eps ≥ 0. */
ph_status ph_optimizer_adagrad_new(ph_optimizer **out, ph_tensor *const *parameters, int32_t count, float lr,
                                   float lr_decay, float weight_decay, float initial_accumulator_value, float eps);
/** Writes the number of state buffers each parameter of the optimizer has (its slots: SGD with momentum 1 —
 *  the momentum buffer —, Adam 2 — exp_avg, exp_avg_sq —, RMSprop square_avg[, grad_avg][, momentum_buffer],
 *  Adagrad 1 — sum). */
ph_status ph_optimizer_state_slot_count(int32_t *out, const ph_optimizer *optimizer);
/** Writes a new tensor holding a copy of state buffer `slot` of parameter `parameter`, shaped like it. */
ph_status ph_optimizer_state(ph_tensor **out, const ph_optimizer *optimizer, int32_t slot, int32_t parameter);
/** Copies `value` (shaped like the parameter) into state buffer `slot` of parameter `parameter`. */
ph_status ph_optimizer_set_state(ph_optimizer *optimizer, int32_t slot, int32_t parameter, const ph_tensor *value);
/** Writes how many updates parameter `parameter` has received (torch's per-parameter "step"). */
ph_status ph_optimizer_parameter_step(int64_t *out, const ph_optimizer *optimizer, int32_t parameter);
/** Restores parameter `parameter`'s update count, 0 ≤ step ≤ INT32_MAX (bias correction, first-step rules). */
ph_status ph_optimizer_set_parameter_step(ph_optimizer *optimizer, int32_t parameter, int64_t step);
/** Restores how many times the optimizer has stepped (ph_optimizer_step_count; Keras's iterations), ≥ 0. */
ph_status ph_optimizer_set_step_count(ph_optimizer *optimizer, int64_t count);

/** Opaque Keras-style model. */
typedef struct ph_model ph_model;
/** Opaque training loop over one model, one optimizer and optionally one multi-task method (all retained). */
typedef struct ph_trainer ph_trainer;

/** Events reported to a ph_fit_callback. */
enum { PH_EVENT_TRAIN_BEGIN = 0, PH_EVENT_EPOCH_BEGIN = 1, PH_EVENT_BATCH_END = 2, PH_EVENT_EPOCH_END = 3,
       PH_EVENT_TRAIN_END = 4 };

/** Progress callback of ph_trainer_fit, called on the fitting thread: `count` logs as parallel arrays of names
 *  and values (valid during the call only; at a batch end the epoch's running means, at an epoch end the full
 *  epoch logs with validation). Return non-zero to stop training after the current batch. */
typedef int32_t (*ph_fit_callback)(void *context, int32_t event, int64_t epoch, int64_t batch, int32_t count,
                                   const char *const *names, const double *values);

/** Builds a model from its JSON config (inputs with names and per-sample shapes; layers with class_name, name,
 *  config and inbound names; ordered outputs). Weights are initialised from the global generator. Malformed
 *  configs are PH_ERROR_VALUE naming the problem. Free with ph_model_free. */
ph_status ph_model_new(ph_model **out, const char *config_json);
/** As ph_model_call, with the frozen_count layers named frozen_names in inference mode even when training (a
 *  BatchNormalization whose trainable is false uses and keeps its moving statistics, as Keras). */
ph_status ph_model_call_frozen(ph_tensor **outputs, const ph_model *model, ph_tensor *const *inputs, int32_t input_count,
                               int32_t training, const char *const *frozen_names, int32_t frozen_count);
/** Keras's per-sample losses (keras.losses.<name>(y_true, y_pred)): loss_json is {"loss": "mse", "from_logits":
 *  false, "delta": 1.0} (the last two optional); the result is (N,) for cross-entropies, else y_pred's shape
 *  without its last axis (the elementwise losses averaged over it). Not recorded for autodiff. */
ph_status ph_keras_loss_per_sample(ph_tensor **out, const char *loss_json, const ph_tensor *y_true,
                                   const ph_tensor *y_pred);
/** As ph_model_new, but the count weights named names[i] ("<layer>/kernel", "<layer>/moving_mean", ...) are
 *  tensors[i] (retained, shared with their owner) instead of new ones: a model over layers of another model
 *  shares their weights. A name the model lacks, one given twice, or another shape is PH_ERROR_VALUE. */
ph_status ph_model_new_sharing(ph_model **out, const char *config_json, const char *const *names,
                               ph_tensor *const *tensors, int32_t count);
ph_status ph_model_free(ph_model *model);
/** The number of inputs, outputs and weights of a model; the weights are the trainable ones followed by the
 *  non-trainable state (BatchNormalization's moving statistics), whose number is weight minus trainable. */
ph_status ph_model_input_count(int32_t *out, const ph_model *model);
ph_status ph_model_output_count(int32_t *out, const ph_model *model);
ph_status ph_model_weight_count(int32_t *out, const ph_model *model);
ph_status ph_model_trainable_weight_count(int32_t *out, const ph_model *model);
/** Weight `index` as a +1 tensor handle (the live weight, shared with the model) and its Keras-style name
 *  ("<layer>/kernel", "<layer>/bias", "<layer>/moving_mean"…; valid while the model lives). */
ph_status ph_model_weight(ph_tensor **out, const char **name, const ph_model *model, int32_t index);
/** Runs the model on `input_count` inputs (one per model input, batch first) and writes one +1 tensor per
 *  output into `outputs` (an array of ph_model_output_count entries). With `training` non-zero dropout is active
 *  and the graph is recorded for backward when the weights require grad. */
ph_status ph_model_call(ph_tensor **outputs, const ph_model *model, ph_tensor *const *inputs, int32_t input_count,
                        int32_t training);
/** Like ph_model_call in evaluation mode without gradients, in batches of batch_size ≥ 1 rows. */
ph_status ph_model_predict(ph_tensor **outputs, const ph_model *model, ph_tensor *const *inputs,
                           int32_t input_count, int64_t batch_size);

/** Compiles a trainer: compile_json is {"outputs": [{"loss": "categorical_crossentropy", "from_logits": false,
 *  "delta": 1.0, "loss_weight": 1.0, "metrics": ["accuracy"]}, ...], "frozen": ["layer", ...]} with one entry
 *  per output; the optimizer must update every weight of the layers not frozen (and the method's
 *  parameters); method may be NULL. */
ph_status ph_trainer_new(ph_trainer **out, ph_model *model, const char *compile_json, ph_optimizer *optimizer,
                         ph_mtl_method *method);
ph_status ph_trainer_free(ph_trainer *trainer);
/** Trains on inputs/targets (one per model input/output, same number of rows) with optional per-output masks
 *  (`masks` NULL, or target_count entries each NULL or an (N) weight tensor; 0 = missing label) and optional
 *  validation data (val_input_count 0 for none; then fit_json's validation_split may hold out the last rows).
 *  fit_json: {"epochs": 1, "batch_size": 32, "shuffle": true, "validation_split": 0.0}. callback may be NULL.
 *  On success *history_json is {"epochs": n, "stopped": bool, "history": {"loss": [...], ...}} (keys in Keras
 *  order; NaN written as NaN), valid until the next call on this trainer. */
ph_status ph_trainer_fit(const char **history_json, ph_trainer *trainer, ph_tensor *const *inputs,
                         int32_t input_count, ph_tensor *const *targets, int32_t target_count,
                         ph_tensor *const *masks, ph_tensor *const *val_inputs, int32_t val_input_count,
                         ph_tensor *const *val_targets, int32_t val_target_count, ph_tensor *const *val_masks,
                         const char *fit_json, ph_fit_callback callback, void *context);
/** Evaluates losses and metrics in batches; *logs_json is an ordered object {"loss": x, "<output>_loss": ...},
 *  valid until the next call on this trainer. */
ph_status ph_trainer_evaluate(const char **logs_json, ph_trainer *trainer, ph_tensor *const *inputs,
                              int32_t input_count, ph_tensor *const *targets, int32_t target_count,
                              ph_tensor *const *masks, int64_t batch_size);

#ifdef __cplusplus
}
#endif
#endif /* POLYHEAD_H */
