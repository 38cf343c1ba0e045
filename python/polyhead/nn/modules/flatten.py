"""``nn.Flatten``: merges a range of dimensions into one."""

from __future__ import annotations

from ... import _core, _shape_ops
from .module import Module

__all__ = ["Flatten"]


class Flatten(Module):
    """Flattens dims ``start_dim..end_dim`` (by default all but the batch dim).

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> nn.Flatten()(polyhead.zeros(4, 2, 3)).shape
        polyhead.Size([4, 6])
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """``input.flatten(self.start_dim, self.end_dim)``."""
        return _shape_ops.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        """The settings shown by ``repr``."""
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
