/*
 * optim.h — the `_core.Optimizer` type (SGD, Adam, AdamW over a list of parameter tensors).
 */
#ifndef POLYHEAD_OPTIM_H
#define POLYHEAD_OPTIM_H

#include "core.h"

/** Creates the heap type `_core.Optimizer` (not subclassable, made only by sgd()/adam()), adds it to
 *  `module` and stores it in the state. */
int optimizer_type_add(PyObject *module, core_state *state);

#endif /* POLYHEAD_OPTIM_H */
