"""``polyhead.nn.functional``: activations, ``linear``, convolution, pooling, dropout, embedding,
normalization and losses as functions (torch names and semantics).

Losses take ``reduction='mean' | 'sum' | 'none'``. Class targets (``cross_entropy``, ``nll_loss``) may be a
tensor of integral floats, an integer numpy array or a list; other targets may be tensors, numpy arrays,
lists or numbers.
"""

from __future__ import annotations

import warnings

import numpy as np
from typing import Any, Optional

from .. import _core, _ops
from .._convert import as_tensor, class_indices, require_tensor

from ._adaptive_pool import adaptive_avg_pool2d, adaptive_max_pool2d
from ._composed import cosine_similarity, normalize, one_hot, silu, softplus
from ._loss_options import class_weighted, finite_target, reduce_elementwise, smoothing_term
from ._robust_loss import huber_loss, smooth_l1_loss
from ._layer_functional import (avg_pool2d, batch_norm, conv2d, dropout, elu, embedding, gelu, layer_norm,
                                leaky_relu, max_pool2d)

__all__ = ["linear", "relu", "sigmoid", "tanh", "softmax", "log_softmax", "mse_loss", "l1_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss",
           "conv2d", "max_pool2d", "avg_pool2d", "dropout", "embedding", "layer_norm", "batch_norm", "gelu",
           "leaky_relu", "elu", "adaptive_avg_pool2d", "adaptive_max_pool2d", "smooth_l1_loss", "huber_loss",
           "silu", "softplus", "normalize", "cosine_similarity", "one_hot"]

_shape = _core.Tensor.shape.__get__
_REDUCTIONS = {"none": _core.REDUCTION_NONE, "mean": _core.REDUCTION_MEAN, "sum": _core.REDUCTION_SUM}


def _reduction(reduction: Any) -> int:
    """The core's code for a reduction name; ValueError listing the valid names otherwise."""
    code = _REDUCTIONS.get(reduction) if isinstance(reduction, str) else None
    if code is None:
        raise ValueError(f"{reduction!r} is not a valid value for reduction; expected 'none', 'mean' or 'sum'")
    return code


def linear(input: Any, weight: Any, bias: Optional[Any] = None) -> _core.Tensor:
    """``input @ weight.T + bias``.

    Shape:
        input (*, in_features), weight (out_features, in_features), bias (out_features) → (*, out_features).

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> F.linear(polyhead.ones(2, 3), polyhead.ones(4, 3), polyhead.zeros(4)).tolist()[0]
        [3.0, 3.0, 3.0, 3.0]
    """
    x = as_tensor(input, "input")
    w = as_tensor(weight, "weight")
    b = None if bias is None else as_tensor(bias, "bias")
    shape = _shape(x)
    if len(shape) == 2:
        return _core.linear(x, w, b)
    if not shape:
        raise ValueError("[linear] input must have at least 1 dimension, got a 0-d tensor")
    out = _core.linear(_core.reshape(x, (-1, shape[-1])), w, b)
    return _core.reshape(out, shape[:-1] + _shape(out)[-1:])


def relu(input: _core.Tensor, inplace: bool = False) -> _core.Tensor:
    """``max(input, 0)`` elementwise (``inplace`` is accepted for compatibility; the result is a new tensor)."""
    return _core.relu(require_tensor(input, "relu"))


def sigmoid(input: _core.Tensor) -> _core.Tensor:
    """``1 / (1 + exp(-input))`` elementwise."""
    return _core.sigmoid(require_tensor(input, "sigmoid"))


def tanh(input: _core.Tensor) -> _core.Tensor:
    """Hyperbolic tangent elementwise."""
    return _core.tanh(require_tensor(input, "tanh"))


def _softmax_dim(input: _core.Tensor, dim: Optional[int], name: str) -> int:
    """torch's implicit softmax dim (0 for 0/1/3-D inputs, else 1), with its deprecation warning."""
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", stacklevel=3)
    return 0 if require_tensor(input, name).ndim in (0, 1, 3) else 1


def softmax(input: _core.Tensor, dim: Optional[int] = None) -> _core.Tensor:
    """Softmax along ``dim`` (the last axis, or either axis of a 2-D input).

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> F.softmax(polyhead.zeros(2, 2), dim=-1).tolist()
        [[0.5, 0.5], [0.5, 0.5]]
    """
    return _ops.softmax(input, _softmax_dim(input, dim, "softmax"))


