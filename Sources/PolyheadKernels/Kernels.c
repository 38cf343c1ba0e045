#include "PolyheadKernels.h"

// No fused multiply-adds: the results must match the reference formulas (and PyTorch) bit for bit on
// every architecture, as the Swift code they replace did.
#pragma STDC FP_CONTRACT OFF

// The package is built for baseline x86-64 (4-wide SSE). On x86-64 Linux the loops below are also compiled
// for AVX2 and picked at load time (an ifunc): 8-wide square roots and divisions halve Adam's time (0.8 →
// 0.4 ns per element). AVX2 without FMA rounds every operation as SSE does, so the results are the same.
#if defined(__x86_64__) && defined(__linux__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define PH_VECTORISED __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef PH_VECTORISED
#define PH_VECTORISED
#endif

PH_VECTORISED void ph_adam_update(float *restrict parameter, const float *restrict gradient, float *restrict m,
                                  float *restrict v, size_t count, ph_adam_constants c) {
    for (size_t i = 0; i < count; i++) {
        float theta = parameter[i];
        float g = gradient[i] + c.l2 * theta;
        float mi = c.beta1 * m[i] + (1 - c.beta1) * g;
        float vi = c.beta2 * v[i] + (1 - c.beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        parameter[i] = theta * c.shrink - c.step_size * mi / (__builtin_elementwise_sqrt(vi) / c.root_correction + c.epsilon);
    }
}

/// Columns summed at once: their accumulators fit in the vector registers.
enum { column_tile = 32 };

PH_VECTORISED void ph_add_column_sums(const float *restrict source, size_t rows, size_t columns, size_t first,
                                      size_t last, float *restrict sums) {
    size_t start = first;
    for (; start + column_tile <= last; start += column_tile) {
        float tile[column_tile];
        for (size_t k = 0; k < column_tile; k++) tile[k] = sums[start + k];
        for (size_t row = 0; row < rows; row++) {
            const float *line = source + row * columns + start;
            for (size_t k = 0; k < column_tile; k++) tile[k] += line[k];
        }
        for (size_t k = 0; k < column_tile; k++) sums[start + k] = tile[k];
    }
    for (size_t row = 0; start < last && row < rows; row++) {
        const float *line = source + row * columns;
        for (size_t j = start; j < last; j++) sums[j] += line[j];
    }
}
