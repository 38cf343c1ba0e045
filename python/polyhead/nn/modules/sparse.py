"""``nn.Embedding``: a lookup table of learned vectors."""

from __future__ import annotations

import operator
from typing import Any, Optional

from ... import _core
from ..._convert import as_tensor
from ...autograd import no_grad
from .. import functional as F
from .._layer_functional import _padding_index, _unsupported
from ..parameter import Parameter
from .module import Module

__all__ = ["Embedding"]


class Embedding(Module):
    """Maps integer indices to rows of a learned table.

    The table starts N(0, 1) (torch's init), drawn by the core from the global generator, with row
    ``padding_idx`` (if any) zeroed; that row never receives a gradient.

    Args:
        num_embeddings: size of the table.
        embedding_dim: size of each vector.
        padding_idx: a row kept out of training (negative counts from the end). Default: None.
        max_norm, scale_grad_by_freq, sparse: only the defaults are supported.

    Shape:
        Input (*) of indices in ``[0, num_embeddings)`` (a tensor of integral values, an integer numpy array
        or a list) → (*, embedding_dim).

    Examples:
        >>> import polyhead
        >>> from polyhead import nn
        >>> m = nn.Embedding(10, 3, padding_idx=0)
        >>> m([[1, 2, 0], [4, 3, 9]]).shape
        polyhead.Size([2, 3, 3])
        >>> m.weight[0].tolist()
        [0.0, 0.0, 0.0]
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: Optional[int] = None,
                 max_norm: Optional[float] = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: Any = None, _freeze: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        _unsupported(max_norm is not None, "Embedding", "max_norm")
        _unsupported(bool(scale_grad_by_freq), "Embedding", "scale_grad_by_freq=True")
        _unsupported(bool(sparse), "Embedding", "sparse=True")
        self.num_embeddings = operator.index(num_embeddings)
        self.embedding_dim = operator.index(embedding_dim)
        self.padding_idx = None if padding_idx is None else _padding_index(padding_idx, max(self.num_embeddings, 1))
        self.max_norm, self.norm_type, self.scale_grad_by_freq, self.sparse = None, norm_type, False, False
        if _weight is None:
            weight = _core.embedding_init(self.num_embeddings, self.embedding_dim,
                                          -1 if self.padding_idx is None else self.padding_idx)
        else:
            weight = as_tensor(_weight, "_weight")
            if tuple(weight.shape) != (self.num_embeddings, self.embedding_dim):
                raise ValueError("Shape of weight does not match num_embeddings and embedding_dim")
        self.weight = Parameter(weight, requires_grad=not _freeze)

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True, padding_idx: Optional[int] = None,
                        **kwargs: Any) -> "Embedding":
        """An ``Embedding`` holding a copy of (or sharing, for a tensor) the 2-D ``embeddings``; frozen by default."""
        table = as_tensor(embeddings, "embeddings")
        if table.ndim != 2:
            raise ValueError("Embeddings parameter is expected to be 2-dimensional")
        rows, dim = table.shape
        return cls(rows, dim, padding_idx=padding_idx, _weight=table, _freeze=freeze, **kwargs)

    def reset_parameters(self) -> None:
        """Draws a fresh N(0, 1) table (padding row zeroed)."""
        fresh = _core.embedding_init(self.num_embeddings, self.embedding_dim,
                                     -1 if self.padding_idx is None else self.padding_idx)
        with no_grad():
            _core.copy_(self.weight, fresh)

    def forward(self, input: Any) -> _core.Tensor:
        """The rows of ``weight`` at ``input``."""
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        """The settings shown by ``repr``."""
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        return text + (f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")
