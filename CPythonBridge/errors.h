/*
 * errors.h — the one place where a ph_status becomes a Python exception.
 */
#ifndef POLYHEAD_ERRORS_H
#define POLYHEAD_ERRORS_H

#include "core.h"

/**
 * Raises the exception for a failed C-ABI call and returns NULL.
 *
 * value → ValueError, type → TypeError, index → IndexError, memory → MemoryError, io → OSError,
 * anything else → RuntimeError; the message is ph_last_error() (or the status name if that is empty).
 * Must be called on the thread that made the failing call (the message is thread-local), with the GIL held.
 * Always leaves an exception set, even for PH_OK (then SystemError: a bug in the bridge).
 */
PyObject *raise_from_status(ph_status status);

#endif /* POLYHEAD_ERRORS_H */
