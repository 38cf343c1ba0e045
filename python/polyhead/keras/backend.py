"""Keras's ``keras.backend`` helpers that training scripts call: ``clear_session``."""

from __future__ import annotations

from typing import Any

from . import _layer

__all__ = ["clear_session"]


def clear_session(free_memory: bool = True) -> None:
    """Keras's ``clear_session``: forgets the automatic layer names given so far, so that the next layers are
    ``dense``, ``dense_1``… again. Models and layers made before keep working (their weights live with them)."""
    _layer._counters.clear()


def __getattr__(name: str) -> Any:
    from ._unsupported import missing
    raise missing(__name__, name, __all__)
