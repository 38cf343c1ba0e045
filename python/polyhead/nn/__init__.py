"""``polyhead.nn``: modules, parameters and ``functional`` with PyTorch's names and semantics."""

from .parameter import Parameter
from .modules import (ELU, GELU, AvgPool2d, BatchNorm1d, BatchNorm2d, BCELoss, BCEWithLogitsLoss, Conv2d,
                      CrossEntropyLoss, Dropout, Embedding, Flatten, Identity, L1Loss, LayerNorm, LeakyReLU, Linear,
                      LogSoftmax, MaxPool2d, Module, ModuleDict, ModuleList, MSELoss, NLLLoss, ReLU, Sequential,
                      Sigmoid, Softmax, Tanh)
from . import functional, init, utils

__all__ = ["Parameter", "Module", "Identity", "Linear", "ReLU", "Sigmoid", "Tanh", "GELU", "LeakyReLU", "ELU",
           "Softmax", "LogSoftmax", "Flatten", "Conv2d", "MaxPool2d", "AvgPool2d", "Dropout", "Embedding",
           "LayerNorm", "BatchNorm1d", "BatchNorm2d", "Sequential", "ModuleList", "ModuleDict", "MSELoss", "L1Loss",
           "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "functional", "init", "utils"]
