"""Bad ``fit``/``compile`` arguments and unbuilt ``Sequential`` models (found by the Keras fuzzer) give
errors that name the argument and the bad value; ``validation_split=None`` means none, as in Keras; one
``sample_weight`` array weights every output of a multi-output model, as in Keras."""

from __future__ import annotations

import math

import numpy as np
import pytest

import polyhead as ph
from polyhead import keras


def two_outputs():
    ph.manual_seed(0)
    x = keras.Input(shape=(3,))
    h = keras.layers.Dense(4, activation="relu")(x)
    model = keras.Model(x, [keras.layers.Dense(1, name="a")(h), keras.layers.Dense(1, name="b")(h)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return model


def data(n=12):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    return x, [x[:, :1] * 2, x[:, 1:2] - x[:, 2:]]


@pytest.mark.parametrize("split, error, message", [
    (math.inf, ValueError, r"validation_split must be in \[0, 1\), got inf"),
    (-math.inf, ValueError, r"validation_split must be in \[0, 1\), got -inf"),
    (math.nan, ValueError, r"validation_split must be in \[0, 1\), got nan"),
    (1.0, ValueError, r"validation_split must be in \[0, 1\), got 1.0"),
    (-0.1, ValueError, r"validation_split must be in \[0, 1\)"),
    ("0.1", TypeError, "validation_split must be a number in .*got str '0.1'"),
    ([0.1], TypeError, "validation_split must be a number in .*got list"),
    (True, TypeError, "validation_split must be a number in .*got bool"),
])
def test_bad_validation_split_names_the_argument(split, error, message):
    model = two_outputs()
    x, y = data()
    with pytest.raises(error, match=message):
        model.fit(x, y, validation_split=split, verbose=0)


def test_validation_split_none_means_no_split_as_in_keras():
    x, y = data()
    history = two_outputs().fit(x, y, validation_split=None, epochs=2, verbose=0, shuffle=False).history
    expected = two_outputs().fit(x, y, validation_split=0.0, epochs=2, verbose=0, shuffle=False).history
    assert history == expected and not any(k.startswith("val_") for k in history)
    split = two_outputs().fit(x, y, validation_split=np.float32(0.25), epochs=1, verbose=0).history
    assert "val_loss" in split


@pytest.mark.parametrize("metrics, bad", [([3, 3], "3"), ([["mae"], [None]], "None"), ({"a": 3}, "3"),
                                          ({"b": ["mae", 2.5]}, "2.5"), (["mae", 3], "3")])
def test_metrics_that_are_not_names_raise_a_type_error_naming_the_item(metrics, bad):
    model = two_outputs()
    with pytest.raises(TypeError, match=f"metrics for output '(a|b)' must be metric names .*got {bad}"):
        model.compile(optimizer="sgd", loss="mse", metrics=metrics)


def test_one_output_metrics_that_are_not_names():
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, name="d")])
    for metrics in ([3], 3, [["mae", {}]]):
        with pytest.raises(TypeError, match="metrics for output 'd' must be metric names"):
            model.compile(optimizer="sgd", loss="mse", metrics=metrics)


@pytest.mark.parametrize("metrics, names", [(["mae"], [["mae"], ["mae"]]), ([["mae"], []], [["mae"], []]),
                                            ({"a": "mae"}, [["mae"], []]), ({"b": ("mae", "mse")}, [[], ["mae", "mse"]]),
                                            ([None, "mae"], [[], ["mae"]])])
def test_metric_forms_that_keras_takes_still_work(metrics, names):
    model = two_outputs()
    model.compile(optimizer="sgd", loss="mse", metrics=metrics)
    assert [output["metrics"] for output in model._compiled["outputs"]] == names


