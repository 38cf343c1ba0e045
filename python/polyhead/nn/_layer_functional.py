"""The functional forms of the layers of issue 4 (re-exported by ``polyhead.nn.functional``): convolution,
pooling, dropout, embedding, normalization and the parametrised activations, with torch's names, argument
names and semantics. Arguments are normalised here; every computation is one ``_core`` call."""

from __future__ import annotations

import operator
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from .. import _core
from .._convert import require_tensor

__all__ = ["conv2d", "max_pool2d", "avg_pool2d", "dropout", "embedding", "layer_norm", "batch_norm", "gelu",
           "leaky_relu", "elu"]

_shape = _core.Tensor.shape.__get__
IntOrPair = Union[int, Tuple[int, int], Sequence[int]]
_GELU_MODES = {"none": _core.GELU_NONE, "tanh": _core.GELU_TANH}


def _pair(value: Any, name: str) -> Tuple[int, int]:
    """An int or a pair of ints as ``(height, width)``; TypeError/ValueError naming ``name`` otherwise."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {tuple(value)!r}")
        items = tuple(value)
    else:
        items = (value, value)
    try:
        return operator.index(items[0]), operator.index(items[1])
    except TypeError:
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}") from None


def _unsupported(condition: bool, function: str, what: str) -> None:
    if condition:
        raise NotImplementedError(f"{function}(): {what} is not supported by Polyhead")


def _batched(input: Any, function: str, call) -> _core.Tensor:
    """Runs ``call`` on a 4-D (N, C, H, W) input; a 3-D (C, H, W) input is treated as a batch of one, as torch."""
    x = require_tensor(input, function)
    shape = _shape(x)
    if len(shape) == 3:
        out = call(_core.reshape(x, (1,) + shape))
        return _core.reshape(out, _shape(out)[1:])
    return call(x)


def _conv_padding(padding: Any, kernel: Tuple[int, int], stride: Tuple[int, int]) -> Tuple[int, int]:
    """torch's padding forms: an int, a pair, ``'valid'`` (0) or ``'same'`` (stride 1, odd kernels here)."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0
        if padding != "same":
            raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
        if stride != (1, 1):
            raise ValueError("padding='same' is not supported for strided convolutions")
        _unsupported(kernel[0] % 2 == 0 or kernel[1] % 2 == 0, "conv2d", "padding='same' with an even kernel size")
        return (kernel[0] - 1) // 2, (kernel[1] - 1) // 2
    return _pair(padding, "padding")


def conv2d(input: _core.Tensor, weight: _core.Tensor, bias: Optional[_core.Tensor] = None, stride: IntOrPair = 1,
           padding: Union[IntOrPair, str] = 0, dilation: IntOrPair = 1, groups: int = 1) -> _core.Tensor:
    """2-D convolution (cross-correlation, like torch) of ``input`` with ``weight``, plus ``bias``.

    Computed in the core as im2col + one matrix product per sample (and GEMMs + col2im backward).

    Args:
        stride: an int or ``(sH, sW)``. Default: 1.
        padding: zeros on both sides: an int, ``(pH, pW)``, ``'valid'`` or ``'same'`` (stride 1). Default: 0.
        dilation, groups: only 1 is supported (anything else raises ``NotImplementedError``).

    Shape:
        input (N, C, H, W) or (C, H, W); weight (O, C, kH, kW); bias (O,) → (N, O, H_out, W_out) with
        ``H_out = (H + 2·pH − kH) // sH + 1``.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> F.conv2d(polyhead.ones(1, 1, 3, 3), polyhead.ones(1, 1, 2, 2)).tolist()
        [[[[4.0, 4.0], [4.0, 4.0]]]]
    """
    _unsupported(_pair(dilation, "dilation") != (1, 1), "conv2d", "dilation other than 1")
    _unsupported(groups != 1, "conv2d", "groups other than 1")
    w = require_tensor(weight, "conv2d", "weight")
    b = None if bias is None else require_tensor(bias, "conv2d", "bias")
    s = _pair(stride, "stride")
    kernel = _shape(w)[2:4] if len(_shape(w)) == 4 else (1, 1)
    p = _conv_padding(padding, kernel, s)
    return _batched(input, "conv2d", lambda x: _core.conv2d(x, w, b, s[0], s[1], p[0], p[1]))


def _pool_window(kernel_size: Any, stride: Any, padding: Any) -> Tuple[int, ...]:
    kernel = _pair(kernel_size, "kernel_size")
    steps = kernel if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else _pair(stride, "stride")
    return kernel + steps + _pair(padding, "padding")


