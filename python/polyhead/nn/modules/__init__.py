"""The layer classes of ``polyhead.nn`` (one concept per file, like ``torch.nn.modules``)."""

from .module import Module
from .linear import Identity, Linear
from .activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .flatten import Flatten
from .conv import Conv2d
from .pooling import AvgPool2d, MaxPool2d
from .adaptive_pooling import AdaptiveAvgPool2d, AdaptiveMaxPool2d
from .dropout import Dropout
from .sparse import Embedding
from .normalization import LayerNorm
from .batchnorm import BatchNorm1d, BatchNorm2d
from .container import ModuleDict, ModuleList, Sequential
from .parameter_container import ParameterDict, ParameterList
from .composed_activation import SiLU, Softplus
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss,
                   SmoothL1Loss)

__all__ = ["Module", "Identity", "Linear", "ReLU", "Sigmoid", "Tanh", "GELU", "LeakyReLU", "ELU", "SiLU", "Softplus",
           "Softmax", "LogSoftmax", "Flatten", "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
           "AdaptiveMaxPool2d", "Dropout", "Embedding", "LayerNorm", "BatchNorm1d", "BatchNorm2d", "Sequential",
           "ModuleList", "ModuleDict", "ParameterList", "ParameterDict", "MSELoss", "L1Loss", "SmoothL1Loss",
           "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss"]
