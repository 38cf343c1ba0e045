"""End to end on the synthetic data of the MMoE paper (Ma et al., KDD 2018, §4.2): two regression tasks whose
relatedness is set by the cosine ρ of their weight vectors.

Generation, as the paper describes it: orthonormal u₁, u₂ ∈ ℝᵈ; w₁ = c·u₁, w₂ = c·(ρ·u₁ + √(1−ρ²)·u₂);
x ~ N(0, I_d); y_i = w_iᵀx + Σ_{j=1}^{m} sin(α_j w_iᵀx + β_j) + ε_i with shared α_j, β_j ~ N(0, 1) and
ε ~ N(0, 0.01) (std 0.1). Here d = 100, c = 1, m = 10 (the paper does not state c and m; public
reimplementations use c ∈ {0.3, 1}, m ∈ {5, 10}).

Models (parameter-matched, the paper's synthetic setup): MMoE with 8 experts of one 16-unit ReLU layer
and towers 16→8→1; hard sharing with one 128-unit ReLU layer (the same 12,928 parameters as the experts)
and towers 128→8→1. Adam (lr 2e-3), batch 128, 5 epochs over 50,000 samples, test on 5,000.

Measured with this budget (50,000 training samples, seeds 0–15 at ρ = 0.5, 0–7 at ρ = 1): MMoE had the lower
test loss in 15 of 16 seeds at ρ = 0.5 (one tie) — but also in 7 of 8 at ρ = 1, by a similar margin, so here
MMoE simply trains better than the wide shared bottom; the paper's growing gap as ρ falls does not show. With
a two-layer shared bottom narrowed to a 16-wide representation the comparison is a coin flip (4 of 8 at
ρ = 0.5), and with 10,000 samples it is too. The test pins the setting above and checks seeds 0–2.
"""

import numpy as np
import pytest

import polyhead as ph
from polyhead import mtl, nn, optim
import polyhead.nn.functional as F


def synthetic_tasks(n, rho, seed, d=100, c=1.0, m=10, noise=0.1):
    """``(x, y1, y2)`` float32 arrays generated as in the paper (see the module docstring); also returns w₁, w₂."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((d, 2)))
    u1, u2 = q[:, 0], q[:, 1]
    w1, w2 = c * u1, c * (rho * u1 + np.sqrt(1 - rho ** 2) * u2)
    alpha, beta = rng.standard_normal(m), rng.standard_normal(m)
    x = rng.standard_normal((n, d))

    def label(w):
        z = x @ w
        return z + np.sin(np.outer(z, alpha) + beta).sum(axis=1) + noise * rng.standard_normal(n)

    y1, y2 = label(w1), label(w2)
    return x.astype(np.float32), y1.astype(np.float32)[:, None], y2.astype(np.float32)[:, None], (w1, w2)


def test_generator_follows_the_paper():
    for rho in (-0.5, 0.0, 0.5, 0.9, 1.0):
        _, y1, y2, (w1, w2) = synthetic_tasks(2000, rho, seed=3, m=0, noise=0.0)
        assert np.isclose(np.linalg.norm(w1), 1) and np.isclose(np.linalg.norm(w2), 1)
        assert np.isclose(w1 @ w2, rho)
        # Without the sine terms the labels are w_iᵀx, whose correlation is ρ.
        assert abs(np.corrcoef(y1.ravel(), y2.ravel())[0, 1] - rho) < 0.05
    # With them, the label correlation still grows with ρ (the paper's observation), averaged over draws.
    correlation = [np.mean([np.corrcoef(*[y.ravel() for y in synthetic_tasks(5000, rho, s)[1:3]])[0, 1]
                            for s in range(4)]) for rho in (0.0, 0.5, 0.9, 1.0)]
    assert np.all(np.diff(correlation) > 0), correlation


def _tower(width):
    return nn.Sequential(nn.Linear(width, 8), nn.ReLU(), nn.Linear(8, 1))


def _model(kind, d=100):
    if kind == "mmoe":
        return mtl.MMoE(d, [nn.Sequential(nn.Linear(d, 16), nn.ReLU()) for _ in range(8)],
                        {"y1": _tower(16), "y2": _tower(16)})
    return mtl.HardSharing(nn.Sequential(nn.Linear(d, 128), nn.ReLU()), {"y1": _tower(128), "y2": _tower(128)})


def _test_loss(kind, rho, seed, n_train=50_000, n_test=5_000, epochs=5, batch=128, lr=2e-3):
    x, y1, y2, _ = synthetic_tasks(n_train + n_test, rho, seed)
    ph.manual_seed(seed)
    model = _model(kind)
    opt = optim.Adam(model.parameters(), lr=lr)
    order_rng = np.random.default_rng(seed + 1)
    for _ in range(epochs):
        order = order_rng.permutation(n_train)
        for start in range(0, n_train, batch):
            rows = order[start:start + batch]
            out = model(ph.tensor(x[rows]))
            loss = F.mse_loss(out["y1"], y1[rows]) + F.mse_loss(out["y2"], y2[rows])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with ph.no_grad():
        out = model(ph.tensor(x[n_train:]))
        return F.mse_loss(out["y1"], y1[n_train:]).item() + F.mse_loss(out["y2"], y2[n_train:]).item()


def test_mmoe_beats_hard_sharing_at_low_correlation():
    """ρ = 0.5, seeds 0, 1, 2: MMoE's mean test loss is lower and it wins in at least 2 of the 3 seeds; both
    models learn (test MSE well below the label variance ≈ 1.3 per task)."""
    results = [(_test_loss("hard", 0.5, seed), _test_loss("mmoe", 0.5, seed)) for seed in range(3)]
    hard, mmoe = np.array(results).T
    assert np.all(mmoe < 1.0) and np.all(hard < 1.0), results
    assert mmoe.mean() < hard.mean(), results
    assert np.sum(mmoe < hard) >= 2, results
