"""Metric objects with Keras's names, for ``compile(metrics=[...])``; the core accumulates them over each
epoch (masked samples drop out). A metric logs as ``<output>_<name>`` (``name`` defaults to Keras's)."""

from __future__ import annotations

from typing import Any, Dict


class Metric:
    """Base class: a metric the core knows by ``_core_name``, logged under ``name``."""

    _core_name = ""

    def __init__(self, name: str = "", dtype: Any = None) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{type(self).__name__} name must be a str, got {type(name).__name__}")
        self.name = name or self._core_name

    def get_config(self) -> Dict[str, Any]:
        """The metric's name."""
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class BinaryAccuracy(Metric):
    """The share of outputs on the right side of 0.5 (Keras's default threshold)."""

    _core_name = "binary_accuracy"

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5) -> None:
        super().__init__(name, dtype)
        if threshold != 0.5:
            raise NotImplementedError(f"BinaryAccuracy(threshold={threshold!r}): only Keras's default threshold 0.5 is supported")


class CategoricalAccuracy(Metric):
    """The share of rows whose argmax is the one-hot target's."""

    _core_name = "categorical_accuracy"


class SparseCategoricalAccuracy(Metric):
    """The share of rows whose argmax is the integer label."""

    _core_name = "sparse_categorical_accuracy"


class MeanAbsoluteError(Metric):
    """The mean of ``|y_pred − y_true|``."""

    _core_name = "mean_absolute_error"


class MeanSquaredError(Metric):
    """The mean of ``(y_pred − y_true)²``."""

    _core_name = "mean_squared_error"


class AUC(Metric):
    """The ROC AUC of probabilities over 200 thresholds (trapezoidal), as Keras's ``AUC()`` defaults."""

    _core_name = "auc"

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC", name: str = "auc", dtype: Any = None,
                 from_logits: bool = False, **kwargs: Any) -> None:
        super().__init__(name, dtype)
        changed = {key: value for key, value in dict(num_thresholds=num_thresholds, curve=curve,
                                                     from_logits=from_logits, **kwargs).items()
                   if (key, value) not in (("num_thresholds", 200), ("curve", "ROC"), ("from_logits", False))}
        if changed:
            raise NotImplementedError(f"AUC({', '.join(f'{k}={v!r}' for k, v in changed.items())}): only Keras's "
                                      "defaults (ROC curve over 200 thresholds of probabilities) are supported")


def from_spec(core: str, shown: str) -> Any:
    """What ``compile`` takes for a metric computed as ``core`` and logged as ``shown``: the name, or the metric
    object of that kind named ``shown``."""
    if core == shown:
        return core
    for cls in (BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, MeanAbsoluteError, MeanSquaredError, AUC):
        if cls._core_name == core:
            return cls(name=shown)
    raise ValueError(f"no metric computes {core!r}")


def spec(metric: Any, output: str) -> Any:
    """One metric of ``compile`` as ``(core name, logged name)``: a name string is both, a :class:`Metric`
    gives its kind and its ``name``.

    Raises:
        TypeError: neither a str nor a :class:`Metric` (the message names the output).
    """
    if isinstance(metric, str):
        return metric, metric
    if isinstance(metric, Metric):
        return metric._core_name, metric.name
    raise TypeError(f"metrics for output {output!r} must be metric names such as 'accuracy' or 'mae' or "
                    f"polyhead.keras.metrics objects, got {metric!r}")


__all__ = ["Metric", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "MeanAbsoluteError",
           "MeanSquaredError", "AUC"]


def __getattr__(name: str) -> Any:
    from ._unsupported import missing
    raise missing(__name__, name, __all__, 'or pass a metric name: "accuracy", "mae", "mse", "f1" or "auc"')
