"""Argument helpers of the gradient-method classes: named choices → the core's integer codes, and why the
methods that track gradients across steps refuse ``rep_grad=True``."""

from __future__ import annotations

from typing import Any, Sequence

TRACKED_ACROSS_STEPS = ("it combines task gradients tracked across steps, which would mix different samples' "
                        "representation gradients (LibMTL refuses it too); pass shared_parameters instead")
"""The ``_rep_grad_unsupported`` reason of MoCo and DBMTL."""


def choice_code(value: Any, choices: Sequence[str], argument: str) -> int:
    """The index of ``value`` in ``choices`` (the core's code for a named option)."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be one of {', '.join(map(repr, choices))}, got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"{argument} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return list(choices).index(value)
