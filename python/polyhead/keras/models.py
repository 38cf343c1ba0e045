"""``keras.models``: :class:`Model`, :class:`Sequential` and :func:`load_model`."""

from ._model import Model, Sequential, load_model

__all__ = ["Model", "Sequential", "load_model"]
