"""A single-output polyhead.keras model takes its target (and sample weight) as the array itself or, as
Keras, wrapped in a one-element list, tuple or dict — in fit, validation_data and evaluate; real mismatches
still raise."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import keras


def trained(y, outputs_as_list: bool = False, **fit_args):
    ph.manual_seed(0)
    inp = keras.Input(shape=(4,))
    out = keras.layers.Dense(1, name="out")(inp)
    model = keras.Model(inp, [out] if outputs_as_list else out)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    x = np.linspace(-1, 1, 40, dtype=np.float32).reshape(10, 4)
    history = model.fit(x, y, batch_size=5, epochs=2, shuffle=False, verbose=0, **fit_args)
    return model, x, history.history


TARGET = np.arange(10, dtype=np.float32).reshape(10, 1) / 10


@pytest.mark.parametrize("outputs_as_list", [False, True])
@pytest.mark.parametrize("wrap", [lambda y: [y], lambda y: (y,), lambda y: {"out": y}, lambda y: [ph.tensor(y)]],
                         ids=["list", "tuple", "dict", "list-of-tensor"])
def test_wrapped_target_trains_like_the_array(wrap, outputs_as_list):
    model, x, plain = trained(TARGET, outputs_as_list)
    wrapped_model, _, wrapped = trained(wrap(TARGET), outputs_as_list, validation_data=(x, [TARGET]),
                                        sample_weight=[np.ones(10, np.float32)])
    assert wrapped["loss"] == pytest.approx(plain["loss"], rel=1e-6)
    assert wrapped["val_loss"][-1] == pytest.approx(model.evaluate(x, TARGET, verbose=0), rel=1e-6)
    assert wrapped_model.evaluate(x, [TARGET], verbose=0) == pytest.approx(model.evaluate(x, TARGET, verbose=0), rel=1e-6)


def test_sample_weight_in_a_list_weights_the_samples():
    weights = np.r_[np.zeros(5), np.ones(5)].astype(np.float32)
    _, _, listed = trained([TARGET], sample_weight=[weights])
    _, _, plain = trained(TARGET, sample_weight=weights)
    _, _, unweighted = trained(TARGET)
    assert listed["loss"] == pytest.approx(plain["loss"], rel=1e-6)
    assert listed["loss"] != pytest.approx(unweighted["loss"], rel=1e-3)


def test_a_list_of_numbers_is_still_one_target():
    _, _, listed = trained(TARGET.ravel().tolist())
    _, _, plain = trained(TARGET)
    assert listed["loss"] == pytest.approx(plain["loss"], rel=1e-6)


def test_real_mismatches_still_raise():
    with pytest.raises(ValueError, match=r"1 outputs \['out'\], got 2 y arrays"):
        trained([TARGET, TARGET])
    with pytest.raises(ValueError, match=r"Data cardinality is ambiguous.*x\[0\] shape \(10, 4\).*y\[0\] \(out\) shape \(9, 1\)"):
        trained([TARGET[:9]])
    with pytest.raises(ValueError, match=r"got 2 validation y arrays"):
        trained(TARGET, validation_data=(np.zeros((3, 4), np.float32), (TARGET[:3], TARGET[:3])))
