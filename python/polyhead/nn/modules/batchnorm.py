"""``nn.BatchNorm1d`` and ``nn.BatchNorm2d``: batch normalization with running statistics."""

from __future__ import annotations

import operator
from typing import Any, Optional

from ... import _core
from ...autograd import no_grad
from ..parameter import Parameter
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d"]


class _BatchNorm(Module):
    """Batch normalization (Ioffe & Szegedy 2015) per channel (axis 1), like torch's ``_BatchNorm``.

    In training mode each channel is normalized with the batch mean and biased variance, and the buffers
    ``running_mean``/``running_var`` move towards the batch's mean and *unbiased* variance by ``momentum``
    (or by ``1 / num_batches_tracked``, a cumulative average, when ``momentum`` is None). In evaluation mode
    the running statistics are used. Without ``track_running_stats`` the batch statistics are always used.
    """

    _ranks: tuple = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: Optional[float] = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.num_features = operator.index(num_features)
        if self.num_features < 1:
            raise ValueError(f"num_features must be positive, got {num_features}")
        self.eps = float(eps)
        self.momentum = None if momentum is None else float(momentum)
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        if self.affine:
            self.weight = Parameter(_core.full((self.num_features,), 1.0))
            self.bias = Parameter(_core.full((self.num_features,), 0.0))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", _core.full((self.num_features,), 0.0))
            self.register_buffer("running_var", _core.full((self.num_features,), 1.0))
            # torch keeps an int64 count; tensors here are float32 (exact up to 2**24 batches).
            self.register_buffer("num_batches_tracked", _core.full((), 0.0))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches tracked."""
        if self.track_running_stats:
            with no_grad():
                _core.copy_(self.running_mean, _core.full((), 0.0))
                _core.copy_(self.running_var, _core.full((), 1.0))
                _core.copy_(self.num_batches_tracked, _core.full((), 0.0))

    def reset_parameters(self) -> None:
        """Resets the running statistics, ``weight`` to ones and ``bias`` to zeros."""
        self.reset_running_stats()
        if self.affine:
            with no_grad():
                _core.copy_(self.weight, _core.full((), 1.0))
                _core.copy_(self.bias, _core.full((), 0.0))

    def _check_input_dim(self, input: Any) -> None:
        if not isinstance(input, _core.Tensor):
            raise TypeError(f"batch_norm(): argument 'input' must be Tensor, not {type(input).__name__}")
        if input.ndim not in self._ranks:
            expected = " or ".join(f"{rank}D" for rank in self._ranks)
            raise ValueError(f"expected {expected} input (got {input.ndim}D input)")

    def forward(self, input: _core.Tensor) -> _core.Tensor:
        """Normalizes ``input`` with the batch statistics (training) or the running ones (evaluation)."""
        self._check_input_dim(input)
        buffers, params = self._buffers, self._parameters
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            count = buffers["num_batches_tracked"]
            with no_grad():
                _core.copy_(count, _core.add(count, _core.full((), 1.0)))
            if self.momentum is None:
                factor = 1.0 / _core.item(count)
        use_batch_statistics = self.training or buffers["running_mean"] is None
        track = not self.training or self.track_running_stats
        return _core.batch_norm(input, buffers["running_mean"] if track else None,
                                buffers["running_var"] if track else None, params["weight"], params["bias"],
                                1 if use_batch_statistics else 0, factor, self.eps)

    def extra_repr(self) -> str:
        """The settings shown by ``repr`` (torch's format)."""
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) inputs; see ``_BatchNorm`` for the statistics.

    Args:
        num_features: C.
        eps: added to the variance. Default: 1e-5.
        momentum: weight of each batch in the running statistics (None: cumulative average). Default: 0.1.
        affine: learn ``weight`` (ones) and ``bias`` (zeros). Default: True.
        track_running_stats: keep ``running_mean``, ``running_var`` and ``num_batches_tracked`` buffers
            (they are in ``state_dict``). Default: True.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> m = nn.BatchNorm1d(3)
        >>> _ = m(polyhead.randn(8, 3))
        >>> list(m.state_dict())
        ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
        >>> m.num_batches_tracked.item()
        1.0
    """

    _ranks = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) inputs per channel; arguments as :class:`BatchNorm1d`.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> m = nn.BatchNorm2d(4).eval()
        >>> m(polyhead.ones(2, 4, 3, 3)).shape
        polyhead.Size([2, 4, 3, 3])
        >>> m
        BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
    """

    _ranks = (4,)
