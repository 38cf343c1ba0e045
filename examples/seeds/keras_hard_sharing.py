"""Seed example 1 — Keras hard parameter sharing: one shared Dense layer, two task heads.

    Input(784) → Dense(128, relu)  (shared)
                   ├→ Dense(10, softmax)  "digit":  which digit (categorical cross-entropy, one-hot targets)
                   └→ Dense(1, sigmoid)   "parity": is it odd (binary cross-entropy)

compiled with Adam and the two losses, fitted on both targets at once. The data: the bundled 8×8 digits
upscaled (nearest neighbour) to 28×28 = 784 features, the MNIST input size the seed code was written for.

The code is tf.keras code: to run it on TensorFlow change only the marked import line to
``import tensorflow as tf``.

Run:  python examples/seeds/keras_hard_sharing.py [--epochs 10]
"""

import argparse

import numpy as np

import polyhead as tf  # TensorFlow: import tensorflow as tf
from polyhead.datasets import load_digits


def load_digits_28x28(seed):
    """The digits as (n, 784) floats in [0, 1], one-hot digit targets and parity targets, split 80/20."""
    images, digits = load_digits()
    rows = np.arange(28) * 8 // 28  # nearest-neighbour upscaling 8 → 28
    x = images.reshape(-1, 8, 8)[:, rows][:, :, rows].reshape(-1, 784).astype("float32") / 16.0
    one_hot = tf.keras.utils.to_categorical(digits, 10)
    odd = (digits % 2).astype("float32").reshape(-1, 1)
    order = np.random.RandomState(seed).permutation(len(x))
    train, test = order[: len(x) * 4 // 5], order[len(x) * 4 // 5:]
    return (x[train], one_hot[train], odd[train]), (x[test], one_hot[test], odd[test])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    tf.keras.utils.set_random_seed(0)  # the same initial weights and shuffling on every run
    (x_train, y_digit, y_odd), (x_test, t_digit, t_odd) = load_digits_28x28(seed=0)

    inputs = tf.keras.Input(shape=(784,))
    shared = tf.keras.layers.Dense(128, activation="relu")(inputs)
    digit = tf.keras.layers.Dense(10, activation="softmax", name="digit")(shared)
    parity = tf.keras.layers.Dense(1, activation="sigmoid", name="parity")(shared)
    model = tf.keras.Model(inputs=inputs, outputs=[digit, parity])
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=1e-3),
                  loss=["categorical_crossentropy", "binary_crossentropy"],
                  metrics=[["accuracy"], ["accuracy"]])
    model.summary()
    model.fit(x_train, [y_digit, y_odd], epochs=args.epochs, batch_size=32, validation_split=0.1, verbose=2)

    results = model.evaluate(x_test, [t_digit, t_odd], verbose=0, return_dict=True)
    print(f"test accuracy: digit {results['digit_accuracy']:.3f}, parity {results['parity_accuracy']:.3f}")


if __name__ == "__main__":
    main()
