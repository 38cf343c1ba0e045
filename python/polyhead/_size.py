"""``polyhead.Size``: the shape of a tensor, a tuple of ints (like ``torch.Size``)."""

from __future__ import annotations

import math

__all__ = ["Size"]


class Size(tuple):
    """The shape of a tensor: a ``tuple`` of non-negative ints that compares equal to plain tuples.

    Examples:
        >>> import polyhead
        >>> s = polyhead.zeros(2, 3).shape
        >>> s
        polyhead.Size([2, 3])
        >>> s == (2, 3), s.numel()
        (True, 6)
    """

    __slots__ = ()

    def numel(self) -> int:
        """The number of elements of a tensor of this shape (1 for ``Size([])``)."""
        return math.prod(self)

    def __getitem__(self, key):  # type: ignore[override]
        result = tuple.__getitem__(self, key)
        return Size(result) if isinstance(key, slice) else result

    def __add__(self, other: tuple) -> "Size":  # type: ignore[override]
        return Size(tuple.__add__(self, other))

    def __repr__(self) -> str:
        return f"polyhead.Size({list(self)!r})"
