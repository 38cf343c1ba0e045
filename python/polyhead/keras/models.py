"""``keras.models``: :class:`Model`, :class:`Sequential`, :func:`load_model` and :func:`clone_model`."""

from ._model import Model
from ._saving import clone_model, load_model
from ._sequential import Sequential

__all__ = ["Model", "Sequential", "load_model", "clone_model"]
