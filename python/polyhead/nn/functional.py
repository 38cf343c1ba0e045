"""``polyhead.nn.functional``: activations, ``linear`` and losses as functions (torch names and semantics).

Losses take ``reduction='mean' | 'sum' | 'none'``. Class targets (``cross_entropy``, ``nll_loss``) may be a
tensor of integral floats, an integer numpy array or a list; other targets may be tensors, numpy arrays,
lists or numbers.
"""

from __future__ import annotations

import warnings
from typing import Any, Optional

from .. import _core, _ops
from .._convert import as_tensor, class_indices, require_tensor

__all__ = ["linear", "relu", "sigmoid", "tanh", "softmax", "log_softmax", "mse_loss", "l1_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss"]

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


def mse_loss(input: _core.Tensor, target: Any, *, reduction: str = "mean") -> _core.Tensor:
    """Squared error ``(input - target) ** 2``, reduced.

    Shape:
        input and target: the same shape. Output: scalar, or input's shape for ``reduction='none'``.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> F.mse_loss(polyhead.tensor([1.0, 3.0]), polyhead.tensor([0.0, 0.0])).item()
        5.0
    """
    return _core.mse_loss(require_tensor(input, "mse_loss"), as_tensor(target, "target"), _reduction(reduction))


def l1_loss(input: _core.Tensor, target: Any, *, reduction: str = "mean") -> _core.Tensor:
    """Absolute error ``|input - target|``, reduced (same shapes as :func:`mse_loss`)."""
    return _core.l1_loss(require_tensor(input, "l1_loss"), as_tensor(target, "target"), _reduction(reduction))


def binary_cross_entropy(input: _core.Tensor, target: Any, *, reduction: str = "mean") -> _core.Tensor:
    """Binary cross-entropy of probabilities ``input`` in [0, 1] against ``target`` in [0, 1] (logs clamped
    at -100, like torch).

    Shape:
        input and target: the same shape.
    """
    return _core.binary_cross_entropy(require_tensor(input, "binary_cross_entropy"), as_tensor(target, "target"),
                                      _reduction(reduction))


def binary_cross_entropy_with_logits(input: _core.Tensor, target: Any, *, reduction: str = "mean") -> _core.Tensor:
    """Binary cross-entropy of ``sigmoid(input)`` against ``target``, computed stably from the logits.

    Shape:
        input and target: the same shape.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> round(F.binary_cross_entropy_with_logits(polyhead.zeros(4, 1), polyhead.ones(4, 1)).item(), 4)
        0.6931
    """
    return _core.binary_cross_entropy_with_logits(
        require_tensor(input, "binary_cross_entropy_with_logits"), as_tensor(target, "target"), _reduction(reduction))


def cross_entropy(input: _core.Tensor, target: Any, *, reduction: str = "mean") -> _core.Tensor:
    """Cross-entropy of logits ``input`` against class indices ``target`` (log-softmax + NLL, stable).

    Shape:
        input (N, C); target (N,) with values in [0, C). Output: scalar, or (N,) for ``reduction='none'``.

    Raises:
        ValueError: ``target`` holds non-integers or has the wrong length; a class index is out of range.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> round(F.cross_entropy(polyhead.zeros(2, 4), [0, 3]).item(), 4)
        1.3863
    """
    return _core.cross_entropy(require_tensor(input, "cross_entropy"), class_indices(target), _reduction(reduction))


def nll_loss(input: _core.Tensor, target: Any, *, reduction: str = "mean") -> _core.Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C) at class indices ``target`` (N,)."""
    return _core.nll_loss(require_tensor(input, "nll_loss"), class_indices(target), _reduction(reduction))
