"""Seed example 3 — two-output regression with a shared hidden layer and an L2 penalty (the seed's TF1 code,
written here with tf.keras).

Two inputs (foot length and waist, in cm) predict two outputs (height in cm, weight in kg) through one shared
hidden layer; each output has its own linear unit. The loss is the sum of the two mean squared errors plus
an L2 penalty λ·Σ w² on every kernel (Keras ``kernel_regularizer=l2(λ)``; the seed's ``tf.nn.l2_loss`` is
Σ w²/2, the same penalty with λ doubled), minimised with Adam at learning rate 1e-3. The data is synthetic;
inputs and outputs are standardised for training and the errors reported in cm and kg.

The code is tf.keras code: to run it on TensorFlow change only the marked import line to
``import tensorflow as tf``.

Run:  python examples/seeds/keras_two_output_regression.py [--epochs 100] [--l2 1e-4]
"""

import argparse

import numpy as np

import polyhead as tf  # TensorFlow: import tensorflow as tf


def make_people(n, rng):
    """Foot length and waist (cm) → height (cm) and weight (kg), with noise."""
    foot = rng.normal(26.0, 2.0, n)
    waist = rng.normal(85.0, 10.0, n)
    height = 95.0 + 2.9 * foot + rng.normal(0.0, 3.0, n)
    weight = -75.0 + 1.1 * waist + 2.0 * foot + rng.normal(0.0, 3.0, n)
    return np.column_stack([foot, waist]), np.column_stack([height, weight])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--l2", type=float, default=1e-4)
    args = parser.parse_args()
    tf.keras.utils.set_random_seed(0)  # the same initial weights and shuffling on every run
    rng = np.random.RandomState(0)
    x, y = make_people(1200, rng)
    x_mean, x_std, y_mean, y_std = x.mean(0), x.std(0), y.mean(0), y.std(0)
    x_train, y_train = ((x[:1000] - x_mean) / x_std).astype("float32"), ((y[:1000] - y_mean) / y_std).astype("float32")
    x_test = ((x[1000:] - x_mean) / x_std).astype("float32")

    l2 = tf.keras.regularizers.l2(args.l2)
    inputs = tf.keras.Input(shape=(2,), name="measurements")
    hidden = tf.keras.layers.Dense(16, activation="relu", kernel_regularizer=l2, name="shared")(inputs)
    height = tf.keras.layers.Dense(1, kernel_regularizer=l2, name="height")(hidden)
    weight = tf.keras.layers.Dense(1, kernel_regularizer=l2, name="weight")(hidden)
    model = tf.keras.Model(inputs=inputs, outputs=[height, weight])
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=1e-3), loss=["mse", "mse"])
    history = model.fit(x_train, [y_train[:, 0], y_train[:, 1]], epochs=args.epochs, batch_size=32, verbose=0)
    print(f"training loss: first epoch {history.history['loss'][0]:.4f}, last {history.history['loss'][-1]:.4f}")

    predicted_height, predicted_weight = model.predict(x_test, verbose=0)
    predicted = np.column_stack([predicted_height[:, 0], predicted_weight[:, 0]]) * y_std + y_mean
    mae = np.abs(predicted - y[1000:]).mean(axis=0)
    print(f"test mean absolute error: height {mae[0]:.2f} cm, weight {mae[1]:.2f} kg")


if __name__ == "__main__":
    main()
