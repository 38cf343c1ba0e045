"""Missing labels: ``mask=`` on every loss, ``ignore_index`` and NaN class labels in cross_entropy."""

import numpy as np
import pytest

import polyhead as ph
import polyhead.nn.functional as F
from polyhead import nn


def test_mse_mask_matches_loss_over_labelled_rows_and_skips_nan_targets():
    x = ph.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
    loss = F.mse_loss(x, np.array([[0.0], [np.nan], [1.0]], dtype=np.float32), mask=[1, 0, 1])
    assert loss.item() == pytest.approx((1 + 4) / 2)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy().ravel(), [1.0, 0.0, 2.0])


def test_all_missing_gives_zero_loss_and_zero_grad():
    z = ph.tensor([[0.3], [-2.0]], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(z, [[np.nan], [np.nan]], mask=np.zeros(2))
    assert loss.item() == 0.0
    loss.backward()
    assert np.all(z.grad.numpy() == 0)


@pytest.mark.parametrize("missing", [-100, float("nan")])
def test_cross_entropy_missing_labels_match_the_loss_over_the_rest(missing):
    logits = np.array([[1.0, 2.0, 0.5], [0.0, 0.0, 9.0], [2.0, -1.0, 0.0]], dtype=np.float32)
    labels = np.array([1, missing, 0], dtype=np.float64 if missing != -100 else np.int64)
    x = ph.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(x, labels)
    kept = logits[[0, 2]]
    log_p = kept - np.log(np.exp(kept).sum(axis=1, keepdims=True))
    assert loss.item() == pytest.approx(-(log_p[0, 1] + log_p[1, 0]) / 2, rel=1e-6)
    loss.backward()
    assert np.all(x.grad.numpy()[1] == 0)


def test_loss_modules_take_a_mask_and_masks_are_validated():
    criterion = nn.MSELoss()
    assert criterion(ph.tensor([1.0, 5.0]), ph.tensor([0.0, 0.0]), mask=[1.0, 0.0]).item() == 1.0
    with pytest.raises(ValueError, match="2 values for 3 samples"):
        F.l1_loss(ph.zeros(3), ph.zeros(3), mask=[1, 1])
    with pytest.raises(ValueError, match="mask values must be finite"):
        F.l1_loss(ph.zeros(2), ph.zeros(2), mask=[1, -1])
    with pytest.raises(IndexError):
        F.cross_entropy(ph.zeros(2, 3), [0, 7])
