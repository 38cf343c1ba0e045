"""The ``Examples:`` in the docstrings of the installed package run and print what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "polyhead", "polyhead._dtype", "polyhead._size", "polyhead._tensor", "polyhead._creation", "polyhead._ops",
    "polyhead._shape_ops", "polyhead.autograd", "polyhead.random", "polyhead._parallel", "polyhead.nn.parameter",
    "polyhead.nn.functional", "polyhead.nn.modules.module", "polyhead.nn.modules.linear",
    "polyhead.nn.modules.activation", "polyhead.nn.modules.flatten", "polyhead.nn.modules.container",
    "polyhead.nn.modules.loss", "polyhead.optim.sgd", "polyhead.optim.adam",
    "polyhead.optim.rmsprop", "polyhead.optim.adagrad", "polyhead.optim._schedules", "polyhead.optim._plateau",
    "polyhead.optim._one_cycle", "polyhead.nn.utils.clip_grad",
    "polyhead.utils.data.sampler", "polyhead.utils.data.dataset", "polyhead.utils.data.dataloader",
    "polyhead._device", "polyhead.cuda", "polyhead.nn._robust_loss", "polyhead.nn._adaptive_pool",
    "polyhead.nn.modules.adaptive_pooling", "polyhead._indexing", "polyhead.io", "polyhead.serialization",
    "polyhead._compare", "polyhead._layout_ops", "polyhead._linalg", "polyhead._stats",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no examples"


def _mtl_modules():
    import pkgutil

    import polyhead.mtl

    return sorted(info.name for info in pkgutil.walk_packages(polyhead.mtl.__path__, "polyhead.mtl."))


@pytest.mark.parametrize("name", _mtl_modules())
def test_mtl_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0


def _public_symbols():
    import inspect

    import polyhead
    from polyhead import nn, optim

    for owner in (polyhead, nn, nn.functional, optim, polyhead.autograd, polyhead.mtl):
        for name in getattr(owner, "__all__", []):
            obj = getattr(owner, name)
            if inspect.ismodule(obj) or not (inspect.isclass(obj) or callable(obj)):
                continue
            yield f"{owner.__name__}.{name}", obj
            if inspect.isclass(obj) and obj.__module__.startswith("polyhead"):
                for attr, member in vars(obj).items():
                    if attr.startswith("_") or not (callable(member) or isinstance(member, property)):
                        continue
                    yield f"{owner.__name__}.{name}.{attr}", member


def test_every_public_symbol_has_a_docstring():
    missing = sorted({name for name, obj in _public_symbols() if not (getattr(obj, "__doc__", None) or "").strip()})
    assert missing == []
