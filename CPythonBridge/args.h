/*
 * args.h — converting positional Python arguments to C values.
 *
 * Every converter names the function and the argument in its error ("sum(): argument 'axis' must be
 * int, not float") and returns 0 on success, -1 with an exception set on failure.
 */
#ifndef POLYHEAD_ARGS_H
#define POLYHEAD_ARGS_H

#include "core.h"

/** Checks that a function got between `min` and `max` positional arguments (TypeError otherwise). */
int check_nargs(const char *fname, Py_ssize_t nargs, Py_ssize_t min, Py_ssize_t max);

/** Raises "fname(): argument 'argname' must be <expected>, not <type of obj>" (TypeError); returns -1. */
int arg_type_error(const char *fname, const char *argname, const char *expected, PyObject *obj);

/** An int (anything with __index__) that fits in int32 / int64 (OverflowError otherwise). */
int arg_int32(PyObject *obj, const char *fname, const char *argname, int32_t *out);
int arg_int64(PyObject *obj, const char *fname, const char *argname, int64_t *out);
/** A 64-bit seed: an int in [-2**63, 2**64); negative values wrap like torch.manual_seed. */
int arg_seed(PyObject *obj, const char *fname, const char *argname, uint64_t *out);
/** A real number (int, float or anything with __float__). */
int arg_double(PyObject *obj, const char *fname, const char *argname, double *out);
int arg_float(PyObject *obj, const char *fname, const char *argname, float *out);
/** A truth value (bool(obj)) as 0 or 1. */
int arg_flag(PyObject *obj, const char *fname, const char *argname, int32_t *out);

/** A list of int64 with inline room for the common short case (shapes, split sizes). */
typedef struct {
    int64_t *values;     /* `inline_values` or a PyMem block */
    int32_t count;
    int64_t inline_values[8];
} int64_list;

/** Makes room for `count` values (count ≤ INT32_MAX); release with int64_list_release. */
int int64_list_init(int64_list *list, Py_ssize_t count);
/** Frees the storage of a list filled by int64_list_init / arg_int64_list (safe to call twice). */
void int64_list_release(int64_list *list);
/** A sequence of ints (tuple, list, any non-string sequence) → int64_list. */
int arg_int64_list(PyObject *obj, const char *fname, const char *argname, int64_list *out);

/** A sequence of `_core.Tensor` objects → array of borrowed handles, kept alive by `items`. */
typedef struct {
    PyObject *items;     /* a tuple holding a reference to every tensor while the handles are used */
    ph_tensor **handles; /* `inline_handles` or a PyMem block */
    int32_t count;
    ph_tensor *inline_handles[8];
} tensor_list;

int arg_tensor_list(core_state *state, PyObject *obj, const char *fname, const char *argname,
                    tensor_list *out);
void tensor_list_release(tensor_list *list);

/** A sequence of str → array of UTF-8 pointers owned by `items` (a tuple copy of the sequence). */
typedef struct {
    PyObject *items;
    const char **values;
    int32_t count;
} string_list;

int arg_string_list(PyObject *obj, const char *fname, const char *argname, string_list *out);
void string_list_release(string_list *list);

/** A str argument as UTF-8 owned by `obj` (valid while obj lives); NULL + TypeError (not a str) or
 *  ValueError (contains NUL) naming the argument. */
const char *utf8_arg(PyObject *obj, const char *fname, const char *argname);

#endif /* POLYHEAD_ARGS_H */
