"""Argument helpers of the gradient-method classes: named choices → the core's integer codes, counts."""

from __future__ import annotations

import operator
from typing import Any, Sequence


def choice_code(value: Any, choices: Sequence[str], argument: str) -> int:
    """The index of ``value`` in ``choices`` (the core's code for a named option)."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be one of {', '.join(map(repr, choices))}, got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"{argument} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return list(choices).index(value)


def as_count(value: Any, argument: str, minimum: int = 1) -> int:
    """An integer argument ≥ ``minimum`` (bool rejected)."""
    if isinstance(value, bool):
        raise TypeError(f"{argument} must be an int, got {value!r}")
    try:
        count = operator.index(value)
    except TypeError:
        raise TypeError(f"{argument} must be an int, got {type(value).__name__}") from None
    if count < minimum:
        raise ValueError(f"{argument} must be >= {minimum}, got {count}")
    return count
