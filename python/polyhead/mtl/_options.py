"""Argument helpers shared by the method classes (per-task option vectors such as weights or preferences)."""

from __future__ import annotations

import operator
from typing import Any, Dict, Optional, Sequence


def per_task_options(prefix: str, values: Optional[Sequence[Any]], num_tasks: int, argument: str) -> Dict[str, float]:
    """``{prefix0: v0, prefix1: v1, …}`` for a sequence of one value per task (``{}`` for None)."""
    if values is None:
        return {}
    if len(values) != num_tasks:
        raise ValueError(f"{argument} has {len(values)} values but there are {num_tasks} tasks")
    return {f"{prefix}{i}": value for i, value in enumerate(values)}


def as_tuple(values: Any, argument: str) -> Optional[tuple]:
    """A sequence argument (list, tuple, numpy array) as a tuple of Python scalars; None stays None."""
    if values is None:
        return None
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(f"{argument} must be a sequence with one value per task, got {type(values).__name__}")
    return tuple(value.item() if hasattr(value, "item") else value for value in values)


def as_int(value: Any, argument: str) -> int:
    """An integer argument (bool rejected)."""
    if isinstance(value, bool):
        raise TypeError(f"{argument} must be an int, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{argument} must be an int, got {type(value).__name__}") from None
