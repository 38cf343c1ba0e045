"""tf.keras multi-task scripts as tutorials and answers write them, run with ``import polyhead as tf``; each
checks Keras's semantics: history keys, the order of ``evaluate``'s list (``metrics_names``), output
structures, metric names, and the clear errors for what is out of the feature set."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as tf
from polyhead.keras import layers

RNG = np.random.default_rng(0)


def features(n, d):
    return RNG.standard_normal((n, d)).astype("float32")


def test_dict_outputs_losses_metrics_and_loss_weights():
    tf.keras.utils.set_random_seed(0)
    x, y_cls, y_reg = features(48, 10), RNG.integers(0, 3, 48), RNG.standard_normal((48, 1)).astype("float32")
    inputs = tf.keras.Input(shape=(10,), name="features")
    h = layers.Dense(16, activation="relu", name="shared")(inputs)
    model = tf.keras.Model(inputs=inputs, outputs={"cls": layers.Dense(3, activation="softmax", name="cls")(h),
                                                   "reg": layers.Dense(1, name="reg")(h)})
    model.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
                  loss_weights={"cls": 1.0, "reg": 0.5}, metrics={"cls": ["accuracy"], "reg": ["mae"]})
    history = model.fit(x, {"cls": y_cls, "reg": y_reg}, epochs=2, batch_size=16, verbose=0)
    assert set(history.history) == {"loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae", "cls_weight", "reg_weight"}
    assert {k: v.shape for k, v in model.predict(x[:5], verbose=0).items()} == {"cls": (5, 3), "reg": (5, 1)}
    values = model.evaluate(x, {"cls": y_cls, "reg": y_reg}, verbose=0)
    assert model.metrics_names == ["loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae"]
    logs = model.evaluate(x, {"cls": y_cls, "reg": y_reg}, verbose=0, return_dict=True)
    assert values == list(logs.values()) and list(logs) == model.metrics_names
    assert logs["loss"] == pytest.approx(logs["cls_loss"] + 0.5 * logs["reg_loss"], rel=1e-5)
    reg = model.predict(x, verbose=0)["reg"].astype(np.float64)
    assert logs["reg_mae"] == pytest.approx(np.abs(reg - y_reg).mean(), rel=1e-5)


def test_two_inputs_concatenated_with_accuracy_for_every_output_and_validation_split():
    a, b = features(40, 6), features(40, 3)
    y1, y2 = tf.keras.utils.to_categorical(RNG.integers(0, 4, 40), 4), RNG.integers(0, 2, (40, 1)).astype("float32")
    in_a, in_b = tf.keras.layers.Input(shape=(6,), name="a"), tf.keras.layers.Input(shape=(3,), name="b")
    x = tf.keras.layers.concatenate([in_a, in_b])
    x = tf.keras.layers.Dropout(0.2)(tf.keras.layers.Dense(8, activation="relu")(x))
    topic = tf.keras.layers.Dense(4, activation="softmax", name="topic")(x)
    priority = tf.keras.layers.Dense(1, activation="sigmoid", name="priority")(x)
    model = tf.keras.Model([in_a, in_b], [topic, priority])
    model.compile(optimizer="adam", loss=["categorical_crossentropy", "binary_crossentropy"], metrics=["accuracy"])
    history = model.fit([a, b], [y1, y2], validation_split=0.25, epochs=2, batch_size=8, verbose=0)
    expected = {"loss", "topic_loss", "priority_loss", "topic_accuracy", "priority_accuracy"}
    assert expected | {"val_" + k for k in expected} | {"topic_weight", "priority_weight"} == set(history.history)
    by_list, by_name = model.predict([a, b], verbose=0), model.predict({"b": b, "a": a}, verbose=0)
    for one, other in zip(by_list, by_name):
        np.testing.assert_array_equal(one, other)
    assert [p.shape for p in by_list] == [(40, 4), (40, 1)]


def test_validation_data_tuple_and_early_stopping_on_one_outputs_validation_loss(capsys):
    x, age, gender = features(60, 5), RNG.standard_normal(60).astype("float32"), RNG.integers(0, 2, 60)
    inp = tf.keras.Input(shape=(5,))
    h = tf.keras.layers.Dense(8, activation="relu")(inp)
    model = tf.keras.Model(inputs=inp, outputs=[tf.keras.layers.Dense(1, name="age")(h),
                                                tf.keras.layers.Dense(1, activation="sigmoid", name="gender")(h)])
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.01),
                  loss={"age": "mae", "gender": tf.keras.losses.BinaryCrossentropy()}, metrics={"gender": "accuracy"})
    stop = tf.keras.callbacks.EarlyStopping(monitor="val_age_loss", patience=1, restore_best_weights=True)
    history = model.fit(x[:40], {"age": age[:40], "gender": gender[:40]}, epochs=3, batch_size=20, verbose=2,
                        validation_data=(x[40:], {"age": age[40:], "gender": gender[40:]}), callbacks=[stop])
    assert {"val_loss", "val_age_loss", "val_gender_loss", "val_gender_accuracy"} <= set(history.history)
    assert len(history.epoch) == len(history.history["val_age_loss"]) <= 3
    assert "val_age_loss:" in capsys.readouterr().out


def test_save_to_a_keras_path_and_load_model(tmp_path):
    x = features(20, 4)
    inp = tf.keras.Input(shape=(4,), name="x")
    h = tf.keras.layers.Dense(6, activation="tanh")(inp)
    model = tf.keras.Model(inp, {"kind": tf.keras.layers.Dense(2, activation="softmax")(h), "size": tf.keras.layers.Dense(1)(h)})
    model.compile("adam", {"kind": "sparse_categorical_crossentropy", "size": "mse"})
    model.fit(x, {"kind": RNG.integers(0, 2, 20), "size": RNG.standard_normal(20)}, epochs=1, verbose=0)
    model.save(tmp_path / "model.keras")
    loaded = tf.keras.models.load_model(tmp_path / "model.keras")
    for key, value in model.predict(x, verbose=0).items():
        np.testing.assert_array_equal(value, loaded.predict(x, verbose=0)[key])


def test_loss_objects_optimizers_with_positional_rates_and_huber_delta():
    x, y = features(24, 5), RNG.standard_normal((24, 1)).astype("float32") * 3
    inp = tf.keras.Input((5,))
    logits = tf.keras.layers.Dense(3, name="logits")(inp)
    value = tf.keras.layers.Dense(1, name="value")(inp)
    model = tf.keras.Model(inp, [logits, value])
    labels = RNG.integers(0, 3, 24)
    model.compile(tf.keras.optimizers.SGD(0.01, momentum=0.9),
                  loss=[tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), tf.keras.losses.Huber(delta=2.0)])
    model.fit(x, [labels, y], epochs=1, verbose=0)
    pred = model.predict(x, verbose=0)[1].astype(np.float64)
    r = np.abs(pred - y)
    huber = np.where(r <= 2.0, 0.5 * r ** 2, 2.0 * (r - 1.0)).mean()
    assert model.evaluate(x, [labels, y], verbose=0, return_dict=True)["value_loss"] == pytest.approx(huber, rel=1e-5)


def test_out_of_scope_losses_are_clear_errors():
    def my_loss(y_true, y_pred):
        return tf.reduce_mean(tf.square(y_true - y_pred))

    inp = tf.keras.Input((3,))
    model = tf.keras.Model(inp, tf.keras.layers.Dense(1)(inp))
    with pytest.raises(NotImplementedError, match="custom loss functions such as 'my_loss' are not supported"):
        model.compile("adam", loss=my_loss)
    with pytest.raises(AttributeError, match="'kl_divergence'.*pass a loss name"):
        tf.keras.losses.kl_divergence
    with pytest.raises(AttributeError, match="no attribute 'LSTM'.*'Conv2D'"):
        tf.keras.layers.LSTM


def test_single_output_sequential_keys_evaluate_and_shapes():
    x, y = features(30, 4), RNG.integers(0, 2, 30)
    model = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(8, activation="relu"),
                                 tf.keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, validation_split=0.2, verbose=0)
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert model.metrics_names == ["loss", "accuracy"] and 0 <= accuracy <= 1
    model.compile(optimizer="adam", loss="binary_crossentropy")
    assert isinstance(model.evaluate(x, y, verbose=0), float)
    assert (model.input_shape, model.output_shape) == ((None, 4), (None, 1))
    assert model.input is model.inputs[0] and model.output is model.outputs[0]


def test_metric_objects_and_aliases_log_under_their_keras_names():
    x = features(40, 3)
    y_bin, y_reg = RNG.integers(0, 2, 40), RNG.standard_normal((40, 1)).astype("float32")
    inp = tf.keras.Input((3,))
    model = tf.keras.Model(inp, [tf.keras.layers.Dense(1, activation="sigmoid", name="o1")(inp),
                                 tf.keras.layers.Dense(1, name="o2")(inp)])
    model.compile("adam", ["binary_crossentropy", "mse"],
                  metrics=[["acc", tf.keras.metrics.AUC()],
                           [tf.keras.metrics.MeanAbsoluteError(), tf.keras.metrics.MeanSquaredError(name="my_mse")]])
    history = model.fit(x, [y_bin, y_reg], epochs=1, validation_data=(x, [y_bin, y_reg]), verbose=0)
    names = ["o1_acc", "o1_auc", "o2_mean_absolute_error", "o2_my_mse"]
    assert set(names) | {"val_" + n for n in names} <= set(history.history)
    logs = model.evaluate(x, [y_bin, y_reg], verbose=0, return_dict=True)
    p1, p2 = (p.astype(np.float64) for p in model.predict(x, verbose=0))
    assert logs["o1_acc"] == pytest.approx(np.mean((p1[:, 0] > 0.5) == y_bin))
    assert logs["o2_mean_absolute_error"] == pytest.approx(np.abs(p2 - y_reg).mean(), rel=1e-5)
    assert logs["o2_my_mse"] == pytest.approx(np.square(p2 - y_reg).mean(), rel=1e-5)
    with pytest.raises(NotImplementedError, match="AUC\\(curve='PR'\\)"):
        tf.keras.metrics.AUC(curve="PR")
    with pytest.raises(ValueError, match="has the metric .* twice"):
        model.compile("adam", "mse", metrics=[["auc", tf.keras.metrics.AUC(name="roc")], []])


def test_embedding_text_model_with_inputs_and_targets_by_name():
    tokens, meta = RNG.integers(0, 50, (24, 6)), features(24, 3)
    t_in, m_in = tf.keras.Input(shape=(6,), name="tokens"), tf.keras.Input(shape=(3,), name="meta")
    e = layers.Flatten()(layers.Embedding(50, 4)(t_in))
    x = layers.LayerNormalization()(layers.Concatenate()([e, m_in]))
    department = layers.Dense(5, activation="softmax", name="department")(x)
    priority = layers.Dense(1, activation="sigmoid", name="priority")(x)
    model = tf.keras.Model(inputs=[t_in, m_in], outputs=[priority, department])
    model.compile(optimizer=tf.keras.optimizers.RMSprop(1e-3),
                  loss={"priority": "binary_crossentropy", "department": "categorical_crossentropy"}, loss_weights=[1.0, 0.2])
    targets = {"priority": RNG.integers(0, 2, 24), "department": tf.keras.utils.to_categorical(RNG.integers(0, 5, 24), 5)}
    model.fit({"tokens": tokens, "meta": meta}, targets, epochs=1, batch_size=8, verbose=0)
    assert [p.shape for p in model.predict({"tokens": tokens, "meta": meta}, verbose=0)] == [(24, 1), (24, 5)]
    logs = model.evaluate({"tokens": tokens, "meta": meta}, targets, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["priority_loss"] + 0.2 * logs["department_loss"], rel=1e-5)


def test_compile_switches_clear_session_and_unknown_layers():
    inp = tf.keras.Input((2,))
    model = tf.keras.Model(inp, tf.keras.layers.Dense(1)(inp))
    model.compile("sgd", "mse", run_eagerly=True, jit_compile=False, steps_per_execution=1)
    with pytest.raises(NotImplementedError, match="steps_per_execution=8"):
        model.compile("sgd", "mse", steps_per_execution=8)
    with pytest.raises(TypeError, match="unsupported arguments \\['weighted_metrics'\\]"):
        model.compile("sgd", "mse", weighted_metrics=["mae"])
    tf.keras.backend.clear_session()
    assert tf.keras.layers.Dense(1).name == "dense" and tf.keras.layers.Dense(1).name == "dense_1"
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        model.get_layer("nope")


def test_subclassed_models_custom_layers_and_keras_only_arguments_are_named():
    class TwoHeads(tf.keras.Model):
        def __init__(self):
            super().__init__()

        def call(self, x):
            return x

    class Scale(tf.keras.layers.Layer):
        def call(self, x):
            return x * 2

    with pytest.raises(NotImplementedError, match="TwoHeads: subclassed models"):
        TwoHeads()
    inp = tf.keras.Input((3,))
    with pytest.raises(NotImplementedError, match="custom layer Scale"):
        Scale()(inp)
    model = tf.keras.Model(inp, tf.keras.layers.Dense(1)(inp))
    model.compile("sgd", "mse")
    x, y = features(4, 3), np.zeros(4)
    with pytest.raises(NotImplementedError, match="fit\\(class_weight=...\\)"):
        model.fit(x, y, class_weight={0: 1.0}, verbose=0)
    with pytest.raises(NotImplementedError, match="predict\\(steps=...\\)"):
        model.predict(x, steps=1)
    with pytest.raises(TypeError, match="evaluate\\(\\) got unexpected keyword arguments \\['stepz'\\]"):
        model.evaluate(x, y, stepz=1)
    with pytest.raises(ValueError, match="variable dimensions"):
        tf.keras.Input(shape=(None,))


def test_load_model_compiles_with_the_saved_arguments(tmp_path):
    x = features(24, 4)
    y = {"kind": RNG.integers(0, 3, 24), "size": RNG.standard_normal(24)}
    inp = tf.keras.Input(shape=(4,))
    h = tf.keras.layers.Dense(6, activation="relu")(inp)
    model = tf.keras.Model(inp, {"kind": tf.keras.layers.Dense(3)(h), "size": tf.keras.layers.Dense(1)(h)})
    model.compile(tf.keras.optimizers.SGD(0.05, momentum=0.5),
                  {"kind": tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), "size": tf.keras.losses.Huber(2.0)},
                  loss_weights={"kind": 0.5, "size": 2.0},
                  metrics={"kind": ["acc"], "size": [tf.keras.metrics.MeanAbsoluteError(name="err")]}, weighting="pcgrad")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = tf.keras.models.load_model(tmp_path / "m.keras")
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(model.evaluate(x, y, verbose=0, return_dict=True))
    assert type(loaded.optimizer).__name__ == "SGD" and loaded.optimizer.momentum == 0.5
    assert {"kind_acc", "size_err", "kind_weight"} <= set(loaded.fit(x, y, epochs=1, verbose=0).history)
    with pytest.raises(RuntimeError, match="compile the model before calling evaluate"):
        tf.keras.models.load_model(tmp_path / "m.keras", compile=False).evaluate(x, y, verbose=0)
    with pytest.raises(NotImplementedError, match="custom_objects"):
        tf.keras.models.load_model(tmp_path / "m.keras", custom_objects={"f": len})
    model.compile("adam", "mse", weighting=tf.mtl.PCGrad())  # a method object (with state) is not saved
    model.save(tmp_path / "n.keras")
    with pytest.raises(RuntimeError, match="compile the model"):
        tf.keras.models.load_model(tmp_path / "n.keras").evaluate(x, y, verbose=0)
    weights, metadata = tf.io.load_file(tmp_path / "m.keras", with_metadata=True)  # the config is in the metadata
    config = metadata["polyhead.keras.config"].replace('"SGD"', '"Adagrad"')
    tf.io.save_file(weights, tmp_path / "m.keras", metadata=dict(metadata, **{"polyhead.keras.config": config}))
    with pytest.raises(ValueError, match="m.keras \\(metadata 'polyhead.keras.config'\\): malformed compile "
                                         "arguments .*Adagrad"):
        tf.keras.models.load_model(tmp_path / "m.keras")


def test_get_layer_by_index_layer_input_and_summary_layout_options():
    inp = tf.keras.Input(shape=(3,), name="x")
    h = tf.keras.layers.Dense(4, name="h")(inp)
    model = tf.keras.Model(inp, [tf.keras.layers.Dense(1, name="a")(h), tf.keras.layers.Dense(1, name="b")(h)])
    assert model.get_layer(index=-1).name == "b" and model.get_layer(index=1).name == "h"
    assert model.get_layer("h").input is inp
    with pytest.raises(ValueError, match="index=4\\): the model has 4 layers"):
        model.get_layer(index=4)
    with pytest.raises(ValueError, match="either name or index"):
        model.get_layer()
    lines = []
    model.summary(line_length=80, expand_nested=True, show_trainable=True, print_fn=lines.append)
    assert lines[0] == 'Model: "functional"' and "Total params: 26" in lines
    with pytest.raises(NotImplementedError, match="layer_range"):
        model.summary(layer_range=["h", "b"])
