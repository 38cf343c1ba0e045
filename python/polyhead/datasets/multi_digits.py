"""``load_multi_digits()``: a MultiMNIST-style two-task data set built offline from the bundled 8×8 digits.

As MultiMNIST (Sener & Koltun, "Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018), each
image overlays two digits on one canvas, one shifted up-left and one shifted down-right so that they
overlap, and the two tasks are "which digit is on the left" and "which digit is on the right". Built from
the bundled UCI digits with numpy (no download; ≈ 40 ms for 6,000 images), deterministically from a seed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from . import PIXEL_MAX, _test_count, load_digits

__all__ = ["MultiDigits", "load_multi_digits"]

DIGIT_SIZE = 8


@dataclass(frozen=True)
class MultiDigits:
    """Overlaid digit pairs, split into a train and a test set whose source digits are disjoint.

    Attributes:
        x_train, x_test: float32 images in [0, 1], ``(n, 1, size, size)`` (NCHW, for the torch-style API) or
            ``(n, size, size, 1)`` when loaded with ``channels_last=True`` (NHWC, for Keras-style layers).
        y_left_train, y_left_test: int64 ``(n,)`` class 0–9 of the up-left digit (task 1).
        y_right_train, y_right_test: int64 ``(n,)`` class 0–9 of the down-right digit (task 2).
        sources_train, sources_test: int64 ``(n, 2)`` indices into ``load_digits()`` of the left and the right
            source digit of each image.
        offsets_train, offsets_test: int64 ``(n, 4)`` (row, column) of the top-left corner of the left and
            then the right digit on the canvas.
    """

    x_train: np.ndarray
    x_test: np.ndarray
    y_left_train: np.ndarray
    y_left_test: np.ndarray
    y_right_train: np.ndarray
    y_right_test: np.ndarray
    sources_train: np.ndarray
    sources_test: np.ndarray
    offsets_train: np.ndarray
    offsets_test: np.ndarray


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def _overlay(images: np.ndarray, pool: np.ndarray, count: int, size: int, jitter: int,
             rng: np.random.Generator):
    """``count`` canvases from two distinct digits of ``pool`` each: (canvases, sources, offsets)."""
    left = rng.choice(pool, count)
    # A different digit of the pool on the right: shift the left one's position by 1 … len(pool) − 1.
    position = np.searchsorted(pool, left)
    right = pool[(position + rng.integers(1, len(pool), count)) % len(pool)]
    shifts = rng.integers(0, jitter + 1, (count, 4))
    offsets = np.concatenate([shifts[:, :2], size - DIGIT_SIZE - shifts[:, 2:]], axis=1)
    canvases = np.zeros((count, size, size), dtype=np.float32)
    for column, sources in ((0, left), (2, right)):
        layer = np.zeros_like(canvases)
        for row, col in itertools.product(np.unique(offsets[:, column]), np.unique(offsets[:, column + 1])):
            chosen = (offsets[:, column] == row) & (offsets[:, column + 1] == col)
            layer[chosen, row:row + DIGIT_SIZE, col:col + DIGIT_SIZE] = images[sources[chosen]]
        np.maximum(canvases, layer, out=canvases)
    return canvases, np.stack([left, right], axis=1).astype(np.int64), offsets.astype(np.int64)


def load_multi_digits(n_train: int = 5000, n_test: int = 1000, size: int = 12, jitter: int = 1,
                      test_sources: float = 0.2, seed: int = 0, channels_last: bool = False) -> MultiDigits:
    """Build the two-digit overlay data set (MultiMNIST-style) from the bundled 8×8 digits.

    The 1,797 source digits are first split by a seeded permutation: ``test_sources`` of them (rounded up,
    360 by default) only appear in test images, the others only in training images. Each image then takes
    two different source digits of its side of the split: the left one with its top-left corner at
    ``(r, c)`` and the right one with its top-left corner at ``(size − 8 − r', size − 8 − c')``, where r, c,
    r', c' are uniform in ``{0, …, jitter}`` (so the right digit sits down-right of the left one and they
    overlap by ``16 − size`` pixels or more). Pixel = ``max(left pixel, right pixel) / 16`` (0 where neither
    digit covers the canvas).

    Args:
        n_train, n_test: the numbers of training and test images.
        size: the canvas side, 9–15 (12 by default: digits overlapping by 4–6 pixels each way).
        jitter: the largest random shift of each digit, 0 ≤ jitter < size − 8.
        test_sources: the fraction (or an int count) of source digits kept for the test images.
        seed: the seed of the ``numpy.random.default_rng`` behind the split, the pairs and the shifts; one seed
            always gives the same data.
        channels_last: return images as ``(n, size, size, 1)`` (NHWC, Keras's ``Conv2D``) instead of
            ``(n, 1, size, size)`` (NCHW, ``nn.Conv2d``); ``np.transpose(x, (0, 2, 3, 1))`` converts too.

    Returns:
        A :class:`MultiDigits`: images ``x_*`` (float32), labels ``y_left_*`` and ``y_right_*`` (int64 0–9), and
        the ``sources_*`` and ``offsets_*`` each image was built from.

    Raises:
        ValueError: for non-positive counts, ``size`` outside 9–15, ``jitter`` outside [0, size − 8), or a bad
            ``test_sources``.

    Example:
        >>> data = load_multi_digits(n_train=100, n_test=20)
        >>> data.x_train.shape, data.x_train.dtype, data.y_left_train.dtype, data.y_right_test.shape
        ((100, 1, 12, 12), dtype('float32'), dtype('int64'), (20,))
    """
    n_train, n_test = _positive_int(n_train, "n_train"), _positive_int(n_test, "n_test")
    size, jitter = int(size), int(jitter)
    if not DIGIT_SIZE < size < 2 * DIGIT_SIZE:
        raise ValueError(f"size must be between {DIGIT_SIZE + 1} and {2 * DIGIT_SIZE - 1} so the digits overlap, "
                         f"got {size}")
    if not 0 <= jitter < size - DIGIT_SIZE:
        raise ValueError(f"jitter must be in [0, size - {DIGIT_SIZE}) = [0, {size - DIGIT_SIZE}), got {jitter}")
    pixels, labels = load_digits()
    images = pixels.reshape(-1, DIGIT_SIZE, DIGIT_SIZE).astype(np.float32) / np.float32(PIXEL_MAX)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(images))
    held_out = _test_count(test_sources, len(images))
    pools = {"test": np.sort(order[:held_out]), "train": np.sort(order[held_out:])}
    parts = {}
    for split, count in (("train", n_train), ("test", n_test)):
        canvases, sources, offsets = _overlay(images, pools[split], count, size, jitter, rng)
        x = canvases[:, :, :, None] if channels_last else canvases[:, None, :, :]
        parts[split] = (np.ascontiguousarray(x), labels[sources[:, 0]], labels[sources[:, 1]], sources, offsets)
    train, test = parts["train"], parts["test"]
    return MultiDigits(x_train=train[0], x_test=test[0], y_left_train=train[1], y_left_test=test[1],
                       y_right_train=train[2], y_right_test=test[2], sources_train=train[3], sources_test=test[3],
                       offsets_train=train[4], offsets_test=test[4])
