"""Functions of ``nn.functional`` built from core ops (so their gradients are the core's): ``silu``,
``softplus``, ``normalize``, ``cosine_similarity``, and ``one_hot`` (integer labels, no gradient)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from .._convert import require_tensor

__all__ = ["silu", "softplus", "normalize", "cosine_similarity", "one_hot"]


def _scalar(value: float) -> _core.Tensor:
    return _core.full((), float(value))


def silu(input: _core.Tensor, inplace: bool = False) -> _core.Tensor:
    """``x * sigmoid(x)`` elementwise (the swish of Ramachandran et al.).

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> [round(v, 4) for v in F.silu(polyhead.tensor([-1.0, 0.0, 2.0])).tolist()]
        [-0.2689, 0.0, 1.7616]
    """
    x = require_tensor(input, "silu")
    return x * _core.sigmoid(x)


def softplus(input: _core.Tensor, beta: float = 1.0, threshold: float = 20.0) -> _core.Tensor:
    """``log(1 + exp(beta * x)) / beta`` elementwise, computed stably as ``relu(z) + log(1 + exp(-|z|))``
    (``z = beta * x``), which equals ``x`` to float32 precision beyond ``threshold`` as torch's linear branch.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> [round(v, 4) for v in F.softplus(polyhead.tensor([-30.0, 0.0, 30.0])).tolist()]
        [0.0, 0.6931, 30.0]
    """
    x = require_tensor(input, "softplus")
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not beta > 0:
        raise ValueError(f"softplus: beta must be a number > 0, got {beta!r}")
    z = x * _scalar(beta) if beta != 1 else x
    magnitude = _core.relu(z) + _core.relu(-z)
    value = _core.relu(z) + _core.log(_scalar(1.0) + _core.exp(-magnitude))
    return value / _scalar(beta) if beta != 1 else value


def _norm(x: _core.Tensor, dim: int, eps: float) -> _core.Tensor:
    """``max(‖x‖₂, eps)`` along ``dim`` (kept), as ``sqrt(max(Σx², eps²))`` so a zero vector has a 0 gradient."""
    squares = (x * x).sum(dim, keepdim=True)
    floor = _scalar(float(eps) ** 2)
    return _core.sqrt(_core.relu(squares - floor) + floor)


def normalize(input: _core.Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> _core.Tensor:
    """``x / max(‖x‖₂, eps)`` along ``dim`` (the L2 norm only).

    Raises:
        NotImplementedError: ``p`` other than 2.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> F.normalize(polyhead.tensor([[3.0, 4.0], [0.0, 0.0]])).tolist()
        [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    x = require_tensor(input, "normalize")
    if p != 2:
        raise NotImplementedError(f"normalize(): p={p!r} is not supported by Polyhead (only p=2)")
    return x / _norm(x, dim, eps)


def cosine_similarity(x1: _core.Tensor, x2: _core.Tensor, dim: int = 1, eps: float = 1e-8) -> _core.Tensor:
    """``x1 · x2 / (max(‖x1‖, eps) · max(‖x2‖, eps))`` along ``dim`` (which is removed).

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> F.cosine_similarity(polyhead.tensor([[1.0, 0.0]]), polyhead.tensor([[1.0, 1.0]])).tolist()
        [0.7071067690849304]
    """
    a, b = require_tensor(x1, "cosine_similarity"), require_tensor(x2, "cosine_similarity")
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"cosine_similarity: x1 and x2 must have the same shape, got {tuple(a.shape)} and "
                         f"{tuple(b.shape)}")
    similarity = (a * b).sum(dim, keepdim=True) / (_norm(a, dim, eps) * _norm(b, dim, eps))
    return similarity.squeeze(dim)


def one_hot(tensor: Any, num_classes: int = -1) -> _core.Tensor:
    """An int64 tensor of shape ``(*tensor.shape, num_classes)`` with a 1 at each label (``num_classes=-1``:
    one more than the largest label).

    Raises:
        ValueError: labels that are negative, not integers, or not below ``num_classes``.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> F.one_hot(polyhead.tensor([0, 2]), 3).tolist()
        [[1, 0, 0], [0, 0, 1]]
    """
    from .._creation import tensor as make_tensor

    labels = np.asarray(tensor)
    if labels.dtype.kind == "f" and not np.array_equal(labels, np.trunc(labels)):
        raise ValueError("one_hot: the labels must be integers")
    if labels.dtype.kind not in "biuf":
        raise ValueError(f"one_hot: the labels must be integers, got dtype {labels.dtype}")
    labels = labels.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError("one_hot: Class values must be non-negative.")
    classes = (int(labels.max()) + 1 if labels.size else 0) if num_classes == -1 else int(num_classes)
    if labels.size and labels.max() >= classes:
        raise ValueError(f"one_hot: Class values must be smaller than num_classes ({classes}).")
    return make_tensor(np.eye(classes, dtype=np.int64)[labels])
