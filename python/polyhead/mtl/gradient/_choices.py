"""Argument helpers of the gradient-method classes: named choices → the core's integer codes."""

from __future__ import annotations

from typing import Any, Sequence


def choice_code(value: Any, choices: Sequence[str], argument: str) -> int:
    """The index of ``value`` in ``choices`` (the core's code for a named option)."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be one of {', '.join(map(repr, choices))}, got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"{argument} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return list(choices).index(value)
