"""The core's one global random generator: seeding (``manual_seed``, TensorFlow's ``set_seed``) and random
permutations (``randperm``); ``randn``, ``rand``, layer init, dropout and shuffling all draw from it."""

from __future__ import annotations

import operator
import os
from typing import Any, Optional

import numpy as np

from . import _core
from ._convert import as_count
from ._dtype import check_dtype

__all__ = ["manual_seed", "set_seed", "randperm"]

_EXACT_FLOAT32_INTEGERS = 2**24
"""Every integer up to this is exact in float32, so ``randperm(n)`` holds exact indices for ``n`` up to it."""


def manual_seed(seed: int) -> None:
    """Seeds the global generator: the same seed gives the same numbers from Python and Swift.

    Args:
        seed: an int in ``[-2**63, 2**64)``; negative seeds are taken modulo ``2**64``.

    Raises:
        TypeError: ``seed`` is not an int.
        ValueError: ``seed`` is out of range.

    Examples:
        >>> import polyhead
        >>> polyhead.manual_seed(42)
        >>> a = polyhead.rand(3).tolist()
        >>> polyhead.manual_seed(42)
        >>> a == polyhead.rand(3).tolist()
        True
    """
    try:
        seed = operator.index(seed)
    except TypeError:
        raise TypeError(f"manual_seed expected an int, got {type(seed).__name__}") from None
    if not -(2**63) <= seed < 2**64:
        raise ValueError(f"seed must be in [-2**63, 2**64), got {seed}")
    _core.manual_seed(seed % 2**64)


def set_seed(seed: Optional[int]) -> None:
    """TensorFlow's ``tf.random.set_seed`` (with ``import polyhead as tf``): seeds the global generator, so
    weight initialisation, dropout and ``fit``'s shuffling repeat; ``None`` reseeds it from the operating
    system's entropy (runs then differ).

    Args:
        seed: an int in ``[-2**63, 2**64)``, or None.

    Raises:
        TypeError: ``seed`` is neither an int nor None.
        ValueError: ``seed`` is out of range.

    Examples:
        >>> import polyhead as tf
        >>> tf.random.set_seed(1)
        >>> a = tf.rand(2).tolist()
        >>> tf.random.set_seed(1)
        >>> a == tf.rand(2).tolist()
        True
    """
    manual_seed(int.from_bytes(os.urandom(8), "little") if seed is None else seed)


def index_permutation(n: int) -> np.ndarray:
    """A random permutation of ``0 … n-1`` from the global generator as a read-only int64 numpy array (the
    exact form of :func:`randperm`, for any ``n``; ``DataLoader`` shuffles with it).

    Raises:
        TypeError: ``n`` is not an int.
        ValueError: ``n`` is negative.
    """
    return np.frombuffer(_core.random_permutation(as_count(n, "n")), dtype=np.int64)


def randperm(n: int, *, generator: Any = None, dtype: Any = None) -> "_core.Tensor":
    """A random permutation of ``0 … n-1`` (PyTorch's ``torch.randperm``) drawn from the global generator:
    ``manual_seed`` makes it repeat. The result indexes tensors (``x[polyhead.randperm(len(x))]``).

    Polyhead tensors are float32 (PyTorch returns int64), so the values are exact integers for
    ``n <= 2**24``; larger ``n`` is refused.

    Args:
        n: the number of items, ``0 <= n <= 2**24``.
        generator: must be None: Polyhead has one global generator (seed it with :func:`manual_seed`).
        dtype: None or ``polyhead.float32``.

    Raises:
        TypeError: ``n`` is not an int, ``generator`` is given, or ``dtype`` is not float32.
        ValueError: ``n`` is negative or above ``2**24``.

    Examples:
        >>> import polyhead
        >>> polyhead.manual_seed(0)
        >>> p = polyhead.randperm(5)
        >>> sorted(p.tolist())
        [0.0, 1.0, 2.0, 3.0, 4.0]
        >>> polyhead.manual_seed(0)
        >>> polyhead.randperm(5).tolist() == p.tolist()
        True
    """
    if generator is not None:
        raise TypeError("randperm(): generator must be None: polyhead has one global generator, seeded by "
                        "polyhead.manual_seed")
    check_dtype(dtype)
    if as_count(n, "n") > _EXACT_FLOAT32_INTEGERS:
        raise ValueError(f"randperm(): n must be <= 2**24 = {_EXACT_FLOAT32_INTEGERS} (float32 tensors hold "
                         f"larger indices inexactly), got {n}")
    return _core.from_buffer(index_permutation(n).astype(np.float32))
