"""PyTorch's ``torch.utils.data``: map-style datasets and the ``DataLoader`` that batches them.

Code written for PyTorch runs with only the imports changed::

    import polyhead as torch
    from polyhead.utils.data import DataLoader, TensorDataset  # or torch.utils.data.DataLoader

    loader = DataLoader(TensorDataset(x, y_digit, y_parity), batch_size=64, shuffle=True)
    for inputs, digit, parity in loader:
        ...

``TensorDataset`` batches (also through ``Subset``/``random_split``) are gathered with one core call per
tensor per batch; other datasets are read sample by sample and joined by ``default_collate``, as in PyTorch.
Shuffling draws from the global generator, so ``polyhead.manual_seed`` makes the order repeat.
"""

from .dataloader import DataLoader, default_collate, default_convert
from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)

__all__ = ["Dataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "DataLoader", "default_collate",
           "default_convert", "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]
