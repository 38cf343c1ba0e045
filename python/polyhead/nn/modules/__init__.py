"""The layer classes of ``polyhead.nn`` (one concept per file, like ``torch.nn.modules``)."""

from .module import Module
from .linear import Identity, Linear
from .activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .flatten import Flatten
from .container import ModuleDict, ModuleList, Sequential
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss

__all__ = ["Module", "Identity", "Linear", "ReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Flatten",
           "Sequential", "ModuleList", "ModuleDict", "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss",
           "CrossEntropyLoss", "NLLLoss"]
