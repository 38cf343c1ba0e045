"""Attaches the ops of the comparison, layout, linear-algebra and statistics modules to ``Tensor`` as methods of
the same name (``x.clamp(0, 1)`` is ``polyhead.clamp(x, 0, 1)``); imported once by the package."""

from __future__ import annotations

from . import _compare, _layout_ops, _linalg, _stats
from ._tensor import Tensor

_METHODS = {
    _compare: ("eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
               "isnan", "isinf", "isfinite", "all", "any", "allclose", "equal", "abs", "absolute", "sign",
               "clamp", "clip", "clamp_", "clip_", "maximum", "minimum", "max", "min", "masked_fill", "masked_fill_"),
    _layout_ops: ("permute", "expand", "expand_as", "repeat", "gather", "topk", "cumsum"),
    _linalg: ("bmm",),
    _stats: ("std", "var", "norm"),
}

for _module, _names in _METHODS.items():
    for _name in _names:
        setattr(Tensor, _name, getattr(_module, _name))
Tensor.__abs__ = _compare.abs
