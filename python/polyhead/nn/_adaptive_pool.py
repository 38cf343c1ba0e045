"""``adaptive_avg_pool2d`` and ``adaptive_max_pool2d``: pooling to a fixed output size, with torch's bins
(bin ``k`` of ``n`` over a length ``L`` spans ``[floor(k·L/n), ceil((k+1)·L/n))``)."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from .. import _core, _ops
from ._layer_functional import _batched, _unsupported

__all__ = ["adaptive_avg_pool2d", "adaptive_max_pool2d"]

OutputSize = Union[int, None, Sequence[Optional[int]]]
_shape = _core.Tensor.shape.__get__


def _adaptive(input: Any, output_size: OutputSize, function: str, pool) -> _core.Tensor:
    """Runs ``pool(x, out_h, out_w)`` on the 4-D (or batched 3-D) ``input``."""
    def call(x: _core.Tensor) -> _core.Tensor:
        shape = _shape(x)
        if len(shape) != 4:
            raise ValueError(f"{function}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {shape}")
        return pool(x, *_output_size(output_size, shape[2], shape[3], function))

    return _batched(input, function, call)


def _output_size(output_size: OutputSize, height: int, width: int, function: str) -> Tuple[int, int]:
    """``(out_h, out_w)``; None keeps the input's size along that axis."""
    pair = (output_size, output_size) if output_size is None or isinstance(output_size, int) else tuple(output_size)
    if len(pair) != 2:
        raise ValueError(f"{function}: output_size must be an int or a pair, got {output_size!r}")
    sizes = tuple(size if size is not None else full for size, full in zip(pair, (height, width)))
    if any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes):
        raise ValueError(f"{function}: output_size must hold positive ints (or None), got {output_size!r}")
    return sizes


def _bins(length: int, count: int) -> np.ndarray:
    """A (count, length) 0/1 matrix: row k marks the positions in torch's bin k."""
    starts = (np.arange(count) * length) // count
    ends = -((-(np.arange(1, count + 1) * length)) // count)
    positions = np.arange(length)
    return ((positions >= starts[:, None]) & (positions < ends[:, None])).astype(np.float64)


def adaptive_avg_pool2d(input: _core.Tensor, output_size: OutputSize) -> _core.Tensor:
    """The mean of each of ``output_size`` bins per channel: (N, C, H, W) or (C, H, W) → (…, out_h, out_w).
    ``output_size=1`` is global average pooling. Computed as one matrix product with the bins' averaging
    matrix, so gradients flow as through ``matmul``.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> x = polyhead.arange(5.0).reshape(1, 1, 1, 5)
        >>> F.adaptive_avg_pool2d(x, (1, 3)).tolist()
        [[[[0.5, 2.0, 3.5]]]]
    """
    def pool(x: _core.Tensor, out_h: int, out_w: int) -> _core.Tensor:
        n, c, h, w = _shape(x)
        rows, cols = _bins(h, out_h), _bins(w, out_w)
        weights = np.kron(rows / rows.sum(1, keepdims=True), cols / cols.sum(1, keepdims=True))
        averaging = _core.from_buffer(np.ascontiguousarray(weights.T, dtype=np.float32))
        flat = _core.reshape(x, (n * c, h * w))
        return _core.reshape(_ops.matmul(flat, averaging), (n, c, out_h, out_w))

    return _adaptive(input, output_size, "adaptive_avg_pool2d", pool)


def adaptive_max_pool2d(input: _core.Tensor, output_size: OutputSize, return_indices: bool = False) -> _core.Tensor:
    """The maximum of each of ``output_size`` bins per channel; the input's height and width must be multiples
    of the output size (equal bins, a ``max_pool2d`` with kernel = stride = input / output).

    Raises:
        NotImplementedError: bins of unequal sizes, or ``return_indices=True``.
    """
    _unsupported(bool(return_indices), "adaptive_max_pool2d", "return_indices=True")

    def pool(x: _core.Tensor, out_h: int, out_w: int) -> _core.Tensor:
        _, _, h, w = _shape(x)
        _unsupported(bool(h % out_h or w % out_w), "adaptive_max_pool2d",
                     f"pooling {h}x{w} into {out_h}x{out_w} bins of unequal sizes (sizes must divide evenly)")
        kernel = (h // out_h, w // out_w)
        return _core.max_pool2d(x, *kernel, *kernel, 0, 0)

    return _adaptive(input, output_size, "adaptive_max_pool2d", pool)
