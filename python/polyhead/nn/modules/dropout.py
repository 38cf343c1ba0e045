"""``nn.Dropout``."""

from __future__ import annotations

from ... import _core
from .. import functional as F
from .._layer_functional import _probability
from .module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Inverted dropout: in training mode, zeroes each element with probability ``p`` and scales the rest by
    ``1 / (1 - p)``; in evaluation mode (``.eval()``), returns its input unchanged.

    The mask is drawn by the core from the global generator, so ``polyhead.manual_seed`` makes it reproducible
    and equal to the Swift ``Dropout`` layer's.

    Args:
        p: probability of zeroing an element. Default: 0.5.
        inplace: accepted for compatibility; the result is always a new tensor. Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> m = nn.Dropout(p=0.25)
        >>> x = polyhead.ones(4, 4)
        >>> m.eval()(x) is x
        True
        >>> m
        Dropout(p=0.25, inplace=False)
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p = _probability(p)
        self.inplace = inplace

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """``F.dropout(input, self.p, self.training)``."""
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        """The settings shown by ``repr``."""
        return f"p={self.p}, inplace={self.inplace}"
