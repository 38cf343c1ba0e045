"""``polyhead.nn.init``: in-place parameter initialisers with ``torch.nn.init``'s names, formulas and
defaults, drawing from the global generator (``polyhead.manual_seed`` makes them repeat)."""

from __future__ import annotations

import math
from typing import Any, Optional, Tuple

import numpy as np

from .. import _core
from ..autograd import no_grad

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_", "eye_", "xavier_uniform_",
           "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]

_UNIT_GAIN = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
              "sigmoid")


def calculate_gain(nonlinearity: str, param: Optional[float] = None) -> float:
    """The recommended gain for a nonlinearity (``'relu'``: √2, ``'tanh'``: 5/3, ``'leaky_relu'``:
    √(2 / (1 + slope²)) with ``param`` the slope (default 0.01), ``'selu'``: 3/4, linear and sigmoid: 1)."""
    if nonlinearity in _UNIT_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: _core.Tensor) -> Tuple[int, int]:
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions, "
                         f"but got shape {tuple(tensor.shape)}")
    receptive = 1
    for size in tuple(tensor.shape)[2:]:
        receptive *= size
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: _core.Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _check(tensor: Any) -> None:
    if not isinstance(tensor, _core.Tensor):
        raise TypeError(f"tensor must be a polyhead Tensor, but got {type(tensor).__name__}")


@no_grad()
def uniform_(tensor: _core.Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> _core.Tensor:
    """Fills ``tensor`` with values drawn uniformly from ``[a, b)``; returns it."""
    _check(tensor)
    if generator is not None:
        raise ValueError("generator= is not supported by polyhead.nn.init; seed with polyhead.manual_seed")
    return tensor.copy_(_core.uniform(tuple(tensor.shape), float(a), float(b)))


@no_grad()
def normal_(tensor: _core.Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> _core.Tensor:
    """Fills ``tensor`` with values drawn from N(``mean``, ``std``²); returns it."""
    _check(tensor)
    if generator is not None:
        raise ValueError("generator= is not supported by polyhead.nn.init; seed with polyhead.manual_seed")
    return tensor.copy_(_core.randn(tuple(tensor.shape)) * float(std) + float(mean))


@no_grad()
def constant_(tensor: _core.Tensor, val: float) -> _core.Tensor:
    """Fills ``tensor`` with ``val``; returns it."""
    _check(tensor)
    return tensor.fill_(val)


def zeros_(tensor: _core.Tensor) -> _core.Tensor:
    """Fills ``tensor`` with 0; returns it."""
    return constant_(tensor, 0.0)


def ones_(tensor: _core.Tensor) -> _core.Tensor:
    """Fills ``tensor`` with 1; returns it."""
    return constant_(tensor, 1.0)


@no_grad()
def eye_(tensor: _core.Tensor) -> _core.Tensor:
    """Fills the 2-d ``tensor`` with the identity (ones on the diagonal); returns it."""
    _check(tensor)
    if tensor.dim() != 2:
        raise ValueError(f"Only tensors with 2 dimensions are supported, but got shape {tuple(tensor.shape)}")
    import polyhead

    return tensor.copy_(polyhead.from_numpy(np.eye(*tuple(tensor.shape), dtype=np.float32)))


def xavier_uniform_(tensor: _core.Tensor, gain: float = 1.0, generator: Any = None) -> _core.Tensor:
    """Glorot & Bengio (2010): U(-b, b) with ``b = gain * sqrt(6 / (fan_in + fan_out))``."""
    _check(tensor)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: _core.Tensor, gain: float = 1.0, generator: Any = None) -> _core.Tensor:
    """Glorot & Bengio (2010): N(0, std²) with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    _check(tensor)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _kaiming_std(tensor: _core.Tensor, a: float, mode: str, nonlinearity: str) -> float:
    _check(tensor)
    return calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))


def kaiming_uniform_(tensor: _core.Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator: Any = None) -> _core.Tensor:
    """He et al. (2015): U(-b, b) with ``b = sqrt(3) * gain / sqrt(fan)`` (``a``: the leaky-ReLU slope)."""
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: _core.Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator: Any = None) -> _core.Tensor:
    """He et al. (2015): N(0, std²) with ``std = gain / sqrt(fan)`` (``a``: the leaky-ReLU slope)."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


_NOT_IMPLEMENTED = ("orthogonal_", "trunc_normal_", "sparse_", "dirac_")


def __getattr__(name: str) -> Any:
    if name in _NOT_IMPLEMENTED:
        raise AttributeError(f"polyhead.nn.init.{name} is not implemented; available initialisers: "
                             + ", ".join(__all__))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
