"""``_core.mtl_*`` and ``_core.MtlMethod`` under ``mtl.MultiTaskMethod``: GIL release, reference counts, live
core objects, and the bridge functions' argument errors and results."""

from __future__ import annotations

import gc
import sys
import threading
import time

import numpy as np
import pytest

import polyhead as ph
from polyhead import _core, mtl, nn


class Equal(mtl.MultiTaskMethod):
    _core_name = "linear"


class Surgery(mtl.MultiTaskMethod):
    _core_name = "pcgrad"


def exported_method_classes():
    return [cls for cls in (getattr(mtl, name) for name in mtl.__all__)
            if isinstance(cls, type) and issubclass(cls, mtl.MultiTaskMethod) and cls is not mtl.MultiTaskMethod]


def live():
    gc.collect()
    return _core.debug_live_objects()


# ---------------------------------------------------------------- threads and lifetimes


def test_backward_releases_the_gil():
    """A Python thread keeps running while a large gradient-method backward runs in the core."""
    ph.manual_seed(1)
    trunk = nn.Sequential(nn.Linear(512, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU())
    heads = [nn.Linear(1024, 1) for _ in range(4)]
    x = ph.randn(256, 512)

    def step():
        h = trunk(x)
        return Surgery().backward([head(h).mean() for head in heads], shared_parameters=trunk.parameters())

    step()  # warm up
    stamps, stop = [], threading.Event()

    def ticker():
        while not stop.is_set():
            stamps.append(time.perf_counter())

    previous_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        time.sleep(0.02)
        h = trunk(x)
        losses = [head(h).mean() for head in heads]
        start = time.perf_counter()
        Surgery().backward(losses, shared_parameters=trunk.parameters())
        end = time.perf_counter()
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(previous_interval)
    inside = np.array([start] + [s for s in stamps if start <= s <= end] + [end])
    duration = end - start
    assert duration > 0.01, "backward too quick to tell"
    assert np.max(np.diff(inside)) < 0.5 * duration, (np.max(np.diff(inside)), duration)


def test_refcounts_stable_over_1000_backward_calls(model, x):
    method = Surgery(2)
    params = list(model.parameters())
    core = method._core
    watched = params + [x, method, core]
    before = [sys.getrefcount(o) for o in watched]
    for _ in range(1000):
        model.zero_grad()
        h, losses = model.losses(x)
        method.backward(losses, shared_parameters=model.trunk.parameters())
    rep = Surgery(2, rep_grad=True)
    for _ in range(100):
        h, losses = model.losses(x)
        rep.backward(losses, representation=h)
    del h, losses
    gc.collect()
    assert [sys.getrefcount(o) for o in watched] == before


def test_live_core_objects_return_to_baseline(two_heads, x):
    baseline = live()
    model = two_heads()
    methods = [Equal(), Equal(2), Equal(weight1=3.0), Surgery(), Surgery(2, rep_grad=True)]
    methods += [cls(2) for cls in exported_method_classes()]
    for method in methods:
        h, losses = model.losses(x)
        if method.rep_grad:
            method.backward(losses, representation=h)
        else:
            method.backward(losses, shared_parameters=model.trunk.parameters())
        method.end_epoch()
        method.parameters()
    failed = Equal(bogus=1.0)
    with pytest.raises(ValueError):
        failed.backward(model.losses(x)[1], shared_parameters=model.trunk.parameters())
    assert live() > baseline
    del model, methods, method, h, losses, failed
    assert live() == baseline


# ---------------------------------------------------------------- the bridge functions themselves


def test_core_method_type_is_made_only_by_mtl_method():
    with pytest.raises(TypeError):
        _core.MtlMethod()
    method = _core.mtl_method("linear", 2, ["weight0", "weight1"], (2, 0.5))
    assert type(method) is _core.MtlMethod and _core.mtl_parameters(method) == []


@pytest.mark.parametrize("args,error,text", [
    (("linear", 2, ("weight0",), ()), ValueError, "'option_names' has 1 entries but 'option_values' has 0"),
    (("linear", 2, "weight0", (1.0,)), TypeError, "'option_names' must be a sequence of str"),
    (("linear", 2, (1,), (1.0,)), TypeError, "'option_names' item 0 must be str"),
    (("linear", 2, ("weight0",), ("1",)), TypeError, "'option_values' must be a real number"),
    (("linear", 2, ("we\0ight0",), (1.0,)), ValueError, "NUL"),
    ((3, 2, (), ()), TypeError, "'name' must be str"),
    (("linear", 2.0, (), ()), TypeError, "'task_count' must be int"),
    (("linear", 2**40, (), ()), OverflowError, "task_count"),
    (("nope", 2, (), ()), ValueError, "unknown method"),
    (("linear", 0, (), ()), ValueError, "task count"),
    (("linear", 2, ("weight0", "weight0"), (1.0, 2.0)), ValueError, "weight0"),
])
def test_core_mtl_method_argument_errors(args, error, text):
    with pytest.raises(error, match=text):
        _core.mtl_method(*args)


def test_core_mtl_backward_argument_errors(model, x):
    method = _core.mtl_method("pcgrad", 2, (), ())
    h, losses = model.losses(x)
    shared = list(model.trunk.parameters())
    cases = [
        (("m", losses, shared, None, None), TypeError, "'method' must be a polyhead MtlMethod"),
        ((method, losses[0], shared, None, None), TypeError, "'losses' must be a sequence"),
        ((method, [losses[0], 1], shared, None, None), TypeError, "'losses' item 1"),
        ((method, losses, [shared[0], None], None, None), TypeError, "'shared_parameters' item 1"),
        ((method, losses, shared, 5, None), TypeError, "'representation'"),
        ((method, losses, shared, None, 1), TypeError, "'present' must be a sequence of ints"),
        ((method, losses, shared, None, (1,)), ValueError, "'present' has 1 flags for 2 losses"),
        ((method, losses[:1], shared, None, None), ValueError, "expected 2 task losses, got 1"),
        ((method, losses[:1], shared, None, (1,)), ValueError, "expected 2 task losses, got 1"),
        ((method, losses, [], None, None), ValueError, "shared parameters or representation"),
    ]
    for args, error, text in cases:
        with pytest.raises(error, match=text):
            _core.mtl_backward(*args)
    with pytest.raises(TypeError, match="takes exactly 5 arguments"):
        _core.mtl_backward(method, losses, shared, None)
    weights = _core.mtl_backward(method, losses, shared, None, [True, False])
    assert isinstance(weights, tuple) and len(weights) == 2 and all(isinstance(w, float) for w in weights)
    assert weights[1] == 0  # flagged absent
    for name in ("mtl_parameters", "mtl_end_epoch"):
        with pytest.raises(TypeError, match="'method' must be a polyhead MtlMethod"):
            getattr(_core, name)(None)


# ---------------------------------------------------------------- every registered core method, generically


def generic(name):
    """A MultiTaskMethod subclass over core method ``name`` (no Python class needed)."""
    return type(f"Generic_{name}", (mtl.MultiTaskMethod,), {"_core_name": name, "__doc__": name})


def step(method, model, x):
    h, losses = model.losses(x)
    if method.rep_grad:
        return method.backward(losses, representation=h)
    return method.backward(losses, shared_parameters=model.trunk.parameters())


@pytest.mark.parametrize("name", mtl.available_methods())
@pytest.mark.parametrize("rep_grad", [False, True], ids=["parameters", "representation"])
def test_every_core_method_runs_through_the_base_class_without_leaks(name, rep_grad, two_heads, x):
    baseline = live()
    model = two_heads()
    cls = generic(name)
    method = cls(rep_grad=rep_grad)
    try:
        record = step(method, model, x)
    except ValueError as error:  # a method may support only one of the two modes; it must say so
        assert "representation" in str(error) or "parameter" in str(error), error
        del error
    else:
        assert record.weights.shape == (2,) and np.all(np.isfinite(record.weights)), record.weights
        params = list(model.parameters()) + method.parameters()
        assert all(p.grad is not None and np.all(np.isfinite(p.grad.numpy())) for p in params), name
        before = [sys.getrefcount(o) for o in params + [x, method, method._core]]
        for _ in range(50):
            model.zero_grad()
            step(method, model, x)
            method.end_epoch()
        gc.collect()
        assert [sys.getrefcount(o) for o in params + [x, method, method._core]] == before
        del record, params, before
    del model, method, cls
    assert live() == baseline
