"""Normalization layers: ``LayerNormalization`` (per sample, over the last axis) and ``BatchNormalization``
(per channel of a feature axis over the batch, with moving statistics for inference)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ._layer import Layer, _weight


class _Normalization(Layer):
    """Shared by the normalization layers: an ``axis`` (``-1`` or its index; only the last one unless
    ``_any_axis``), ``epsilon``, and ``gamma_regularizer`` / ``beta_regularizer`` (penalties of the scale and
    offset, as Keras)."""

    _regularized = ("gamma", "beta")

    _any_axis = False

    def __init__(self, axis: int, epsilon: float, name: Optional[str], **kwargs: Any) -> None:
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"{type(self).__name__} axis must be an int (one feature axis), got "
                            f"{type(axis).__name__} {axis!r}")
        super().__init__(name=name, **kwargs)
        self.axis, self.epsilon = int(axis), float(epsilon)
        if not self.epsilon >= 0:
            raise ValueError(f"{type(self).__name__} epsilon must be >= 0, got {epsilon!r}")

    def _output_shape(self, shapes: List[Tuple[Optional[int], ...]]) -> Tuple[Optional[int], ...]:
        shape = self._single(shapes)
        if self._any_axis and (1 <= self.axis < len(shape) or -len(shape) < self.axis < 0):
            return shape
        if self.axis not in (-1, len(shape) - 1):
            supported = "a feature axis (not the batch axis 0)" if self._any_axis else "only the last axis"
            raise ValueError(f"{type(self).__name__} '{self.name}': axis must be {supported}, got axis "
                             f"{self.axis} for inputs {shape}")
        return shape

    gamma = _weight("gamma", "The live scale tensor (after a model was built), or None.")
    beta = _weight("beta", "The live offset tensor (after a model was built), or None.")


class LayerNormalization(_Normalization):
    """Normalises each sample over the last axis, then ``· gamma + beta`` (Keras defaults: epsilon 1e-3)."""

    _keras_options = {"center": (True,), "scale": (True,), "rms_scaling": (False,), "beta_initializer": ("zeros",),
                      "gamma_initializer": ("ones",), "beta_constraint": (None,), "gamma_constraint": (None,)}

    def __init__(self, axis: int = -1, epsilon: float = 1e-3, name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(axis, epsilon, name, **kwargs)

    def _config(self) -> Dict[str, Any]:
        return {"axis": -1, "epsilon": self.epsilon}


class BatchNormalization(_Normalization):
    """Keras's batch normalization over the feature axis ``axis`` (default the last, channels-last; ``axis=1``
    for channels-first inputs such as ``(batch, channels, height, width)``). While training (``fit``, or
    calling the model with ``training=True``) each channel is normalised with the batch's mean and biased
    variance, and the moving statistics move: ``moving = momentum · moving + (1 − momentum) · batch``; in
    inference (``predict``, ``evaluate``) the moving statistics are used. Then ``· gamma + beta`` (``scale`` /
    ``center``).
    Defaults as Keras: momentum 0.99, epsilon 1e-3; gamma ones, beta zeros, moving mean zeros, moving
    variance ones. ``moving_mean`` / ``moving_variance`` are non-trainable weights, saved with the model."""

    _any_axis = True
    _keras_options = {"beta_initializer": ("zeros",), "gamma_initializer": ("ones",),
                      "moving_mean_initializer": ("zeros",), "moving_variance_initializer": ("ones",),
                      "beta_constraint": (None,), "gamma_constraint": (None,), "synchronized": (False,),
                      "renorm": (False,)}

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(axis, epsilon, name, **kwargs)
        self.momentum, self.center, self.scale = float(momentum), bool(center), bool(scale)
        if not 0 <= self.momentum <= 1:
            raise ValueError(f"BatchNormalization momentum must be in [0, 1], got {momentum!r}")
        self._non_trainable = ("moving_mean", "moving_variance")

    def _config(self) -> Dict[str, Any]:
        return {"axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale}

    moving_mean = _weight("moving_mean", "The live moving mean (after a model was built).")
    moving_variance = _weight("moving_variance", "The live moving variance (after a model was built).")
