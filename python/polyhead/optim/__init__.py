"""``polyhead.optim``: ``SGD``, ``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad`` with PyTorch's names, options and
update rules, and the learning-rate schedules of ``polyhead.optim.lr_scheduler``."""

from typing import Any

from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam, AdamW
from .rmsprop import RMSprop
from .adagrad import Adagrad
from . import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]

_NOT_IMPLEMENTED = ("Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop", "LBFGS", "SparseAdam")


def __getattr__(name: str) -> Any:
    if name in _NOT_IMPLEMENTED:
        raise AttributeError(f"polyhead.optim.{name} is not implemented; available optimizers: "
                             "SGD, Adam, AdamW, RMSprop, Adagrad")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