def test_unbuilt_sequential_repr_and_get_config():
    model = keras.Sequential([keras.layers.Dense(3, name="d1"), keras.layers.Dense(1, name="d2")], name="seq")
    assert repr(model) == "<Sequential name=seq, built=False, layers=['d1', 'd2']>"
    with pytest.raises(RuntimeError, match="'seq' is not built yet"):
        model.get_config()
    assert not hasattr(model, "history")  # other attributes are still plain AttributeErrors
    model.build((None, 2))
    assert repr(model) == "<Model name=seq, inputs=['" + model.layers[0].name + "'], outputs=['d2']>"
    assert [item["name"] for item in model.get_config()["layers"]] == ["d1", "d2"]


def test_one_sample_weight_array_weights_every_output():
    x, y = data()
    weights = np.array([1.0, 0.0, 2.0, 0.5] * 3, np.float32)
    one = two_outputs().fit(x, y, sample_weight=weights, epochs=2, verbose=0, shuffle=False).history
    listed = two_outputs().fit(x, y, sample_weight=[weights, weights], epochs=2, verbose=0, shuffle=False).history
    unweighted = two_outputs().fit(x, y, epochs=2, verbose=0, shuffle=False).history
    assert one == listed and one != unweighted
    model = two_outputs()
    assert model.evaluate(x, y, sample_weight=ph.tensor(weights), verbose=0) == \
        model.evaluate(x, y, sample_weight={"a": weights, "b": weights}, verbose=0)
    with pytest.raises(ValueError, match="different numbers of samples"):
        model.fit(x, y, sample_weight=weights[:5], verbose=0)


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
@pytest.mark.parametrize("batch_size, error, message", [
    (1.5, TypeError, "batch_size must be an int, got float 1.5"), ("4", TypeError, "batch_size must be an int, got str"),
    (True, TypeError, "batch_size must be an int, got bool"), (0, ValueError, r"batch_size must be in 1\.\.\..*got 0"),
    (2**63, ValueError, r"batch_size must be in 1\.\.\.2147483647, got 9223372036854775808"),
])
def test_bad_batch_sizes_name_the_argument(call, batch_size, error, message):
    model = two_outputs()
    x, y = data()
    args = (x,) if call == "predict" else (x, y)
    with pytest.raises(error, match=message):
        getattr(model, call)(*args, batch_size=batch_size, verbose=0)
    getattr(model, call)(*args, batch_size=np.int64(5), verbose=0)  # a numpy int is an int


@pytest.mark.parametrize("epochs, error, message", [
    (None, TypeError, "epochs must be an int, got NoneType"), (2.5, TypeError, "epochs must be an int, got float"),
    (-1, ValueError, r"epochs must be in 0\.\.\..*got -1"), (2**64, ValueError, "epochs must be in"),
])
def test_bad_epochs_name_the_argument(epochs, error, message):
    x, y = data()
    with pytest.raises(error, match=message):
        two_outputs().fit(x, y, epochs=epochs, verbose=0)
    assert two_outputs().fit(x, y, epochs=np.int64(0), verbose=0).history == {}


@pytest.mark.parametrize("filepath, reason", [("ck-{bogus}", "KeyError: 'bogus'"), ("ck-{0}", "IndexError"),
                                              ("ck-{epoch:zz}", "ValueError")])
def test_model_checkpoint_filepath_that_cannot_be_formatted(tmp_path, filepath, reason):
    x, y = data()
    callback = keras.callbacks.ModelCheckpoint(str(tmp_path / filepath))
    with pytest.raises(KeyError, match=f"cannot format filepath .*{reason}.*the log keys .*'a_loss'"):
        two_outputs().fit(x, y, verbose=0, callbacks=[callback])
    good = keras.callbacks.ModelCheckpoint(str(tmp_path / "ck-{epoch:02d}-{a_loss:.0f}.safetensors"), save_weights_only=True)
    two_outputs().fit(x, y, verbose=0, callbacks=[good])
    assert [p.name[:6] for p in tmp_path.glob("ck-01-*.safetensors")] == ["ck-01-"]
