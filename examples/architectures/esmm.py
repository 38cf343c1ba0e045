"""ESMM on synthetic impressions: clicks depend on one feature, conversions (after a click) on another. ESMM
only ever fits pCTR (clicks) and pCTCVR (click-and-convert) over all impressions, yet its pCVR recovers the
true conversion rate — including on impressions that were never clicked, where a CVR model trained on
clicked samples only is biased.

Run:  python examples/architectures/esmm.py
"""
import numpy as np

import polyhead as ph
from polyhead import mtl, nn, optim
import polyhead.nn.functional as F

rng = np.random.default_rng(0)
n = 20_000
x = rng.standard_normal((n, 8)).astype(np.float32)
p_click = 1 / (1 + np.exp(-(2 * x[:, :1] - 1)))
p_convert = 1 / (1 + np.exp(-(1.5 * x[:, 1:2] - 0.5 * x[:, :1])))     # depends on the click feature too
click = (rng.random((n, 1)) < p_click).astype(np.float32)
convert = click * (rng.random((n, 1)) < p_convert).astype(np.float32)

ph.manual_seed(0)
model = mtl.ESMM(nn.Sequential(nn.Linear(8, 32), nn.ReLU()), nn.Linear(32, 1), nn.Linear(32, 1))
opt = optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(8):
    for start in range(0, n, 256):
        rows = slice(start, start + 256)
        out = model(ph.tensor(x[rows]))
        loss = F.binary_cross_entropy(out["ctr"], click[rows]) + F.binary_cross_entropy(out["ctcvr"], convert[rows])
        opt.zero_grad()
        loss.backward()
        opt.step()

with ph.no_grad():
    out = model(ph.tensor(x))
unclicked = click[:, 0] == 0
print(f"mean |pCTR - true|:                 {np.abs(out['ctr'].numpy() - p_click).mean():.3f}")
print(f"mean |pCVR - true| (all):           {np.abs(out['cvr'].numpy() - p_convert).mean():.3f}")
print(f"mean |pCVR - true| (never clicked): {np.abs(out['cvr'].numpy() - p_convert)[unclicked].mean():.3f}")
