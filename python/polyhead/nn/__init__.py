"""``polyhead.nn``: modules, parameters and ``functional`` with PyTorch's names and semantics."""

from .parameter import Parameter
from .modules import (ELU, GELU, AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, BCELoss,
                      BCEWithLogitsLoss, Conv2d, CrossEntropyLoss, Dropout, Embedding, Flatten, HuberLoss, Identity,
                      L1Loss, LayerNorm, LeakyReLU, Linear, LogSoftmax, MaxPool2d, Module, ModuleDict, ModuleList,
                      MSELoss, NLLLoss, ParameterDict, ParameterList, ReLU, Sequential, Sigmoid, SiLU,
                      SmoothL1Loss, Softmax, Softplus, Tanh)
from . import functional, init, utils

__all__ = ["Parameter", "Module", "Identity", "Linear", "ReLU", "Sigmoid", "Tanh", "GELU", "LeakyReLU", "ELU",
           "SiLU", "Softplus", "Softmax", "LogSoftmax", "Flatten", "Conv2d", "MaxPool2d", "AvgPool2d",
           "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "Dropout", "Embedding", "LayerNorm", "BatchNorm1d",
           "BatchNorm2d", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict", "MSELoss",
           "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss",
           "functional", "init", "utils"]
