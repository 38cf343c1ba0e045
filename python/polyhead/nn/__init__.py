"""``polyhead.nn``: modules, parameters and ``functional`` with PyTorch's names and semantics."""

from .parameter import Parameter
from .modules import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, Flatten, Identity, L1Loss, Linear,
                      LogSoftmax, Module, ModuleDict, ModuleList, MSELoss, NLLLoss, ReLU, Sequential, Sigmoid,
                      Softmax, Tanh)
from . import functional

__all__ = ["Parameter", "Module", "Identity", "Linear", "ReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
           "Flatten", "Sequential", "ModuleList", "ModuleDict", "MSELoss", "L1Loss", "BCELoss",
           "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "functional"]
