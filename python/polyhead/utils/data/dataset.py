"""Map-style datasets (PyTorch's ``torch.utils.data.dataset``): ``Dataset``, ``TensorDataset``, ``Subset``,
``ConcatDataset`` and ``random_split``, plus the batch gathering the ``DataLoader`` uses for tensor-backed datasets."""

from __future__ import annotations

import bisect
import math
import numbers
import operator
from typing import Any, Callable, Iterable, List, Optional, Sequence

import numpy as np

from ... import _core
from ..._creation import as_tensor
from ..._dtype import dtype_of, with_dtype
from ..._indexing import _index_array
from ...random import Generator, checked_generator, index_permutation

__all__ = ["Dataset", "TensorDataset", "Subset", "ConcatDataset", "random_split"]

_shape = _core.Tensor.shape.__get__


class Dataset:
    """Base of map-style datasets: a subclass defines ``__getitem__(index)`` (one sample) and ``__len__``.

    Examples:
        >>> import polyhead
        >>> from polyhead.utils.data import Dataset
        >>> class Squares(Dataset):
        ...     def __len__(self):
        ...         return 4
        ...     def __getitem__(self, index):
        ...         return polyhead.tensor([index]), float(index * index)
        >>> Squares()[3][1]
        9.0
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other: Any) -> "ConcatDataset":
        """``a + b`` is ``ConcatDataset([a, b])``, as in PyTorch."""
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Samples are rows of equally long tensors: ``dataset[i] == (t[i] for t in tensors)``.

    numpy arrays and nested lists are taken as tensors (float32 arrays are shared, not copied). The
    ``DataLoader`` gathers a batch of rows with one core call per tensor.

    Args:
        *tensors: tensors (or arrays) with the same size of dimension 0.

    Raises:
        ValueError: no tensors, a 0-d tensor, or the sizes of dimension 0 differ.
        TypeError: an argument is not a tensor or an array of numbers.

    Examples:
        >>> import numpy as np, polyhead
        >>> from polyhead.utils.data import TensorDataset
        >>> data = TensorDataset(np.arange(6.0).reshape(3, 2), polyhead.tensor([0, 1, 0]))
        >>> len(data), data[1][0].tolist(), data[1][1].item()
        (3, [2.0, 3.0], 1)
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        self.tensors = tuple(as_tensor(t) for t in tensors)
        sizes = [_shape(t)[0] if _shape(t) else None for t in self.tensors]
        if None in sizes:
            raise ValueError(f"TensorDataset: tensor {sizes.index(None)} is 0-d; every tensor needs a dimension 0")
        if len(set(sizes)) != 1:
            raise ValueError(f"TensorDataset: the tensors' sizes of dimension 0 differ: {sizes}")

    def __getitem__(self, index: Any) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return _shape(self.tensors[0])[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order: ``subset[i] == dataset[indices[i]]``.

    Args:
        dataset: any map-style dataset.
        indices: integer indices into ``dataset`` (a list, range, array or tensor of integral values).

    Examples:
        >>> from polyhead.utils.data import Subset
        >>> Subset([10, 11, 12, 13], [3, 0])[0]
        13
    """

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        self._rows = _index_array(indices, len(dataset)).reshape(-1)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return self.dataset[[int(self._rows[i]) for i in index]]
        return self.dataset[int(self._rows[index])]

    def __len__(self) -> int:
        return len(self._rows)


class ConcatDataset(Dataset):
    """The samples of several datasets one after another: index ``i`` past the first dataset's length reads
    the second, and so on (negative indices count from the end).

    Args:
        datasets: a non-empty iterable of map-style datasets.

    Raises:
        ValueError: no datasets.
        TypeError: a dataset without ``__len__``/``__getitem__``.

    Examples:
        >>> from polyhead.utils.data import ConcatDataset
        >>> both = ConcatDataset([[10, 11], [20, 21, 22]])
        >>> len(both), both[2], both[-1], both.cumulative_sizes
        (5, 20, 22, [2, 5])
    """

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for position, dataset in enumerate(self.datasets):
            if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
                raise TypeError(f"ConcatDataset: datasets[{position}] must be a map-style dataset (with __getitem__ "
                                f"and __len__), got {type(dataset).__name__}")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        index = operator.index(index)
        total = len(self)
        if not -total <= index < total:
            raise IndexError(f"ConcatDataset: index {index} is out of range for length {total}")
        index %= total
        position = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[position - 1] if position else 0
        return self.datasets[position][index - start]


