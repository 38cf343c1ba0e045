"""The one dtype Polyhead tensors have: ``polyhead.float32`` (alias ``polyhead.float``)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["dtype", "float32", "check_dtype"]


class dtype:
    """A tensor element type. Polyhead has exactly one: ``float32``.

    Examples:
        >>> import polyhead
        >>> polyhead.float32
        polyhead.float32
        >>> polyhead.zeros(2).dtype is polyhead.float32
        True
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def is_floating_point(self) -> bool:
        """Always True: the only dtype is float32."""
        return True

    @property
    def itemsize(self) -> int:
        """Bytes per element (4)."""
        return 4

    def __repr__(self) -> str:
        return f"polyhead.{self.name}"

    def __reduce__(self) -> str:
        return self.name


float32 = dtype("float32")


def check_dtype(value: Any, name: str = "dtype") -> None:
    """Accepts None, ``polyhead.float32``, ``numpy.float32`` or ``"float32"``; raises TypeError otherwise."""
    if value is None or value is float32:
        return
    if isinstance(value, str) and value in ("float32", "float"):
        return
    try:
        if np.dtype(value) == np.float32:
            return
    except TypeError:
        pass
    raise TypeError(f"{name} must be polyhead.float32 (the only supported dtype), got {value!r}")
