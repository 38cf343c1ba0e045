"""``parameters_to_vector`` / ``vector_to_parameters``: all parameters as one flat vector and back (e.g. to
combine per-task gradients by hand), with ``torch.nn.utils``'s semantics."""

from __future__ import annotations

from typing import Iterable

from ... import _core
from ..._shape_ops import cat
from ...autograd import no_grad
from .clip_grad import _tensor_list

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[_core.Tensor]) -> _core.Tensor:
    """The parameters flattened and concatenated into one 1-D tensor (differentiable, like ``torch.cat``).

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> nn.utils.parameters_to_vector(nn.Linear(3, 2).parameters()).shape
        polyhead.Size([8])
    """
    return cat([p.reshape(-1) for p in _tensor_list(parameters, "parameters")])


@no_grad()
def vector_to_parameters(vec: _core.Tensor, parameters: Iterable[_core.Tensor]) -> None:
    """Copies consecutive slices of the 1-D ``vec`` into the parameters, in order.

    Raises:
        TypeError: ``vec`` is not a tensor.
        ValueError: ``vec`` is not 1-D, or its length is not the parameters' total size.
    """
    if not isinstance(vec, _core.Tensor):
        raise TypeError(f"expected vec to be a Tensor, but got: {type(vec).__name__}")
    params = _tensor_list(parameters, "parameters")
    total = sum(p.numel() for p in params)
    if vec.dim() != 1 or vec.numel() != total:
        raise ValueError(f"vector_to_parameters: vec must be 1-D with {total} elements (the parameters' total "
                         f"size), got shape {tuple(vec.shape)}")
    start = 0
    for p in params:
        count = p.numel()
        p.copy_(vec[start:start + count].reshape(tuple(p.shape)))
        start += count
