"""The error for a Keras name that ``polyhead.keras`` does not have (``layers.LSTM``, ``losses.mse``…): an
AttributeError, as Python's, that says what the module offers instead."""

from __future__ import annotations

from typing import List


def missing(module: str, name: str, available: List[str], hint: str = "") -> AttributeError:
    """The AttributeError for ``module.name``, listing ``available`` (and ``hint``, when given)."""
    if name.startswith("__"):  # dunder probes (copy, pickle, doctest) get Python's plain error
        return AttributeError(f"module {module!r} has no attribute {name!r}")
    return AttributeError(f"module {module!r} has no attribute {name!r}: it is not in polyhead's Keras feature set, "
                          f"which has {sorted(available)}{'; ' + hint if hint else ''}")
