"""Keras's ``keras.utils`` helpers that training scripts call: ``set_random_seed`` and ``to_categorical``."""

from __future__ import annotations

import random
from typing import Any, Optional

import numpy as np

from .._convert import as_count
from ..random import manual_seed

__all__ = ["set_random_seed", "to_categorical"]


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


def to_categorical(y: Any, num_classes: Optional[int] = None, dtype: Any = "float32") -> np.ndarray:
    """Keras's ``tf.keras.utils.to_categorical``: integer class labels to one-hot rows (for
    ``categorical_crossentropy``), as a numpy array with the class axis last. A trailing axis of size 1 is
    dropped first, so ``(n, 1)`` labels give ``(n, num_classes)``.

    Args:
        y: class labels: integers in ``[0, num_classes)`` (integral floats accepted), any shape.
        num_classes: the number of classes. Default: None (``max(y) + 1``).
        dtype: the result's numpy dtype. Default: ``"float32"``.

    Raises:
        ValueError: labels that are negative, not integral, or ``>= num_classes``; ``num_classes < 1``.
        TypeError: labels that are not numbers, or ``num_classes`` not an int.

    Examples:
        >>> import polyhead as tf
        >>> tf.keras.utils.to_categorical([0, 2, 1], num_classes=3)
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]], dtype=float32)
    """
    labels = np.asarray(y)
    if labels.dtype.kind not in "biuf":
        raise TypeError(f"to_categorical: y must hold integer class labels, got numpy dtype {labels.dtype}")
    if labels.dtype.kind == "f" and not (np.isfinite(labels).all() and np.array_equal(labels, np.trunc(labels))):
        raise ValueError("to_categorical: y must hold integer class labels, got non-integer values")
    labels = labels.astype(np.int64)
    shape = labels.shape[:-1] if labels.ndim > 1 and labels.shape[-1] == 1 else labels.shape
    labels = labels.reshape(-1)
    if labels.size and labels.min() < 0:
        raise ValueError(f"to_categorical: class labels must be >= 0, got {labels.min()}")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    else:
        num_classes = as_count(num_classes, "num_classes", minimum=1)
        if labels.size and labels.max() >= num_classes:
            raise ValueError(f"to_categorical: label {labels.max()} is out of range for num_classes={num_classes}")
    one_hot = np.zeros((labels.size, num_classes), dtype=dtype)
    one_hot[np.arange(labels.size), labels] = 1
    return one_hot.reshape(shape + (num_classes,))


def __getattr__(name: str) -> Any:
    from ._unsupported import missing
    raise missing(__name__, name, __all__)
