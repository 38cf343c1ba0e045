// Element-wise update rules of the optimizers, in C so that the square root vectorises: Swift lowers
// `SIMD8<Float>.squareRoot()` to eight scalar square roots, while clang's `__builtin_elementwise_sqrt`
// becomes the vector instruction. Polyhead's Swift optimizers call these; they are not part of the C ABI.
#ifndef POLYHEAD_KERNELS_H
#define POLYHEAD_KERNELS_H

#include <stddef.h>

/// The constants of one Adam(W) step (see `Adam` in Sources/Polyhead/Optimizers/Adam.swift).
typedef struct {
    float beta1, beta2;
    float l2;              ///< weight decay added to the gradient (Adam), else 0
    float shrink;          ///< 1 − ηλ for AdamW's decoupled decay, else 1
    float step_size;       ///< η / (1 − β₁ᵗ)
    float root_correction; ///< √(1 − β₂ᵗ)
    float epsilon;
} ph_adam_constants;

/// Applies one Adam(W) step to `count` elements: updates the moments `m`, `v` and `parameter` in place.
/// The arrays must not overlap.
void ph_adam_update(float *parameter, const float *gradient, float *m, float *v, size_t count,
                    ph_adam_constants constants);

#endif
