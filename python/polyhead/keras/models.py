"""``keras.models``: :class:`Model`, :class:`Sequential` and :func:`load_model`."""

from ._model import Model
from ._saving import load_model
from ._sequential import Sequential

__all__ = ["Model", "Sequential", "load_model"]
