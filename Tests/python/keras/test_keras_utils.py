"""``tf.keras.utils`` (with ``import polyhead as tf``): ``to_categorical`` against Keras's documented results
and a numpy one-hot; ``set_random_seed`` is tested with the other seeding functions in test_random.py."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as tf


def test_to_categorical_documented_example_and_shapes():
    np.testing.assert_array_equal(tf.keras.utils.to_categorical([0, 1, 2, 3], num_classes=4), np.eye(4))
    labels = np.random.RandomState(0).randint(0, 7, size=(5, 3))
    one_hot = tf.keras.utils.to_categorical(labels)  # num_classes = max + 1
    assert one_hot.shape == (5, 3, labels.max() + 1) and one_hot.dtype == np.float32
    np.testing.assert_array_equal(one_hot, np.eye(labels.max() + 1)[labels])
    column = tf.keras.utils.to_categorical(np.array([[2], [0]]), 3)  # a trailing axis of 1 is dropped
    np.testing.assert_array_equal(column, [[0, 0, 1], [1, 0, 0]])
    assert tf.keras.utils.to_categorical([1.0, 0.0], 2, dtype="float64").dtype == np.float64


@pytest.mark.parametrize("y,num_classes,error,message", [
    ([0, 3], 3, ValueError, "out of range"), ([-1, 0], None, ValueError, ">= 0"),
    ([0.5], None, ValueError, "integer"), (["a"], None, TypeError, "dtype"),
    ([0, 1], 0, ValueError, "num_classes"), ([0, 1], 2.0, TypeError, "num_classes"),
])
def test_to_categorical_bad_labels(y, num_classes, error, message):
    with pytest.raises(error, match=message):
        tf.keras.utils.to_categorical(y, num_classes)