def batch_gatherer(dataset: Any) -> Optional[Callable[[np.ndarray], Any]]:
    """For a tensor-backed dataset (``TensorDataset``, a ``Subset`` of one, a tensor or numpy array) the
    function that takes int64 row indices to the collated batch with one core call per tensor (what
    ``default_collate`` of the samples would give); None for other datasets."""
    if isinstance(dataset, TensorDataset):
        return lambda rows: [with_dtype(_core.index_select(t, rows), dtype_of(t)) for t in dataset.tensors]
    if isinstance(dataset, Subset):
        inner = batch_gatherer(dataset.dataset)
        return None if inner is None else (lambda rows: inner(np.ascontiguousarray(dataset._rows[rows])))
    if isinstance(dataset, (_core.Tensor, np.ndarray)) and np.ndim(dataset) > 0:
        tensor = as_tensor(dataset)
        return lambda rows: with_dtype(_core.index_select(tensor, rows), dtype_of(tensor))
    return None


def _split_lengths(lengths: Sequence[Any], total: int) -> List[int]:
    """``lengths`` as counts: fractions summing to 1 become ``floor(total·f)``, the remainder spread one by one
    from the first part on (PyTorch's rule); counts must sum to ``total``."""
    if isinstance(lengths, (str, bytes)) or not hasattr(lengths, "__len__") or not len(lengths):
        raise TypeError(f"random_split(): lengths must be a non-empty sequence, got {lengths!r}")
    if not all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in lengths):
        raise TypeError(f"random_split(): lengths must be ints or fractions, got {list(lengths)!r}")
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        if any(not 0 <= x <= 1 for x in lengths):
            raise ValueError(f"random_split(): fractions must lie in [0, 1], got {list(lengths)}")
        counts = [int(math.floor(total * x)) for x in lengths]
        for i in range(total - sum(counts)):
            counts[i % len(counts)] += 1
        return counts
    if any(not float(x).is_integer() or x < 0 for x in lengths):
        raise ValueError(f"random_split(): lengths must be counts >= 0 or fractions summing to 1, got {list(lengths)}")
    counts = [int(x) for x in lengths]
    if sum(counts) != total:
        raise ValueError(f"random_split(): the lengths {counts} sum to {sum(counts)}, not to the dataset's "
                         f"length {total}")
    return counts


def random_split(dataset: Any, lengths: Sequence[Any], generator: Optional[Generator] = None) -> List[Subset]:
    """Splits ``dataset`` into non-overlapping random ``Subset`` s of the given lengths (counts, or fractions
    summing to 1), drawn from ``generator`` (a ``polyhead.Generator``) or else the global generator
    (``polyhead.manual_seed`` makes the split repeat).

    Raises:
        ValueError: counts that do not sum to ``len(dataset)``, negative counts, fractions outside [0, 1].
        TypeError: ``lengths`` is not a sequence of numbers, or ``generator`` is not a ``polyhead.Generator``.

    Examples:
        >>> import polyhead
        >>> from polyhead.utils.data import random_split
        >>> polyhead.manual_seed(0)
        >>> train, test = random_split(range(10), [0.8, 0.2])
        >>> len(train), len(test), sorted(list(train) + list(test)) == list(range(10))
        (8, 2, True)
    """
    checked_generator(generator, "random_split")
    counts = _split_lengths(lengths, len(dataset))
    order = index_permutation(len(dataset), generator)
    ends = np.cumsum(counts)
    return [Subset(dataset, order[end - count:end]) for count, end in zip(counts, ends)]
