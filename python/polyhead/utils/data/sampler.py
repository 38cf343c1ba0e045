"""Samplers (PyTorch's ``torch.utils.data.sampler``): the order in which a ``DataLoader`` visits a dataset's
indices. Random orders are permutations drawn from a ``polyhead.Generator`` or the global generator."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, List, Optional, Sequence

import numpy as np

from ..._convert import as_count
from ..._indexing import _index_array
from ...random import Generator, checked_generator, index_permutation

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]


def _stream(generator: Optional[Generator]) -> np.random.Generator:
    """A numpy stream seeded by one short permutation drawn from ``generator`` (or the global generator), so
    that draws with replacement repeat under ``polyhead.manual_seed`` and advance the Polyhead stream."""
    return np.random.default_rng(index_permutation(32, generator))


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

    With ``replacement=True`` the ``num_samples`` indices are drawn independently and uniformly instead.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw with replacement. Default: False.
        num_samples: indices per epoch, >= 1. Default: None (``len(data_source)``).
        generator: a ``polyhead.Generator``. Default: None (the global generator).

    Raises:
        ValueError: ``num_samples < 1``.
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
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement should be a boolean value, but got replacement={replacement}")
        self.data_source = data_source
        self.replacement = replacement
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
        if self.replacement:
            return _stream(self.generator).integers(0, size, count, dtype=np.int64)
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


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights`` (PyTorch's
    ``WeightedRandomSampler``; e.g. to balance classes with ``weights = 1 / class_count[labels]``).

    Without replacement each index is drawn at most once, successively in proportion to the weights left
    (the distribution of ``torch.multinomial(weights, n, replacement=False)``).

    Args:
        weights: one non-negative weight per index (a sequence, numpy array or tensor; need not sum to 1).
        num_samples: indices per epoch, >= 1 (at most the number of positive weights without replacement).
        replacement: draw with replacement. Default: True.
        generator: a ``polyhead.Generator``. Default: None (the global generator).

    Raises:
        ValueError: negative or non-finite weights, all weights zero, ``num_samples`` < 1, or more samples
            than positive weights without replacement.
        TypeError: ``num_samples`` not an int, ``replacement`` not a bool.

    Examples:
        >>> import polyhead
        >>> from polyhead.utils.data import WeightedRandomSampler
        >>> polyhead.manual_seed(0)
        >>> sorted(set(WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], num_samples=20)))
        [1, 3]
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Optional[Generator] = None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        values = np.asarray(weights.tolist() if hasattr(weights, "tolist") else weights, dtype=np.float64).reshape(-1)
        if values.size == 0 or not np.all(np.isfinite(values)) or np.any(values < 0) or not values.sum() > 0:
            raise ValueError("WeightedRandomSampler: weights must be finite, non-negative and not all zero, got "
                             f"{values.size} weights summing to {values.sum()}")
        self.num_samples = as_count(num_samples, "num_samples", minimum=1)
        if not replacement and self.num_samples > np.count_nonzero(values):
            raise ValueError(f"WeightedRandomSampler: cannot draw {self.num_samples} samples without replacement "
                             f"from {np.count_nonzero(values)} positive weights")
        self.weights, self.replacement = values, replacement
        self.generator = checked_generator(generator, "WeightedRandomSampler")

    def _order(self) -> np.ndarray:
        stream = _stream(self.generator)
        if self.replacement:
            cumulative = np.cumsum(self.weights)
            draws = stream.random(self.num_samples) * cumulative[-1]
            return np.minimum(np.searchsorted(cumulative, draws, side="right"), len(cumulative) - 1).astype(np.int64)
        # Efraimidis & Spirakis (2006): the largest keys u^(1/w) are a successive weighted draw
        with np.errstate(divide="ignore"):
            keys = np.log(stream.random(len(self.weights))) / self.weights
        return np.argsort(-keys, kind="stable")[:self.num_samples].astype(np.int64)

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter unless
    ``drop_last``); pass it as ``DataLoader(dataset, batch_sampler=...)``.

    Examples:
        >>> from polyhead.utils.data import BatchSampler, SequentialSampler
        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        self.sampler = sampler
        self.batch_size = as_count(batch_size, "batch_size", minimum=1)
        if not isinstance(drop_last, bool):
            raise TypeError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[List[int]]:
        batch: List[int] = []
        for index in self.sampler:
            batch.append(int(index))
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        count = len(self.sampler)
        return count // self.batch_size if self.drop_last else -(-count // self.batch_size)
