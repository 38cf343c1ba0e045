"""torch's optional loss arguments over the core losses: class ``weight`` and ``label_smoothing`` of
``cross_entropy``/``nll_loss``, elementwise ``weight`` and ``pos_weight`` of the binary cross-entropies.
The terms are core ops (autodiff included); missing samples (``mask``, ``ignore_index``) count as the core
losses count them."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .. import _core
from .._convert import as_tensor

__all__ = ["class_weighted", "smoothing_term", "reduce_elementwise", "finite_target"]

_shape = _core.Tensor.shape.__get__


def class_weighted(indices: np.ndarray, weights: Optional[_core.Tensor], weight: Any, classes: int,
                   function: str) -> Optional[_core.Tensor]:
    """The per-sample weights times ``weight[target]`` (torch's class weights: a 'mean' then divides by the
    summed weights of the targets, as the core's masked mean does)."""
    if weight is None:
        return weights
    values = np.asarray(as_tensor(weight, "weight"), dtype=np.float32).reshape(-1)
    if values.size != classes:
        raise ValueError(f"{function}: weight must hold one value per class ({classes}), got {values.size}")
    per_sample = values[indices]
    if weights is not None:
        per_sample = per_sample * np.asarray(weights, dtype=np.float32).reshape(-1)
    return as_tensor(np.ascontiguousarray(per_sample), "mask")


def smoothing_term(log_probabilities: _core.Tensor, weights: Optional[_core.Tensor], code: int) -> _core.Tensor:
    """The uniform-target part of label smoothing, ``-mean_c log p_c`` per sample, reduced like the loss
    (it is ≥ 0, so the core's L1 loss against 0 reduces it with the same masks)."""
    uniform = _core.neg(_core.mean(log_probabilities, 1, 0))
    return _core.l1_loss(uniform, _core.full(_shape(uniform), 0.0), weights, code)


def finite_target(target: Any, mask: Any) -> _core.Tensor:
    """``target`` as a tensor, with the NaN labels of masked samples read as 0 (they are multiplied by 0)."""
    tensor = as_tensor(target, "target")
    if mask is None:
        return tensor
    return as_tensor(np.nan_to_num(np.asarray(tensor, dtype=np.float32)), "target")


def reduce_elementwise(values: _core.Tensor, weights: Optional[_core.Tensor], reduction: str) -> _core.Tensor:
    """Reduces an elementwise loss whose masked samples are already 0 as the core losses reduce: 'mean'
    divides by the number of elements of the labelled samples (0 when there are none)."""
    if reduction == "none":
        return values
    total = _core.sum_all(values)
    if reduction == "sum":
        return total
    shape = _shape(values)
    count = float(np.prod(shape))
    if weights is not None and shape:
        count = float(np.asarray(weights).sum()) * count / shape[0]
    return _core.mul(total, _core.full((), 0.0 if count == 0 else 1.0 / count))
