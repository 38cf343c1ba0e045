"""Keras-style API: functional models whose ``fit`` runs the whole training loop in the Swift core.

Code written for ``tf.keras`` runs with ``import polyhead as tf`` within this feature set::

    import polyhead as tf

    inputs = tf.keras.Input(shape=(64,))
    h = tf.keras.layers.Dense(128, activation="relu")(inputs)
    digit = tf.keras.layers.Dense(10, activation="softmax", name="digit")(h)
    large = tf.keras.layers.Dense(1, activation="sigmoid", name="large")(h)
    model = tf.keras.Model(inputs=inputs, outputs=[digit, large])
    model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "binary_crossentropy"],
                  loss_weights=[1.0, 0.5], metrics=[["accuracy"], ["accuracy"]])
    history = model.fit(x, [y_digit, y_large], epochs=10, batch_size=128, validation_split=0.1)

Batching, shuffling, the forward pass, losses (with per-output masks for missing labels), an optional
multi-task weighting or gradient method (``compile(weighting="pcgrad")``), the optimizer and the metrics
all run inside the core with the GIL released; Python is called back only for progress and callbacks.

Models over the same layers share their weights (nested models, ``Model(model.input, layer.output)``), and
``trainable = False`` freezes layers at ``compile``, as in Keras. Outside the feature set, with a
``NotImplementedError`` or an ``AttributeError`` that names what exists: custom loss functions, subclassed
models and custom layers (the core runs its built-in layers), Keras options other than their defaults
(``clipnorm``, ``label_smoothing``, ``mask_zero``…), ``class_weight`` and ``steps_per_epoch``.
"""

from . import activations, backend, callbacks, layers, losses, metrics, optimizers, regularizers, utils
from ._model import Model
from ._saving import load_model
from ._sequential import Sequential
from .layers import Input
from . import models

__all__ = ["Input", "Model", "Sequential", "load_model", "layers", "losses", "metrics", "optimizers", "callbacks",
           "regularizers", "models", "utils", "backend", "activations"]


def __getattr__(name: str) -> object:
    from ._unsupported import missing
    raise missing(__name__, name, __all__)
