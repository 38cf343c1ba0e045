"""Memory: zero-copy numpy round trips, lifetimes of shared buffers, no reference or object leaks."""

from __future__ import annotations

import gc
import os
import sys

import numpy as np
import pytest

import polyhead as ph
from polyhead import _core


def live() -> int:
    gc.collect()
    return _core.debug_live_objects()


# ---------------------------------------------------------------- sharing


def test_numpy_view_shares_memory_with_the_tensor():
    t = ph.randn(3, 4)
    a, b = t.numpy(), t.numpy()
    assert np.shares_memory(a, b)
    a[1, 2] = 5.0
    assert t[1, 2].item() == 5.0


def test_from_numpy_shares_float32_contiguous_writable_arrays():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = ph.from_numpy(a)
    assert np.shares_memory(t.numpy(), a)
    a[0, 0] = -1.0
    assert t[0, 0].item() == -1.0
    t.numpy()[1, 1] = 99.0
    assert a[1, 1] == 99.0


def test_from_numpy_copies_what_it_cannot_share():
    cases = [np.arange(6, dtype=np.float64), np.arange(6, dtype=np.int64), np.arange(12, dtype=np.float32)[::2]]
    readonly = np.arange(6, dtype=np.float32)
    readonly.flags.writeable = False
    cases.append(readonly)
    for a in cases:
        t = ph.from_numpy(a)
        assert not np.shares_memory(t.numpy(), a)
        np.testing.assert_array_equal(t.numpy(), a.astype(np.float32))


def test_tensor_copies_even_shareable_arrays():
    a = np.zeros(3, dtype=np.float32)
    assert not np.shares_memory(ph.tensor(a).numpy(), a)


def test_numpy_view_keeps_the_tensor_alive():
    t = ph.arange(1000)
    view = t.numpy()
    del t
    gc.collect()
    np.testing.assert_array_equal(view, np.arange(1000, dtype=np.float32))
    ph.randn(1000)  # reuse of freed memory would show up as changed values
    np.testing.assert_array_equal(view, np.arange(1000, dtype=np.float32))


def test_from_numpy_tensor_keeps_the_array_alive():
    a = np.arange(500, dtype=np.float32)
    t = ph.from_numpy(a)
    refs = sys.getrefcount(a)
    del a
    gc.collect()
    np.testing.assert_array_equal(t.numpy(), np.arange(500, dtype=np.float32))
    assert refs >= 3  # the tensor holds a reference to the array


def test_from_numpy_releases_the_array_when_the_tensor_dies():
    a = np.arange(10, dtype=np.float32)
    base = sys.getrefcount(a)
    t = ph.from_numpy(a)
    assert sys.getrefcount(a) > base
    del t
    gc.collect()
    assert sys.getrefcount(a) == base


def test_parameter_shares_the_storage_of_its_source():
    t = ph.zeros(3)
    p = ph.nn.Parameter(t)
    t.numpy()[0] = 4.0
    assert p[0].item() == 4.0


# ---------------------------------------------------------------- leaks


def test_refcounts_of_inputs_do_not_grow_over_10000_op_calls():
    x = ph.randn(4, 3, requires_grad=True)
    w = ph.randn(2, 3)
    arr = np.ones((4, 2), dtype=np.float32)
    labels = np.array([0, 1, 0, 1])
    before = [sys.getrefcount(o) for o in (x, w, arr, labels)]
    for _ in range(10_000):
        y = ph.nn.functional.linear(x, w) + arr
        loss = ph.nn.functional.cross_entropy(y, labels) + (y * 2.0).sum() + y.relu().mean(0).sum()
    del y, loss
    gc.collect()
    assert [sys.getrefcount(o) for o in (x, w, arr, labels)] == before


def test_refcounts_stable_over_backward_and_optimizer_steps():
    model = ph.nn.Linear(3, 2)
    opt = ph.optim.Adam(model.parameters(), lr=1e-3)
    x = ph.randn(5, 3)
    params = list(model.parameters())
    before = [sys.getrefcount(p) for p in params] + [sys.getrefcount(x)]
    for _ in range(2_000):
        opt.zero_grad()
        model(x).sum().backward()
        opt.step()
    gc.collect()
    assert [sys.getrefcount(p) for p in params] + [sys.getrefcount(x)] == before


def test_live_core_objects_return_to_baseline():
    baseline = live()
    x = ph.randn(8, 4, requires_grad=True)
    model = ph.nn.Sequential(ph.nn.Linear(4, 5), ph.nn.ReLU(), ph.nn.Linear(5, 3))
    opt = ph.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(3):
        opt.zero_grad()
        loss = ph.nn.functional.cross_entropy(model(x), [0, 1, 2, 0, 1, 2, 0, 1])
        loss.backward()
        opt.step()
    view = x.detach().numpy()
    shared = ph.from_numpy(np.zeros(4, dtype=np.float32))
    state = model.state_dict()
    assert live() > baseline
    del x, model, opt, loss, view, shared, state
    assert live() == baseline


def test_retained_graph_is_freed_with_its_output():
    baseline = live()
    x = ph.randn(3, requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    del x, y
    assert live() == baseline


# ---------------------------------------------------------------- Keras fit

# Under AddressSanitizer (Tests/sanitize.sh) freed memory sits in a quarantine: RSS says nothing there.
rss_meaningful = pytest.mark.skipif("asan" in os.environ.get("LD_PRELOAD", ""),
                                    reason="ASan's quarantine keeps freed memory resident")


def resident_kib() -> int:
    """The resident set size of this process now (the second field of /proc/self/statm, in pages), in KiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


@rss_meaningful
@pytest.mark.parametrize("weighting", [None, "uncertainty", "pcgrad"])
def test_rss_stays_flat_over_50_epochs_of_keras_fit(weighting):
    from polyhead import keras
    ph.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 16)).astype(np.float32)
    y = {"cls": rng.integers(0, 4, 256), "reg": x[:, :1] * 2.0}
    inputs = keras.Input(shape=(16,))
    h = keras.layers.Dense(32, activation="relu")(keras.layers.Dense(32, activation="relu")(inputs))
    model = keras.Model(inputs, {"cls": keras.layers.Dense(4, activation="softmax")(h), "reg": keras.layers.Dense(1)(h)})
    model.compile(optimizer="adam", loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
                  metrics={"cls": ["accuracy", "f1"], "reg": ["mae"]}, weighting=weighting)
    seen = []
    callbacks = [keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(logs["loss"]))]
    fit = dict(batch_size=32, validation_split=0.25, callbacks=callbacks, verbose=0)
    model.fit(x, y, epochs=5, **fit)  # warm-up: allocator pools, OpenBLAS buffers, the trainer's workspaces
    gc.collect()
    objects, before = live(), resident_kib()
    history = model.fit(x, y, epochs=50, **fit)
    for _ in range(10):  # fit called again and again (new per-call state each time), with evaluate/predict
        model.fit(x, y, epochs=1, **fit)
        model.evaluate(x, y, verbose=0)
        model.predict(x)
    del history
    gc.collect()
    growth = resident_kib() - before
    print(f"RSS growth over 60 epochs of fit ({weighting}): {growth} KiB")
    assert len(seen) == 65 and np.isfinite(seen).all()
    assert growth < 5 * 1024, f"RSS grew by {growth} KiB over 60 epochs of fit"
    assert live() == objects
