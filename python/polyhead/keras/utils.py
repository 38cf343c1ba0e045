"""Keras's ``keras.utils`` helpers that training scripts call: ``set_random_seed``."""

from __future__ import annotations

import random

import numpy as np

from ..random import manual_seed

__all__ = ["set_random_seed"]


def set_random_seed(seed: int) -> None:
    """Keras's ``tf.keras.utils.set_random_seed``: seeds Python's ``random``, numpy's global generator and
    Polyhead's generator (weight initialisation, dropout, ``fit``'s shuffling), so that a script run twice with
    the same seed trains the same weights.

    Args:
        seed: an int in ``[0, 2**32)`` (numpy's global generator takes no other).

    Raises:
        TypeError: ``seed`` is not an int.
        ValueError: ``seed`` is outside ``[0, 2**32)``.

    Examples:
        >>> import numpy as np, polyhead as tf
        >>> tf.keras.utils.set_random_seed(7)
        >>> a, b = np.random.rand(), tf.rand(2).tolist()
        >>> tf.keras.utils.set_random_seed(7)
        >>> (a, b) == (np.random.rand(), tf.rand(2).tolist())
        True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"set_random_seed expected an int seed, got {type(seed).__name__}")
    seed = int(seed)
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32) (numpy's global generator), got {seed}")
    random.seed(seed)
    np.random.seed(seed)
    manual_seed(seed)
