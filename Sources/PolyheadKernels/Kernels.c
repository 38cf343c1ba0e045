#include "PolyheadKernels.h"

// No fused multiply-adds: the results must match the reference formulas (and PyTorch) bit for bit on
// every architecture, as the Swift code they replace did.
#pragma STDC FP_CONTRACT OFF

void ph_adam_update(float *restrict parameter, const float *restrict gradient, float *restrict m,
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
