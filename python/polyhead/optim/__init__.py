"""``polyhead.optim``: ``SGD``, ``Adam``, ``AdamW`` with PyTorch's names, options and update rules."""

from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam, AdamW

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]