def max_pool2d(input: _core.Tensor, kernel_size: IntOrPair, stride: Optional[IntOrPair] = None,
               padding: IntOrPair = 0, dilation: IntOrPair = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> _core.Tensor:
    """The maximum of every ``kernel_size`` window (implicit −inf padding, at most half the kernel).

    Args:
        stride: defaults to ``kernel_size``.
        dilation, ceil_mode, return_indices: only the defaults are supported.

    Shape:
        (N, C, H, W) or (C, H, W) → (N, C, H_out, W_out), ``H_out = (H + 2·pH − kH) // sH + 1``.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> F.max_pool2d(polyhead.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
        [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    _unsupported(_pair(dilation, "dilation") != (1, 1), "max_pool2d", "dilation other than 1")
    _unsupported(bool(ceil_mode), "max_pool2d", "ceil_mode=True")
    _unsupported(bool(return_indices), "max_pool2d", "return_indices=True")
    window = _pool_window(kernel_size, stride, padding)
    return _batched(input, "max_pool2d", lambda x: _core.max_pool2d(x, *window))


def avg_pool2d(input: _core.Tensor, kernel_size: IntOrPair, stride: Optional[IntOrPair] = None,
               padding: IntOrPair = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None) -> _core.Tensor:
    """The mean of every ``kernel_size`` window (zero padding, at most half the kernel).

    Args:
        stride: defaults to ``kernel_size``.
        count_include_pad: divide by the full window size (True) or by the input pixels covered. Default: True.
        ceil_mode, divisor_override: only the defaults are supported.

    Shape:
        (N, C, H, W) or (C, H, W) → (N, C, H_out, W_out), as :func:`max_pool2d`.
    """
    _unsupported(bool(ceil_mode), "avg_pool2d", "ceil_mode=True")
    _unsupported(divisor_override is not None, "avg_pool2d", "divisor_override")
    window = _pool_window(kernel_size, stride, padding)
    include = 1 if count_include_pad else 0
    return _batched(input, "avg_pool2d", lambda x: _core.avg_pool2d(x, *window, include))


def _probability(p: Any) -> float:
    if not isinstance(p, (int, float, np.integer, np.floating)) or isinstance(p, bool) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def dropout(input: _core.Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> _core.Tensor:
    """Inverted dropout: in training, zeroes each element with probability ``p`` and scales the rest by
    ``1 / (1 - p)``; otherwise returns ``input`` itself.

    The mask comes from the global generator (``polyhead.manual_seed``), so Swift and Python drop the same
    elements for the same seed. ``inplace`` is accepted for compatibility; the result is a new tensor.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> x = polyhead.ones(8)
        >>> F.dropout(x, 0.5, training=False) is x
        True
        >>> sorted(set(F.dropout(x, 0.5).tolist())) in ([0.0, 2.0], [0.0], [2.0])
        True
    """
    x = require_tensor(input, "dropout")
    probability = _probability(p)
    if not training:
        return x
    return _core.dropout(x, probability)


def _indices(input: Any) -> Tuple[np.ndarray, Tuple[int, ...]]:
    """Integer indices (a tensor of integral floats, an integer numpy array, a list) as a flat int64 array
    and their shape.

    Raises:
        ValueError: non-integral or non-finite values.
        TypeError: another type, or non-numbers.
    """
    if isinstance(input, (_core.Tensor, np.ndarray, list, tuple, int, np.integer)):
        array = np.asarray(input)
    else:
        raise TypeError(f"embedding(): argument 'input' must be a Tensor, an integer numpy array or a list of "
                        f"indices, not {type(input).__name__}")
    if array.dtype.kind == "f":
        if not (np.isfinite(array).all() and np.array_equal(array, np.trunc(array))):
            raise ValueError("embedding(): indices must be integers, got non-integer values")
    elif array.dtype.kind not in "biu":
        raise TypeError(f"embedding(): indices must be integers, got numpy dtype {array.dtype}")
    return np.ascontiguousarray(array.reshape(-1), dtype=np.int64), tuple(array.shape)


def _padding_index(padding_idx: Optional[int], rows: int) -> int:
    """torch's padding_idx (None, or in [-rows, rows)) as the core's row (or -1 for none)."""
    if padding_idx is None:
        return -1
    index = operator.index(padding_idx)
    if not -rows <= index < rows:
        raise ValueError(f"Padding_idx must be within num_embeddings, got {index} for {rows} embeddings")
    return index % rows


def embedding(input: Any, weight: _core.Tensor, padding_idx: Optional[int] = None, max_norm: Optional[float] = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> _core.Tensor:
    """The rows of ``weight`` at the integer indices ``input``.

    The gradient of a row sums the gradients of every position that picked it; row ``padding_idx`` gets none.

    Args:
        input: indices in ``[0, num_embeddings)``: a tensor of integral values, an integer array or a list.
        padding_idx: a row excluded from the gradient (negative counts from the end). Default: None.
        max_norm, scale_grad_by_freq, sparse: only the defaults are supported.

    Shape:
        input (*), weight (num_embeddings, embedding_dim) → (*, embedding_dim).

    Raises:
        IndexError: an index is out of range.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> F.embedding([[2, 0]], polyhead.arange(6.0).reshape(3, 2)).tolist()
        [[[4.0, 5.0], [0.0, 1.0]]]
    """
    _unsupported(max_norm is not None, "embedding", "max_norm")
    _unsupported(bool(scale_grad_by_freq), "embedding", "scale_grad_by_freq=True")
    _unsupported(bool(sparse), "embedding", "sparse=True")
    w = require_tensor(weight, "embedding", "weight")
    indices, shape = _indices(input)
    rows = _shape(w)[0] if len(_shape(w)) == 2 else 0
    return _core.embedding(w, indices, shape, _padding_index(padding_idx, rows) if rows else -1)


def layer_norm(input: _core.Tensor, normalized_shape: Union[int, Sequence[int]], weight: Optional[_core.Tensor] = None,
               bias: Optional[_core.Tensor] = None, eps: float = 1e-5) -> _core.Tensor:
    """Normalizes over the trailing dims ``normalized_shape`` (mean 0, biased variance 1), then
    ``* weight + bias``.

    Shape:
        input (*, normalized_shape); weight and bias ``normalized_shape`` (or None) → input's shape.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> [round(v, 4) for v in F.layer_norm(polyhead.tensor([[1.0, 3.0]]), (2,)).tolist()[0]]
        [-1.0, 1.0]
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    w = None if weight is None else require_tensor(weight, "layer_norm", "weight")
    b = None if bias is None else require_tensor(bias, "layer_norm", "bias")
    return _core.layer_norm(require_tensor(input, "layer_norm"), shape, w, b, float(eps))


def batch_norm(input: _core.Tensor, running_mean: Optional[_core.Tensor], running_var: Optional[_core.Tensor],
               weight: Optional[_core.Tensor] = None, bias: Optional[_core.Tensor] = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> _core.Tensor:
    """Batch normalization per channel (axis 1) of an (N, C, *) input.

    In training the batch mean and biased variance normalize, and ``running_mean``/``running_var`` (if given)
    move in place: ``running = (1 - momentum) * running + momentum * batch`` (unbiased variance for
    ``running_var``). Otherwise the running statistics are used.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> mean, var = polyhead.zeros(1), polyhead.ones(1)
        >>> [round(v, 3) for v in F.batch_norm(polyhead.tensor([[1.0], [3.0]]), mean, var, training=True).flatten().tolist()]
        [-1.0, 1.0]
        >>> round(mean.item(), 4), round(var.item(), 4)
        (0.2, 1.1)
    """
    tensors = []
    for name, value in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                        ("bias", bias)):
        tensors.append(None if value is None else require_tensor(value, "batch_norm", name))
    return _core.batch_norm(require_tensor(input, "batch_norm"), *tensors, 1 if training else 0, float(momentum),
                            float(eps))


def gelu(input: _core.Tensor, approximate: str = "none") -> _core.Tensor:
    """Gaussian error linear unit ``x * Φ(x)``: exact (``approximate='none'``) or ``'tanh'``-approximated.

    Examples:
        >>> import polyhead
        >>> import polyhead.nn.functional as F
        >>> round(F.gelu(polyhead.tensor([1.0])).item(), 4), round(F.gelu(polyhead.tensor([1.0]), approximate="tanh").item(), 4)
        (0.8413, 0.8412)
    """
    mode = _GELU_MODES.get(approximate) if isinstance(approximate, str) else None
    if mode is None:
        raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")
    return _core.gelu(require_tensor(input, "gelu"), mode)


def leaky_relu(input: _core.Tensor, negative_slope: float = 0.01, inplace: bool = False) -> _core.Tensor:
    """``x`` where ``x > 0``, else ``negative_slope * x`` (``inplace`` accepted; the result is new)."""
    return _core.leaky_relu(require_tensor(input, "leaky_relu"), float(negative_slope))


def elu(input: _core.Tensor, alpha: float = 1.0, inplace: bool = False) -> _core.Tensor:
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)`` (``inplace`` accepted; the result is new)."""
    return _core.elu(require_tensor(input, "elu"), float(alpha))
