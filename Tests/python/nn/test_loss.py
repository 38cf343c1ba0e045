"""Loss modules equal their functional forms for every reduction."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
import polyhead.nn.functional as F
from polyhead import nn

rng = np.random.default_rng(3)
LOGITS = rng.standard_normal((6, 4)).astype(np.float32)
PROBS = rng.uniform(0.05, 0.95, (6, 1)).astype(np.float32)
BINARY = (rng.uniform(size=(6, 1)) > 0.5).astype(np.float32)
LABELS = np.array([0, 3, 1, 1, 2, 0])

CASES = [
    (nn.MSELoss, F.mse_loss, LOGITS, LOGITS[::-1].copy()),
    (nn.L1Loss, F.l1_loss, LOGITS, LOGITS[::-1].copy()),
    (nn.BCELoss, F.binary_cross_entropy, PROBS, BINARY),
    (nn.BCEWithLogitsLoss, F.binary_cross_entropy_with_logits, LOGITS[:, :1].copy(), BINARY),
    (nn.CrossEntropyLoss, F.cross_entropy, LOGITS, LABELS),
    (nn.NLLLoss, F.nll_loss, LOGITS, LABELS),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("module,function,x,target", CASES)
def test_module_equals_functional(module, function, x, target, reduction):
    a = module(reduction=reduction)(ph.tensor(x), target)
    b = function(ph.tensor(x), target, reduction=reduction)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert a.shape == (() if reduction != "none" else a.shape)


def test_default_reduction_is_mean_and_repr():
    loss = nn.MSELoss()
    assert loss.reduction == "mean" and repr(loss) == "MSELoss()"
    assert loss(ph.tensor([1.0, 3.0]), ph.zeros(2)).item() == pytest.approx(5.0)


def test_reduction_none_keeps_per_sample_shape():
    assert nn.CrossEntropyLoss(reduction="none")(ph.tensor(LOGITS), LABELS).shape == (6,)
    assert nn.BCEWithLogitsLoss(reduction="none")(ph.tensor(LOGITS[:, :1].copy()), BINARY).shape == (6, 1)


def test_bad_reduction_at_construction():
    with pytest.raises(ValueError, match="valid"):
        nn.MSELoss(reduction="average")