def log_softmax(input: _core.Tensor, dim: Optional[int] = None) -> _core.Tensor:
    """``log(softmax(input, dim))``, computed stably."""
    return _ops.log_softmax(input, _softmax_dim(input, dim, "log_softmax"))


def _mask(mask: Any) -> Optional[_core.Tensor]:
    """The per-sample weights tensor of a loss (None stays None)."""
    return None if mask is None else as_tensor(mask, "mask")


def mse_loss(input: _core.Tensor, target: Any, *, reduction: str = "mean", mask: Any = None) -> _core.Tensor:
    """Squared error ``(input - target) ** 2``, reduced.

    Args:
        mask: optional per-sample weights along axis 0 (1 = labelled, 0 = missing). A missing sample adds
            exactly 0 (its target may be NaN); ``'mean'`` divides by the total weight, so a batch with no
            labelled sample gives 0 instead of NaN. Every loss here takes ``mask`` the same way.

    Shape:
        input and target: the same shape; mask (N,). Output: scalar, or input's shape for ``'none'``.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> F.mse_loss(polyhead.tensor([1.0, 3.0]), polyhead.tensor([0.0, 0.0])).item()
        5.0
        >>> F.mse_loss(polyhead.tensor([1.0, 3.0]), polyhead.tensor([0.0, float("nan")]), mask=[1, 0]).item()
        1.0
    """
    return _core.mse_loss(require_tensor(input, "mse_loss"), as_tensor(target, "target"), _mask(mask),
                          _reduction(reduction))


def l1_loss(input: _core.Tensor, target: Any, *, reduction: str = "mean", mask: Any = None) -> _core.Tensor:
    """Absolute error ``|input - target|``, reduced (shapes and ``mask`` as :func:`mse_loss`)."""
    return _core.l1_loss(require_tensor(input, "l1_loss"), as_tensor(target, "target"), _mask(mask),
                         _reduction(reduction))


def _binary(core_loss: Any, input: Any, target: Any, weight: Any, pos_weight: Any, reduction: str, mask: Any,
            function: str) -> _core.Tensor:
    """A binary cross-entropy with torch's elementwise ``weight`` and (on logits) ``pos_weight``: the core loss
    when neither is given, else the elementwise terms (``pos_weight`` adds ``(pos_weight - 1) · y · (-log σ(x))``)
    reduced as the core reduces."""
    x, code = require_tensor(input, function), _reduction(reduction)
    if weight is None and pos_weight is None:
        return core_loss(x, as_tensor(target, "target"), _mask(mask), code)
    weights, y = _mask(mask), finite_target(target, mask)
    values = core_loss(x, y, weights, _core.REDUCTION_NONE)
    if pos_weight is not None:
        positive = core_loss(x, _core.full(_shape(x), 1.0), weights, _core.REDUCTION_NONE)
        extra = _core.mul(_core.sub(as_tensor(pos_weight, "pos_weight"), _core.full((), 1.0)), y)
        values = _core.add(values, _core.mul(extra, positive))
    if weight is not None:
        values = _core.mul(values, as_tensor(weight, "weight"))
    return reduce_elementwise(values, weights, reduction)


def binary_cross_entropy(input: _core.Tensor, target: Any, weight: Any = None, *, reduction: str = "mean",
                         mask: Any = None) -> _core.Tensor:
    """Binary cross-entropy of probabilities ``input`` in [0, 1] against ``target`` in [0, 1] (logs clamped
    at -100, like torch); ``weight`` rescales each element (broadcast to the input); ``mask`` as in
    :func:`mse_loss`.

    Shape:
        input and target: the same shape.
    """
    return _binary(_core.binary_cross_entropy, input, target, weight, None, reduction, mask, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input: _core.Tensor, target: Any, weight: Any = None, *,
                                     reduction: str = "mean", pos_weight: Any = None,
                                     mask: Any = None) -> _core.Tensor:
    """Binary cross-entropy of ``sigmoid(input)`` against ``target``, computed stably from the logits;
    ``weight`` rescales each element, ``pos_weight`` the positive term (e.g. ``negatives / positives`` per
    output column, broadcast along the last dimension); ``mask`` as in :func:`mse_loss`.

    Shape:
        input and target: the same shape.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> round(F.binary_cross_entropy_with_logits(polyhead.zeros(4, 1), polyhead.ones(4, 1)).item(), 4)
        0.6931
        >>> round(F.binary_cross_entropy_with_logits(polyhead.zeros(4, 1), polyhead.ones(4, 1),
        ...                                          pos_weight=polyhead.tensor([3.0])).item(), 4)
        2.0794
    """
    return _binary(_core.binary_cross_entropy_with_logits, input, target, weight, pos_weight, reduction, mask,
                   "binary_cross_entropy_with_logits")


