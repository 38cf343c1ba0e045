"""Threads used by the core's BLAS (OpenBLAS) for matrix products."""

from __future__ import annotations

import operator

from . import _core

__all__ = ["set_num_threads", "get_num_threads"]


def set_num_threads(n: int) -> None:
    """Sets the number of OpenBLAS threads used for matrix products.

    Args:
        n: a positive int.

    Raises:
        TypeError: ``n`` is not an int.
        ValueError: ``n`` < 1.

    Examples:
        >>> import polyhead
        >>> before = polyhead.get_num_threads()
        >>> polyhead.set_num_threads(1)
        >>> polyhead.get_num_threads()
        1
        >>> polyhead.set_num_threads(before)
    """
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"set_num_threads expected an int, got {type(n).__name__}") from None
    if not 1 <= n <= 2**31 - 1:
        raise ValueError(f"Number of threads must be a positive 32-bit int, got {n}")
    _core.set_num_threads(n)


def get_num_threads() -> int:
    """The number of OpenBLAS threads used for matrix products."""
    return _core.get_num_threads()
