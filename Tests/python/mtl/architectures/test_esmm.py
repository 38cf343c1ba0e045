import numpy as np

import polyhead as ph
from polyhead import mtl, nn
import polyhead.nn.functional as F


def make(hidden=3):
    return mtl.ESMM(nn.Sequential(nn.Linear(4, hidden), nn.ReLU()), nn.Linear(hidden, 1), nn.Linear(hidden, 1))


def test_outputs_are_probabilities_with_ctcvr_the_product():
    model = make()
    out = model(ph.randn(6, 4))
    assert list(out) == ["ctr", "ctcvr", "cvr"] and model.tasks == ["ctr", "ctcvr"]
    ctr, ctcvr, cvr = (out[k].detach().numpy() for k in ("ctr", "ctcvr", "cvr"))
    assert ctr.shape == ctcvr.shape == cvr.shape == (6, 1)
    assert ((ctr > 0) & (ctr < 1) & (cvr > 0) & (cvr < 1)).all()
    np.testing.assert_array_equal(ctcvr, ctr * cvr)


def test_partition(check_partition):
    check_partition(make(), (2, 4), shared=["shared.0.weight", "shared.0.bias", "ctr.weight", "ctr.bias"],
                    tasks={"ctr": [], "ctcvr": ["cvr.weight", "cvr.bias"]}, scalars=15 + 4 + 4)


def test_gradients_against_numpy_float64(check_model_gradients, ref):
    def reference(p, x):
        h = ref.relu(ref.linear(x, p, "shared.0"))
        ctr, cvr = ref.sigmoid(ref.linear(h, p, "ctr")), ref.sigmoid(ref.linear(h, p, "cvr"))
        return [ctr, ctr * cvr, cvr]

    check_model_gradients(make(), (3, 4), reference)


def test_entire_space_training_recovers_cvr():
    """Trained only on clicks and click-and-convert over all impressions, pCVR approaches the true
    conversion rate, which was never a training target."""
    ph.manual_seed(1)
    x = ph.randn(256, 4)
    rows = x.detach().numpy()
    p_click, p_convert = 1 / (1 + np.exp(-2 * rows[:, :1])), 1 / (1 + np.exp(-2 * rows[:, 1:2]))
    model = make(hidden=16)
    opt = ph.optim.Adam(model.parameters(), lr=0.03)
    for _ in range(300):
        out = model(x)
        loss = F.binary_cross_entropy(out["ctr"], p_click) + F.binary_cross_entropy(out["ctcvr"], p_click * p_convert)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert np.abs(model(x)["cvr"].detach().numpy() - p_convert).mean() < 0.05


def test_seeded_reproducibility(check_reproducible):
    check_reproducible(make, (2, 4))
