"""Samplers (PyTorch's ``torch.utils.data.sampler``): the order in which a ``DataLoader`` visits a dataset's
indices. Random orders are permutations drawn from a ``polyhead.Generator`` or the global generator."""

from __future__ import annotations

from typing import Any, Iterator, Optional, Sequence

import numpy as np

from ..._convert import as_count
from ..._indexing import _index_array
from ...random import Generator, checked_generator, index_permutation

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler"]


class Sampler:
    """Base of samplers: ``__iter__`` yields dataset indices (ints) and ``__len__`` counts them. The samplers
    here draw one epoch's order at once as an int64 numpy array (``_order()``), which the ``DataLoader`` uses
    directly; a user's subclass defines ``__iter__``."""

    def __iter__(self) -> Iterator[int]:
        return iter(self._order().tolist())

    def _order(self) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler):
    """``0, 1, …, len(data_source) - 1`` in order (a ``DataLoader`` without ``shuffle``)."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def _order(self) -> np.ndarray:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A new random order every epoch (a ``DataLoader`` with ``shuffle=True``): a permutation of the indices,
    or ``num_samples`` of them taken from successive permutations (PyTorch's rule, without replacement).

    Args:
        data_source: the dataset (only its length is used).
        replacement: must be False (Polyhead draws permutations only).
        num_samples: indices per epoch, >= 1. Default: None (``len(data_source)``).
        generator: a ``polyhead.Generator``. Default: None (the global generator).

    Raises:
        ValueError: ``replacement=True`` or ``num_samples < 1``.
        TypeError: ``generator`` is not a ``polyhead.Generator``.

    Examples:
        >>> import polyhead
        >>> from polyhead.utils.data import RandomSampler
        >>> order = list(RandomSampler(range(5), num_samples=7, generator=polyhead.Generator().manual_seed(0)))
        >>> sorted(order[:5]), len(order)
        ([0, 1, 2, 3, 4], 7)
    """

    def __init__(self, data_source: Any, replacement: bool = False, num_samples: Optional[int] = None,
                 generator: Optional[Generator] = None) -> None:
        if replacement:
            raise ValueError("RandomSampler: replacement=True is not supported (Polyhead draws permutations)")
        self.data_source = data_source
        self.replacement = False
        self._num_samples = None if num_samples is None else as_count(num_samples, "num_samples", minimum=1)
        self.generator = checked_generator(generator, "RandomSampler")

    @property
    def num_samples(self) -> int:
        """Indices per epoch."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _order(self) -> np.ndarray:
        size, count = len(self.data_source), self.num_samples
        if size == 0:
            return np.empty(0, dtype=np.int64)
        rounds = [index_permutation(size, self.generator) for _ in range(-(-count // size))]
        return rounds[0] if count == size else np.concatenate(rounds)[:count]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a new random order every epoch (e.g. a validation split of one dataset).

    Args:
        indices: integer dataset indices.
        generator: a ``polyhead.Generator``. Default: None (the global generator).
    """

    def __init__(self, indices: Sequence[int], generator: Optional[Generator] = None) -> None:
        self.indices = indices
        self._rows = _index_array(indices, len(indices)).reshape(-1)
        self.generator = checked_generator(generator, "SubsetRandomSampler")

    def _order(self) -> np.ndarray:
        return self._rows[index_permutation(len(self._rows), self.generator)]

    def __len__(self) -> int:
        return len(self._rows)
