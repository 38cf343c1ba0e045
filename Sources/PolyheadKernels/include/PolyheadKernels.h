// Inner loops of Polyhead's Swift core written in C where clang vectorises them and Swift does not: the
// optimizers' update rules (Swift lowers `SIMD8<Float>.squareRoot()` to eight scalar square roots, clang's
// `__builtin_elementwise_sqrt` to the vector instruction) and column sums (accumulators kept in registers).
// Only the Swift core calls these; they are not part of the C ABI.
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

/// Adds the columns `first..<last` of the row-major `rows × columns` matrix `source` into `sums[first..<last]`,
/// row after row (each sum in the same order as a plain loop over the rows).
void ph_add_column_sums(const float *source, size_t rows, size_t columns, size_t first, size_t last, float *sums);

#endif
