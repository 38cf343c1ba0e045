"""Small data sets bundled with Polyhead.

``load_digits()`` returns the 1,797 8×8 handwritten digits of UCI optdigits (Alpaydin & Kaynak, 1998,
CC BY 4.0; see ``LICENSE-digits.txt`` beside this file). ``load_digits_multitask()`` splits them into a
train and a test set and derives two tasks from each image: which digit it is, and whether it is ≥ 5.
``load_multi_digits()`` overlays two of them per image, MultiMNIST-style, for a left-digit and a
right-digit task (``multi_digits.py``).

Only numpy is needed; nothing here touches the compiled core.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from typing import Tuple

import numpy as np

__all__ = ["DigitsMultitask", "MultiDigits", "load_digits", "load_digits_multitask", "load_multi_digits"]

_DIGITS_FILE = "digits.npz"
N_SAMPLES = 1797
N_FEATURES = 64
PIXEL_MAX = 16


def load_digits() -> Tuple[np.ndarray, np.ndarray]:
    """Return the raw UCI optdigits images and labels, in the original order.

    Returns:
        ``(x, y)`` with ``x`` a uint8 array of shape ``(1797, 64)`` holding the 8×8 images row-major
        (pixel counts 0–16) and ``y`` an int64 array of shape ``(1797,)`` holding the digit 0–9.
        Both are fresh arrays the caller may modify.
    """
    with resources.files(__name__).joinpath(_DIGITS_FILE).open("rb") as f:
        with np.load(f) as data:
            x = np.array(data["images"], dtype=np.uint8)
            y = np.array(data["labels"], dtype=np.int64)
    if x.shape != (N_SAMPLES, N_FEATURES) or y.shape != (N_SAMPLES,):
        raise OSError(f"{_DIGITS_FILE} is damaged: images {x.shape}, labels {y.shape}")
    return x, y


@dataclass(frozen=True)
class DigitsMultitask:
    """A train/test split of the digits with two tasks per image.

    Attributes:
        x_train, x_test: float32 ``(n, 64)`` images; in [0, 1] when loaded with ``normalize=True``,
            else raw pixel counts 0–16.
        y_digit_train, y_digit_test: int64 ``(n,)`` digit class 0–9 (task 1, 10-way classification;
            use with ``cross_entropy``).
        y_large_train, y_large_test: float32 ``(n, 1)`` 1.0 if the digit is ≥ 5 else 0.0 (task 2,
            binary; shaped like a one-logit head's output, for ``binary_cross_entropy_with_logits``).
    """

    x_train: np.ndarray
    x_test: np.ndarray
    y_digit_train: np.ndarray
    y_digit_test: np.ndarray
    y_large_train: np.ndarray
    y_large_test: np.ndarray

    @property
    def n_train(self) -> int:
        """Number of training samples."""
        return int(self.x_train.shape[0])

    @property
    def n_test(self) -> int:
        """Number of test samples."""
        return int(self.x_test.shape[0])


def _test_count(test_size: float, n: int) -> int:
    """Number of test samples for ``test_size`` (a fraction in (0, 1) or a count), as scikit-learn."""
    if isinstance(test_size, bool):
        raise TypeError("test_size must be a float in (0, 1) or an int count, not bool")
    if isinstance(test_size, (int, np.integer)):
        n_test = int(test_size)
    elif isinstance(test_size, (float, np.floating)):
        if not 0.0 < float(test_size) < 1.0:
            raise ValueError(f"test_size as a fraction must be in (0, 1), got {test_size}")
        n_test = math.ceil(float(test_size) * n)
    else:
        raise TypeError(f"test_size must be a float or an int, not {type(test_size).__name__}")
    if not 0 < n_test < n:
        raise ValueError(f"test_size gives {n_test} test samples; need between 1 and {n - 1}")
    return n_test


def load_digits_multitask(test_size: float = 0.2, seed: int = 0, normalize: bool = True) -> DigitsMultitask:
    """Load the digits as a two-task problem with a deterministic train/test split.

    Task ``digit``: the class 0–9. Task ``large``: whether the digit is ≥ 5 (896 of 1,797 images).

    Args:
        test_size: fraction of the 1,797 samples held out (0.2 → 360 test, 1,437 train; rounded up as
            in scikit-learn), or an int number of test samples.
        seed: seed of the ``numpy.random.default_rng`` permutation that assigns samples to the split;
            the same seed always gives the same split. Not stratified.
        normalize: divide pixels by 16 so inputs lie in [0, 1]; if False keep counts 0–16 (still float32).

    Returns:
        A :class:`DigitsMultitask` with ``x_train``, ``x_test``, ``y_digit_train``, ``y_digit_test``,
        ``y_large_train``, ``y_large_test``.

    Example:
        >>> data = load_digits_multitask(seed=0)
        >>> data.x_train.shape, data.y_digit_train.dtype, data.y_large_train.shape
        ((1437, 64), dtype('int64'), (1437, 1))
    """
    x, y = load_digits()
    n = x.shape[0]
    n_test = _test_count(test_size, n)
    order = np.random.default_rng(seed).permutation(n)
    test_idx, train_idx = order[:n_test], order[n_test:]

    images = x.astype(np.float32)
    if normalize:
        images /= np.float32(PIXEL_MAX)
    large = (y >= 5).astype(np.float32).reshape(-1, 1)

    def part(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a[idx])

    return DigitsMultitask(
        x_train=part(images, train_idx),
        x_test=part(images, test_idx),
        y_digit_train=part(y, train_idx),
        y_digit_test=part(y, test_idx),
        y_large_train=part(large, train_idx),
        y_large_test=part(large, test_idx),
    )


from .multi_digits import MultiDigits, load_multi_digits  # noqa: E402  (builds on load_digits above)
