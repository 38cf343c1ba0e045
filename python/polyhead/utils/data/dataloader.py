"""PyTorch's ``DataLoader``: batches of a map-style dataset, shuffled by a seeded generator, and the default
collation of samples into batches (``default_collate``, ``default_convert``)."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any, Callable, Iterable, Iterator, Optional

import numpy as np

from ... import _core
from ..._convert import as_count
from ..._creation import copy_as_tensor
from ..._shape_ops import stack
from ...random import Generator, checked_generator
from .dataset import batch_gatherer
from .sampler import RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert"]

_NUMERIC_KINDS = "biuf"


def _numeric_array(array: np.ndarray) -> _core.Tensor:
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"default_collate: numpy arrays must hold numbers, got dtype {array.dtype}")
    return copy_as_tensor(array, "batch")


def default_convert(data: Any) -> Any:
    """One sample as the ``DataLoader`` yields it without batching (``batch_size=None``): numpy arrays and
    numpy scalars become tensors of their dtype (float32, int64, int32, bool), inside tuples, lists and dicts
    too; anything else is unchanged."""
    if isinstance(data, (np.ndarray, np.generic)) and data.dtype.kind in _NUMERIC_KINDS:
        return _numeric_array(np.asarray(data))
    if isinstance(data, Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return type(data)(*(default_convert(value) for value in data))
    if isinstance(data, (tuple, list)):
        return type(data)(default_convert(value) for value in data)
    return data


def default_collate(batch: Sequence[Any]) -> Any:
    """Joins a list of samples into one batch, as PyTorch does: tensors and numpy arrays are stacked along a
    new dimension 0 (one core call; integer dtypes kept), numbers become a 1-D tensor (int64 for ints, bool
    for bools, float32 for floats), strings stay as they are, and dicts, namedtuples, tuples and lists are
    collated field by field (tuples and lists give lists).

    Raises:
        TypeError: a sample type it cannot collate (e.g. None, a set, a numpy array of strings).
        ValueError: sequences of different lengths, or tensors/arrays of different shapes.

    Examples:
        >>> import polyhead
        >>> from polyhead.utils.data import default_collate
        >>> x, y = default_collate([(polyhead.zeros(3), 0), (polyhead.ones(3), 1)])
        >>> x.shape, y.tolist()
        (polyhead.Size([2, 3]), [0, 1])
    """
    elem = batch[0]
    if isinstance(elem, _core.Tensor):
        return stack(batch)
    if isinstance(elem, (np.ndarray, np.generic)):
        return _numeric_array(np.stack([np.asarray(sample) for sample in batch]))
    if isinstance(elem, numbers.Real):
        return copy_as_tensor(list(batch), "batch")
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(elem, Sequence):
        lengths = {len(sample) for sample in batch}
        if len(lengths) != 1:
            raise ValueError(f"default_collate: every sample in the batch must have the same length, got lengths "
                             f"{sorted(lengths)}")
        return [default_collate(field) for field in zip(*batch)]
    raise TypeError("default_collate: batch must contain tensors, numpy arrays, numbers, strings, dicts or "
                    f"sequences; found {type(elem).__name__}")


class DataLoader:
    """Iterates over a map-style dataset in batches (PyTorch's ``torch.utils.data.DataLoader``).

    Each ``iter(loader)`` (each epoch) visits the indices its ``sampler`` gives: every sample once in order, or
    in a new random order when ``shuffle=True`` (drawn from ``generator``, or else the global generator that
    ``polyhead.manual_seed`` seeds). Batches of a ``TensorDataset`` (also through ``Subset``/``random_split``),
    a tensor or a numpy array are gathered with one core call per tensor; other datasets are read sample by
    sample (``dataset[i]``, or ``dataset.__getitems__(indices)`` when defined) and joined by ``collate_fn``.

    Args:
        dataset: a map-style dataset (``__getitem__`` + ``__len__``), a tensor or a numpy array.
        batch_size: samples per batch, or None to yield single samples (converted by ``collate_fn``,
            default :func:`default_convert`). Default: 1.
        shuffle: draw a new order every epoch (a ``RandomSampler``). Default: False.
        sampler: what yields the integer indices of an epoch (e.g. ``SubsetRandomSampler``,
            ``WeightedRandomSampler``); not with ``shuffle``. Default: None (sequential, or random with ``shuffle``).
        batch_sampler: yields each batch's list of indices (e.g. a ``BatchSampler``); excludes ``batch_size``,
            ``shuffle``, ``sampler`` and ``drop_last``. Default: None.
        num_workers: accepted for PyTorch scripts; Polyhead loads in the calling process (the batches are
            the same). Default: 0. ``timeout``, ``worker_init_fn``, ``multiprocessing_context``,
            ``prefetch_factor``, ``persistent_workers`` and ``pin_memory_device`` are accepted and unused likewise.
        collate_fn: joins a list of samples into a batch. Default: :func:`default_collate`.
        pin_memory: accepted for PyTorch scripts; no effect (tensors live in CPU memory). Default: False.
        drop_last: drop the last batch when it is smaller than ``batch_size``. Default: False.
        generator: the ``polyhead.Generator`` that draws the shuffled orders. Default: None (the global
            generator).

    Raises:
        ValueError: ``batch_size`` < 1, ``num_workers`` < 0, ``drop_last`` with ``batch_size=None``,
            ``sampler`` with ``shuffle``, or ``batch_sampler`` with one of the options it excludes.
        TypeError: ``dataset`` has no length, ``generator`` is not a ``polyhead.Generator``, or an argument of
            the wrong type.

    Examples:
        >>> import numpy as np, polyhead
        >>> from polyhead.utils.data import DataLoader, TensorDataset
        >>> data = TensorDataset(np.arange(10.0).reshape(5, 2), np.arange(5))
        >>> loader = DataLoader(data, batch_size=2)
        >>> len(loader), [y.tolist() for _, y in loader]
        (3, [[0, 1], [2, 3], [4]])
    """

    def __init__(self, dataset: Any, batch_size: Optional[int] = 1, shuffle: bool = False, sampler: Any = None,
                 batch_sampler: Any = None, num_workers: int = 0, collate_fn: Optional[Callable[[Any], Any]] = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0, worker_init_fn: Any = None,
                 multiprocessing_context: Any = None, generator: Optional[Generator] = None, *,
                 prefetch_factor: Optional[int] = None, persistent_workers: bool = False,
                 pin_memory_device: str = "") -> None:
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: dataset must be a map-style dataset (with __getitem__ and __len__), "
                            f"got {type(dataset).__name__}")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                 "sampler, and drop_last")
            if not hasattr(batch_sampler, "__iter__"):
                raise TypeError(f"DataLoader: batch_sampler must be iterable, got {type(batch_sampler).__name__}")
        if batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None disables batching and cannot be combined with drop_last")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler and shuffle=True exclude each other (the sampler sets the order)")
        generator = checked_generator(generator, "DataLoader")
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        self.dataset = dataset
        self.batch_sampler = batch_sampler
        if batch_sampler is not None:
            batch_size = None
        self.batch_size = None if batch_size is None else as_count(batch_size, "batch_size", minimum=1)
        self.sampler = sampler
        self.num_workers = as_count(num_workers, "num_workers")
        unbatched = batch_size is None and batch_sampler is None
        self.collate_fn = collate_fn or (default_convert if unbatched else default_collate)
        self.pin_memory = bool(pin_memory)
        self.drop_last = bool(drop_last)
        self.generator = generator

    def __len__(self) -> int:
        """The number of batches per epoch."""
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        count = len(self.sampler)
        if self.batch_size is None:
            return count
        return count // self.batch_size if self.drop_last else -(-count // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        """One epoch's batches; a random order is drawn now, when the iteration starts."""
        if self.batch_sampler is not None:
            return self._batches(np.asarray(list(rows), dtype=np.int64).reshape(-1) for rows in self.batch_sampler)
        if isinstance(self.sampler, Sampler) and type(self.sampler)._order is not Sampler._order:
            order = self.sampler._order()
        else:
            order = np.fromiter(iter(self.sampler), dtype=np.int64)
        if self.batch_size is None:
            return (self.collate_fn(self.dataset[index]) for index in order.tolist())
        stop = len(order) - len(order) % self.batch_size if self.drop_last else len(order)
        return self._batches(order[start:start + self.batch_size] for start in range(0, stop, self.batch_size))

    def _batches(self, row_groups: Iterable[np.ndarray]) -> Iterator[Any]:
        gather = batch_gatherer(self.dataset) if self.collate_fn is default_collate else None
        getitems = getattr(self.dataset, "__getitems__", None)
        for rows in row_groups:
            if gather is not None:
                yield gather(rows)
            elif getitems is not None:
                yield self.collate_fn(getitems(rows.tolist()))
            else:
                yield self.collate_fn([self.dataset[index] for index in rows.tolist()])
