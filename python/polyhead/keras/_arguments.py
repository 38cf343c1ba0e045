"""Checks of ``compile``/``fit``/``evaluate``/``predict`` arguments: Keras's forms, errors naming the argument."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import numpy as np

from . import metrics as _metrics


def metric_specs(value: Any, output: str) -> List[Tuple[str, str]]:
    """One output's metrics (None, a name or :mod:`~polyhead.keras.metrics` object, or a list/tuple of them) as
    ``(core name, logged name)`` pairs."""
    items = [] if value is None else [value] if isinstance(value, (str, _metrics.Metric)) else value
    if not isinstance(items, (list, tuple)):
        return [_metrics.spec(items, output)]  # raises the TypeError naming the output
    return [_metrics.spec(m, output) for m in items]


#: Keras arguments of these methods that polyhead.keras does not support (a NotImplementedError names them).
_KERAS_ONLY = {"fit": ("class_weight", "steps_per_epoch", "validation_steps", "validation_batch_size", "validation_freq"),
               "evaluate": ("steps", "callbacks"), "predict": ("steps", "callbacks")}


def no_other_arguments(kwargs: Dict[str, Any], method: str) -> None:
    """Raises for arguments ``method`` does not take: NotImplementedError for Keras's that are out of the
    feature set, TypeError for any other."""
    keras_only = [key for key in kwargs if key in _KERAS_ONLY[method]]
    if keras_only:
        raise NotImplementedError(f"{method}({keras_only[0]}=...) is a Keras argument that polyhead.keras does not support")
    if kwargs:
        raise TypeError(f"{method}() got unexpected keyword arguments {sorted(kwargs)}")


def loss_weight(value: Any, output: str) -> float:
    """One output's loss weight: a real number (the core checks its range)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"loss_weights for output {output!r} must be a number, got {type(value).__name__} {value!r}")
    return float(value)


def integer(value: Any, name: str, minimum: int) -> int:
    """An int argument (``batch_size``, ``epochs``) in ``minimum...2**31 - 1``; like Keras, no floats or strings."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if not minimum <= value <= 2**31 - 1:
        raise ValueError(f"{name} must be in {minimum}...{2**31 - 1}, got {value}")
    return int(value)


def batch_size(value: Any) -> int:
    """``batch_size`` as given, or Keras's default 32 for None."""
    return 32 if value is None else integer(value, "batch_size", 1)


def validation_split(value: Any) -> float:
    """``fit``'s ``validation_split`` as a fraction in ``[0, 1)``; None means none, as in Keras."""
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"validation_split must be a number in [0, 1), got {type(value).__name__} {value!r}")
    if not 0 <= float(value) < 1:
        raise ValueError(f"validation_split must be in [0, 1), got {value!r}")
    return float(value)
