/*
 * mtl.h — the `_core.MtlMethod` type (a multi-task weighting or gradient method made by name).
 */
#ifndef POLYHEAD_MTL_H
#define POLYHEAD_MTL_H

#include "core.h"

/** Creates the heap type `_core.MtlMethod` (not subclassable, made only by mtl_method()), adds it to
 *  `module` and stores it in the state. */
int mtl_method_type_add(PyObject *module, core_state *state);

#endif /* POLYHEAD_MTL_H */
