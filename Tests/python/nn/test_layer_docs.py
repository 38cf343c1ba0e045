"""The ``Examples:`` of the layer modules of issue 4 run and print what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["polyhead.nn._layer_functional", "polyhead.nn.modules.conv", "polyhead.nn.modules.pooling",
           "polyhead.nn.modules.dropout", "polyhead.nn.modules.sparse", "polyhead.nn.modules.normalization",
           "polyhead.nn.modules.batchnorm", "polyhead.nn.modules.activation"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no examples"