def _class_targets(target: Any, ignore_index: int, mask: Any):
    """Class indices and the per-sample weights: labels equal to ``ignore_index`` and, in float targets, NaN
    labels are missing (weight 0), combined with any explicit ``mask``."""
    raw = np.asarray(target) if isinstance(target, (_core.Tensor, np.ndarray, list, tuple)) else None
    if raw is None or raw.ndim != 1 or raw.dtype.kind not in "biuf":
        return class_indices(target), _mask(mask)
    missing = (raw == ignore_index) | (np.isnan(raw) if raw.dtype.kind == "f" else False)
    if not missing.any():
        return class_indices(target), _mask(mask)
    weights = (~missing).astype(np.float32)
    if mask is not None:
        given = np.asarray(_mask(mask)).reshape(-1)
        if given.shape != weights.shape:
            raise ValueError(f"mask has {given.size} values for {weights.size} samples")
        weights = weights * given
    return class_indices(np.where(missing, 0, raw)), as_tensor(weights, "mask")


def cross_entropy(input: _core.Tensor, target: Any, weight: Any = None, *, reduction: str = "mean",
                  ignore_index: int = -100, label_smoothing: float = 0.0, mask: Any = None) -> _core.Tensor:
    """Cross-entropy of logits ``input`` against class indices ``target`` (log-softmax + NLL, stable).

    Args:
        weight: optional weight per class (C,): each sample's loss is scaled by its target's weight and
            ``'mean'`` divides by the summed weights, as in torch.
        ignore_index: labels equal to it are missing and do not count (torch's default -100); NaN labels
            in a float target are missing too.
        label_smoothing: ε in [0, 1]: the target is ``(1 - ε)`` on the label plus ``ε / C`` on every class.
        mask: optional per-sample weights, as in :func:`mse_loss`.

    Shape:
        input (N, C); target (N,) with values in [0, C). Output: scalar, or (N,) for ``reduction='none'``.

    Raises:
        ValueError: ``target`` holds non-integers or has the wrong length; a class index is out of range;
            ``weight`` has the wrong size; ``label_smoothing`` outside [0, 1].
        NotImplementedError: ``weight`` together with ``label_smoothing``.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> round(F.cross_entropy(polyhead.zeros(2, 4), [0, 3]).item(), 4)
        1.3863
        >>> round(F.cross_entropy(polyhead.zeros(2, 4), [0, -100]).item(), 4)
        1.3863
        >>> round(F.cross_entropy(polyhead.tensor([[2.0, 0.0]]), [0], label_smoothing=0.2).item(), 4)
        0.3269
    """
    x = require_tensor(input, "cross_entropy")
    if not (isinstance(label_smoothing, (int, float)) and 0.0 <= label_smoothing <= 1.0):
        raise ValueError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got {label_smoothing!r}")
    if label_smoothing and weight is not None:
        raise NotImplementedError("cross_entropy(): weight together with label_smoothing is not supported by "
                                  "Polyhead")
    indices, weights = _class_targets(target, ignore_index, mask)
    weights = class_weighted(indices, weights, weight, _shape(x)[-1], "cross_entropy")
    code = _reduction(reduction)
    if not label_smoothing:
        return _core.cross_entropy(x, indices, weights, code)
    log_probabilities = _ops.log_softmax(x, 1)
    labelled = _core.mul(_core.nll_loss(log_probabilities, indices, weights, code),
                         _core.full((), 1.0 - label_smoothing))
    return _core.add(labelled, _core.mul(smoothing_term(log_probabilities, weights, code),
                                         _core.full((), float(label_smoothing))))


def nll_loss(input: _core.Tensor, target: Any, weight: Any = None, *, reduction: str = "mean",
             ignore_index: int = -100, mask: Any = None) -> _core.Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C) at class indices ``target`` (N,);
    ``weight``, ``ignore_index`` and ``mask`` as in :func:`cross_entropy`."""
    x = require_tensor(input, "nll_loss")
    indices, weights = _class_targets(target, ignore_index, mask)
    weights = class_weighted(indices, weights, weight, _shape(x)[-1], "nll_loss")
    return _core.nll_loss(x, indices, weights, _reduction(reduction))
