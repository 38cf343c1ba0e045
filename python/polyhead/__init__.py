"""Polyhead: multi-task learning on a Swift compute core, with a PyTorch-style Python API.

Code written for PyTorch runs with only the imports changed, within Polyhead's feature set::

    import polyhead as torch
    import polyhead.nn as nn
    import polyhead.nn.functional as F
    import polyhead.optim as optim

Tensors are float32, row-major and contiguous; the math runs in the core (``polyhead._core``). Integer
dtypes (``int64``/``long``, ``int32``/``int``, ``bool``) tag tensors of exact integers over float32 storage,
for class labels, indices and masks.
"""

from __future__ import annotations

from typing import Any

from . import _core
from ._dtype import bool_, dtype, float32, int32, int64
from ._size import Size
from ._tensor import Tensor
from ._integer_tensor import BoolTensor, IntTensor, LongTensor
from ._indexing import nonzero, where
from ._creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace, ones,
                        ones_like, rand, rand_like, randn, randn_like, tensor, zeros, zeros_like)
from ._ops import (add, argmax, argmin, cos, div, exp, log, log_softmax, mean, sin, mul, neg, pow, relu, sigmoid,
                   softmax, sqrt, sub, sum, tanh)
from ._compare import (abs, absolute, all, allclose, any, clamp, clip, eq, equal, ge, greater, greater_equal, gt,
                       isfinite, isinf, isnan, le, less, less_equal, lt, masked_fill, max, maximum, min, minimum, ne,
                       not_equal, sign)
from ._layout_ops import cumsum, gather, permute, topk
from ._linalg import bmm, einsum, matmul
from ._stats import norm, std, var
from . import _tensor_methods  # noqa: F401  (attaches the ops above as Tensor methods)
from ._shape_ops import (cat, chunk, concat, concatenate, flatten, reshape, split, squeeze, stack, t, transpose,
                         unbind, unsqueeze)
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .random import Generator, manual_seed, randint, randperm
from ._parallel import get_num_threads, set_num_threads
from ._device import device
from . import autograd, cuda, mtl, nn, optim, utils
from . import keras
from .keras import Input, Model, layers
from . import io
from .serialization import load, save

float = float32  # torch.float is torch.float32
long = int64  # torch.long is torch.int64
int = int32  # torch.int is torch.int32
bool = bool_  # torch.bool
FloatTensor = Tensor  # torch.FloatTensor (the legacy constructor and type of float32 tensors)

__version__ = "0.1.0"


def is_tensor(obj: Any) -> bool:
    """True if ``obj`` is a Polyhead tensor (or a ``Parameter``).

    Examples:
        >>> import polyhead
        >>> polyhead.is_tensor(polyhead.zeros(1)), polyhead.is_tensor([0.0])
        (True, False)
    """
    return isinstance(obj, _core.Tensor)


def numel(input: Tensor) -> int:
    """The number of elements of ``input``."""
    return _core.numel(input)


def __getattr__(name: str) -> Any:
    # Subpackages that are imported on first use (``polyhead.datasets``, ``polyhead.sklearn``).
    if name in ("datasets", "sklearn"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Size", "Tensor", "FloatTensor", "LongTensor", "IntTensor", "BoolTensor", "dtype", "float32", "float", "int64", "long", "int32", "int", "bool",
    "tensor", "from_numpy", "as_tensor", "zeros", "ones", "full", "empty", "randn", "rand", "arange",
    "zeros_like", "ones_like", "full_like", "empty_like", "randn_like", "rand_like",
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "relu", "sigmoid", "tanh",
    "softmax", "log_softmax", "matmul", "sum", "mean", "max", "min", "argmax", "argmin",
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
    "isnan", "isinf", "isfinite", "all", "any", "allclose", "equal", "abs", "absolute", "sign",
    "clamp", "clip", "maximum", "minimum", "masked_fill", "permute", "gather", "topk", "cumsum",
    "bmm", "einsum", "sin", "cos", "std", "var", "norm", "eye", "linspace",
    "reshape", "transpose", "t", "flatten", "squeeze", "unsqueeze",
    "cat", "concat", "concatenate", "stack", "split", "chunk", "unbind",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "manual_seed", "randperm", "randint", "Generator", "set_num_threads", "get_num_threads", "is_tensor", "numel",
    "device", "autograd", "cuda", "mtl", "nn", "optim", "utils", "keras", "Input", "Model", "layers",
    "io", "save", "load",
]
