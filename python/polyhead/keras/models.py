"""``keras.models``: :class:`Model`, :class:`Sequential`, :func:`save_model`, :func:`load_model` and
:func:`clone_model`."""

from ._model import Model
from ._saving import clone_model, load_model, save_model
from ._sequential import Sequential

__all__ = ["Model", "Sequential", "save_model", "load_model", "clone_model"]
