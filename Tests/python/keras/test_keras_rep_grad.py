"""``compile(weighting=..., rep_grad=True)``: gradient methods in the representation mode inside ``fit``. One
full-batch step must equal the eager ``polyhead.mtl`` step on the same model and representation."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import keras

L = keras.layers


def build(with_representation: str = ""):
    """x → trunk1 (relu) → trunk2 (tanh) → heads a, b; the same weights for the same seed. With a layer name
    the model also outputs that layer (first), for the eager reference."""
    ph.manual_seed(0)
    x = keras.Input(shape=(5,))
    trunk1 = L.Dense(8, activation="relu", name="trunk1")(x)
    trunk2 = L.Dense(6, activation="tanh", name="trunk2")(trunk1)
    a, b = L.Dense(1, name="a")(trunk2), L.Dense(1, name="b")(trunk2)
    extra = {"trunk1": [trunk1], "trunk2": [trunk2]}.get(with_representation, [])
    return keras.Model(x, extra + [a, b])


def data(n: int = 32):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 5)).astype(np.float32)
    return x, [x[:, :1] + x[:, 1:2], -x[:, :1] + 0.5 * x[:, 2:3]]  # partly conflicting tasks


def eager_step(representation: str, method, lr: float):
    model = build(representation)
    x, (ya, yb) = data()
    h, pa, pb = model(x, training=True)
    losses = [((pa - ph.tensor(ya)) ** 2).mean(), ((pb - ph.tensor(yb)) ** 2).mean()]
    optimizer = ph.optim.SGD(model.trainable_weights, lr=lr)
    optimizer.zero_grad()
    method.backward(losses, representation=h)
    optimizer.step()
    return model.get_weights()


@pytest.mark.parametrize("method", [ph.mtl.PCGrad, ph.mtl.MGDA])
@pytest.mark.parametrize("representation", [None, "trunk1"])
def test_fit_step_equals_the_eager_representation_mode_step(method, representation):
    model = build()
    x, y = data()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", weighting=method(rep_grad=True),
                  representation=representation)
    model.fit(x, y, epochs=1, batch_size=len(x), shuffle=False, verbose=0)
    reference = eager_step(representation or "trunk2", method(rep_grad=True), 0.1)
    for got, want in zip(model.get_weights(), reference):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    if method is ph.mtl.MGDA:  # the mode matters: the parameter mode weighs the tasks differently here
        plain = build()
        plain.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", weighting=method())
        plain.fit(x, y, epochs=1, batch_size=len(x), shuffle=False, verbose=0)
        assert not np.allclose(plain.get_weights()[0], model.get_weights()[0], atol=1e-5)


def test_rep_grad_by_name_trains():
    model = build()
    x, y = data(256)
    model.compile(optimizer="adam", loss="mse", weighting="mgda", rep_grad=True)
    history = model.fit(x, y, epochs=8, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.8 * history.history["loss"][0]
    assert np.isfinite(history.history["a_weight"]).all()


def test_rep_grad_errors_name_the_problem():
    model = build()
    with pytest.raises(ValueError, match="needs a weighting method"):
        model.compile(loss="mse", rep_grad=True)
    with pytest.raises(ValueError, match="pass rep_grad=True"):
        model.compile(loss="mse", weighting="pcgrad", representation="trunk1")
    with pytest.raises(ValueError, match="'nope' is not a layer"):
        model.compile(loss="mse", weighting="pcgrad", rep_grad=True, representation="nope")
    with pytest.raises(ValueError, match="rep_grad=True but compile got"):
        model.compile(loss="mse", weighting=ph.mtl.PCGrad(rep_grad=True), rep_grad=False)
    ph.manual_seed(0)
    x = keras.Input(shape=(5,))
    t1 = L.Dense(4, name="t1")(x)
    t2 = L.Dense(4, name="t2")(t1)
    skip = keras.Model(x, [L.Dense(1, name="a")(t2), L.Dense(1, name="b")(L.Concatenate()([t1, t2]))])
    with pytest.raises(ValueError, match="not a cut.*'t1'"):
        skip.compile(loss="mse", weighting="pcgrad", rep_grad=True, representation="t2")
    skip.compile(loss="mse", weighting="pcgrad", rep_grad=True)  # the default is t1, a cut
