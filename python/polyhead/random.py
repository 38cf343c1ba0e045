"""Seeding of the core's one global random generator (used by ``randn``, ``rand`` and layer init)."""

from __future__ import annotations

import operator

from . import _core

__all__ = ["manual_seed"]


def manual_seed(seed: int) -> None:
    """Seeds the global generator: the same seed gives the same numbers from Python and Swift.

    Args:
        seed: an int in ``[-2**63, 2**64)``; negative seeds are taken modulo ``2**64``.

    Raises:
        TypeError: ``seed`` is not an int.
        ValueError: ``seed`` is out of range.

    Examples:
        >>> import polyhead
        >>> polyhead.manual_seed(42)
        >>> a = polyhead.rand(3).tolist()
        >>> polyhead.manual_seed(42)
        >>> a == polyhead.rand(3).tolist()
        True
    """
    try:
        seed = operator.index(seed)
    except TypeError:
        raise TypeError(f"manual_seed expected an int, got {type(seed).__name__}") from None
    if not -(2**63) <= seed < 2**64:
        raise ValueError(f"seed must be in [-2**63, 2**64), got {seed}")
    _core.manual_seed(seed % 2**64)
