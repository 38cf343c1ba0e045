"""Keras's ``keras.activations``: the activations layers take by name, as functions of tensors (computed in the
core). A layer takes any of them, or polyhead's own ``relu``/``sigmoid``/``tanh``/``softmax`` (and
``nn.functional``'s, with ``gelu`` and ``elu``), in place of the name: ``Dense(10, activation=activations.softmax)``."""

from __future__ import annotations

from typing import Any, Callable, Dict

__all__ = ["linear", "relu", "sigmoid", "tanh", "softmax", "gelu", "elu", "get"]


def _tensor(x: Any) -> Any:
    from .. import as_tensor
    return as_tensor(x)


def linear(x: Any) -> Any:
    """``x`` unchanged."""
    return _tensor(x)


def relu(x: Any) -> Any:
    """``max(x, 0)``."""
    from ..nn import functional as F
    return F.relu(_tensor(x))


def sigmoid(x: Any) -> Any:
    """``1 / (1 + exp(−x))``."""
    from ..nn import functional as F
    return F.sigmoid(_tensor(x))


def tanh(x: Any) -> Any:
    """The hyperbolic tangent."""
    from ..nn import functional as F
    return F.tanh(_tensor(x))


def softmax(x: Any, axis: int = -1) -> Any:
    """``exp(x) / Σ exp(x)`` along ``axis`` (the last; layers use the last)."""
    from ..nn import functional as F
    return F.softmax(_tensor(x), dim=axis)


def gelu(x: Any, approximate: bool = False) -> Any:
    """``x · Φ(x)`` with the exact normal CDF (Keras's default; ``approximate=True`` is not supported)."""
    if approximate:
        raise NotImplementedError("gelu(approximate=True) is not supported; the exact (erf) form is")
    from ..nn import functional as F
    return F.gelu(_tensor(x))


def elu(x: Any, alpha: float = 1.0) -> Any:
    """``x`` for ``x > 0``, else ``alpha · (exp(x) − 1)``."""
    from ..nn import functional as F
    return F.elu(_tensor(x), alpha=alpha)


def _by_function() -> Dict[Callable[..., Any], str]:
    """The activation name of every function a layer takes in place of it."""
    from .. import _ops
    from ..nn import functional as F
    names = {function: function.__name__ for function in (linear, relu, sigmoid, tanh, softmax, gelu, elu)}
    names.update({getattr(_ops, n): n for n in ("relu", "sigmoid", "tanh", "softmax")})
    names.update({getattr(F, n): n for n in ("relu", "sigmoid", "tanh", "softmax", "gelu", "elu")})
    return names


def get(identifier: Any) -> str:
    """The activation name of ``identifier``: None (``linear``), a name, or one of the functions above.

    Raises:
        ValueError: an unknown name or function (custom activation functions are not supported).
    """
    from ._layer import _ACTIVATIONS
    if identifier is None:
        return "linear"
    if isinstance(identifier, str) and identifier in _ACTIVATIONS:
        return identifier
    if callable(identifier):
        name = _by_function().get(identifier)
        if name is not None:
            return name
        raise ValueError(f"activation function {getattr(identifier, '__name__', identifier)!r} is not supported: "
                         f"layers run in the core, which has {list(_ACTIVATIONS)} (by name or keras.activations)")
    raise ValueError(f"unknown activation {identifier!r}; expected None or one of {list(_ACTIVATIONS)}")


def __getattr__(name: str) -> Any:
    from ._unsupported import missing
    raise missing(__name__, name, __all__)
