"""``keras.models``: :class:`Model` and :func:`load_model`."""

from ._model import Model, load_model

__all__ = ["Model", "load_model"]
