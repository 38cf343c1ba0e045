"""The core's global random generator: seeding (``manual_seed``, TensorFlow's ``set_seed``) and random
permutations (``randperm``) and integers (``randint``); ``randn``, ``rand``, layer init, dropout and shuffling
all draw from it.
``Generator`` objects hold streams of their own for permutations (``randperm``, ``random_split``, ``DataLoader``)."""

from __future__ import annotations

import operator
import os
import threading
from typing import Any, Optional

import numpy as np

from . import _core
from ._convert import as_count, parse_size
from ._dtype import MAX_EXACT_INTEGER, exact_integers, int64, resolve_dtype, with_dtype

__all__ = ["manual_seed", "set_seed", "randperm", "randint", "Generator"]


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
    _core.manual_seed(_seed_state(seed))


def _seed_state(seed: Any) -> int:
    """A seed in ``[-2**63, 2**64)`` as the generator state ``seed mod 2**64``."""
    try:
        seed = operator.index(seed)
    except TypeError:
        raise TypeError(f"manual_seed expected an int, got {type(seed).__name__}") from None
    if not -(2**63) <= seed < 2**64:
        raise ValueError(f"seed must be in [-2**63, 2**64), got {seed}")
    return seed % 2**64


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


class Generator:
    """A random stream of its own (PyTorch's ``torch.Generator``) for the functions that take ``generator=``:
    ``randperm``, ``utils.data.random_split`` and ``utils.data.DataLoader``'s shuffling. It leaves the global
    generator alone; seeded with ``s`` it draws what the global generator draws after ``manual_seed(s)``.

    Args:
        device: ``"cpu"`` (the only device).

    Examples:
        >>> import polyhead
        >>> g = polyhead.Generator().manual_seed(42)
        >>> a = polyhead.randperm(6, generator=g).tolist()
        >>> a == polyhead.randperm(6, generator=polyhead.Generator().manual_seed(42)).tolist()
        True
        >>> g.initial_seed()
        42
    """

    def __init__(self, device: Any = "cpu") -> None:
        if str(device) != "cpu":
            raise ValueError(f"Generator: polyhead runs on the CPU only, got device={device!r}")
        self.device = "cpu"
        self._lock = threading.Lock()
        self.manual_seed(67280421310721)  # PyTorch's default seed

    def manual_seed(self, seed: int) -> "Generator":
        """Restarts the stream from ``seed`` (an int in ``[-2**63, 2**64)``); returns the generator."""
        state = _seed_state(seed)
        with self._lock:
            self._initial_seed, self._state = operator.index(seed), state
        return self

    def seed(self) -> int:
        """Seeds the generator from the operating system's entropy and returns that seed."""
        seed = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed the stream was last started from."""
        return self._initial_seed

    def __getstate__(self) -> dict:
        """Pickling and ``copy.deepcopy`` keep the stream's position (as PyTorch's generators do)."""
        with self._lock:
            return {"device": self.device, "initial_seed": self._initial_seed, "state": self._state}

    def __setstate__(self, state: dict) -> None:
        self.device, self._lock = state["device"], threading.Lock()
        self._initial_seed, self._state = state["initial_seed"], state["state"]

    def _permutation(self, n: int) -> np.ndarray:
        with self._lock:
            order, self._state = _core.random_permutation(n, self._state)
        return np.frombuffer(order, dtype=np.int64)


def checked_generator(generator: Any, function: str) -> Optional[Generator]:
    """``generator`` if it is None or a :class:`Generator`; else TypeError naming ``function``."""
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(f"{function}: generator must be a polyhead.Generator or None, got {type(generator).__name__}")
    return generator


def index_permutation(n: int, generator: Optional[Generator] = None) -> np.ndarray:
    """A random permutation of ``0 … n-1`` as a read-only int64 numpy array, from ``generator`` or else the
    global generator (the exact form of :func:`randperm`, for any ``n``; ``DataLoader`` shuffles with it).

    Raises:
        TypeError: ``n`` is not an int, or ``generator`` is neither None nor a :class:`Generator`.
        ValueError: ``n`` is negative.
    """
    n = as_count(n, "n")
    if checked_generator(generator, "index_permutation") is None:
        return np.frombuffer(_core.random_permutation(n, None)[0], dtype=np.int64)
    return generator._permutation(n)


def randperm(n: int, *, generator: Optional[Generator] = None, dtype: Any = None) -> "_core.Tensor":
    """A random permutation of ``0 … n-1`` (PyTorch's ``torch.randperm``) drawn from ``generator``, or else the
    global generator (``manual_seed`` makes it repeat). The result indexes tensors:
    ``x[polyhead.randperm(len(x))]``.

    The result is int64 like PyTorch's; integer tensors are float32 storage, exact for ``n <= 2**24``, so
    larger ``n`` is refused.

    Args:
        n: the number of items, ``0 <= n <= 2**24``.
        generator: a :class:`Generator` to draw from. Default: None (the global generator).
        dtype: None (int64) or another ``polyhead`` dtype.

    Raises:
        TypeError: ``n`` is not an int, ``generator`` is not a :class:`Generator`, or ``dtype`` is unsupported.
        ValueError: ``n`` is negative or above ``2**24``.

    Examples:
        >>> import polyhead
        >>> polyhead.manual_seed(0)
        >>> p = polyhead.randperm(5)
        >>> sorted(p.tolist())
        [0, 1, 2, 3, 4]
        >>> polyhead.manual_seed(0)
        >>> polyhead.randperm(5).tolist() == p.tolist()
        True
    """
    target = resolve_dtype(dtype) or int64
    checked_generator(generator, "randperm")
    if as_count(n, "n") > MAX_EXACT_INTEGER:
        raise ValueError(f"randperm(): n must be <= 2**24 = {MAX_EXACT_INTEGER} (float32 storage holds "
                         f"larger indices inexactly), got {n}")
    return with_dtype(_core.from_buffer(index_permutation(n, generator).astype(np.float32)), target)


def randint(*args: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False) -> "_core.Tensor":
    """Integers drawn uniformly from ``[low, high)`` by the global generator (PyTorch's ``torch.randint``):
    ``randint(high, size)`` or ``randint(low, high, size)``; int64 unless ``dtype`` says otherwise.

    Args:
        low, high: integers with ``low < high`` and magnitudes up to ``2**24``; ``low`` defaults to 0.
        size: the shape (a tuple or list of ints), positional or keyword.
        dtype: None (int64) or another ``polyhead`` dtype.

    Raises:
        TypeError: wrong number of arguments, or ``dtype`` is unsupported.
        ValueError: ``low >= high``, non-integer bounds or magnitudes above ``2**24``.

    Examples:
        >>> import polyhead
        >>> polyhead.manual_seed(0)
        >>> x = polyhead.randint(3, 7, (50,))
        >>> x.dtype, all(3 <= v <= 6 for v in x.tolist())
        (polyhead.int64, True)
    """
    if size is None and args:
        args, size = args[:-1], args[-1]
    if size is None or len(args) not in (1, 2):
        raise TypeError("randint() takes (high, size) or (low, high, size)")
    low, high = (0, args[0]) if len(args) == 1 else args
    exact_integers([low, high], int64, "randint(low, high)")
    if not low < high:
        raise ValueError(f"randint(): low must be < high, got low={low}, high={high}")
    target = resolve_dtype(dtype) or int64
    uniform = np.asarray(_core.uniform(parse_size((size,)), 0.0, 1.0), dtype=np.float64)
    values = np.minimum(np.floor(low + uniform * (high - low)), high - 1).astype(np.float32)
    out = with_dtype(_core.from_buffer(values), target)
    if requires_grad:
        out.requires_grad = True
    return out
