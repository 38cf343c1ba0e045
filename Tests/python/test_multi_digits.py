"""polyhead.datasets.load_multi_digits: shapes and types, labels, determinism, each image rebuilt from its
documented sources and offsets, and source digits of test images kept out of training images."""
import doctest

import numpy as np
import pytest

from polyhead.datasets import load_digits, load_multi_digits


@pytest.fixture(scope="module")
def data():
    return load_multi_digits(n_train=600, n_test=200, seed=3)


def test_shapes_types_and_labels(data):
    assert data.x_train.shape == (600, 1, 12, 12) and data.x_test.shape == (200, 1, 12, 12)
    assert data.x_train.dtype == np.float32 and data.x_train.flags["C_CONTIGUOUS"]
    assert data.x_train.min() == 0 and data.x_train.max() == 1
    for labels, n in ((data.y_left_train, 600), (data.y_right_train, 600), (data.y_left_test, 200),
                      (data.y_right_test, 200)):
        assert labels.shape == (n,) and labels.dtype == np.int64
        assert set(labels.tolist()) == set(range(10))
    _, y = load_digits()
    np.testing.assert_array_equal(data.y_left_train, y[data.sources_train[:, 0]])
    np.testing.assert_array_equal(data.y_right_test, y[data.sources_test[:, 1]])
    assert (data.sources_train[:, 0] != data.sources_train[:, 1]).all(), "two different digits per image"


def test_each_image_is_the_max_overlay_of_its_two_digits(data):
    pixels, _ = load_digits()
    digits = pixels.reshape(-1, 8, 8) / 16.0
    for x, sources, offsets in ((data.x_train, data.sources_train, data.offsets_train),
                                (data.x_test, data.sources_test, data.offsets_test)):
        for image, (left, right), (lr, lc, rr, rc) in zip(x[:, 0], sources, offsets):
            assert 0 <= lr <= 1 and 0 <= lc <= 1 and rr in (3, 4) and rc in (3, 4), "up-left and down-right"
            a, b = np.zeros((12, 12)), np.zeros((12, 12))
            a[lr:lr + 8, lc:lc + 8] = digits[left]
            b[rr:rr + 8, rc:rc + 8] = digits[right]
            np.testing.assert_array_equal(image, np.maximum(a, b).astype(np.float32))


def test_test_sources_are_kept_out_of_training(data):
    train, test = set(data.sources_train.ravel().tolist()), set(data.sources_test.ravel().tolist())
    assert train.isdisjoint(test)
    assert len(test) > 200 and max(train | test) < 1797  # 400 draws from the 360 held-out digits reach ≈ 240


def test_deterministic_per_seed_and_channels_last():
    a, b = load_multi_digits(n_train=50, n_test=10, seed=1), load_multi_digits(n_train=50, n_test=10, seed=1)
    for name in a.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    other = load_multi_digits(n_train=50, n_test=10, seed=2)
    assert not np.array_equal(a.x_train, other.x_train)
    nhwc = load_multi_digits(n_train=50, n_test=10, seed=1, channels_last=True)
    assert nhwc.x_train.shape == (50, 12, 12, 1)
    np.testing.assert_array_equal(nhwc.x_train, a.x_train.transpose(0, 2, 3, 1))


def test_other_sizes():
    data = load_multi_digits(n_train=500, n_test=100, size=14, jitter=2)
    assert data.x_train.shape == (500, 1, 14, 14)
    assert data.offsets_train[:, :2].max() == 2 and data.offsets_train[:, 2:].min() == 4


@pytest.mark.parametrize("kwargs, match", [
    ({"n_train": 0}, "n_train must be a positive int"),
    ({"n_test": 2.5}, "n_test must be a positive int"),
    ({"size": 8}, "size must be between 9 and 15"),
    ({"size": 16}, "size must be between 9 and 15"),
    ({"size": 10, "jitter": 2}, r"jitter must be in \[0, size - 8\) = \[0, 2\)"),
    ({"jitter": -1}, "jitter"),
    ({"test_sources": 1.5}, "test_size as a fraction"),
])
def test_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_multi_digits(**kwargs)


def test_docstring_example():
    import polyhead.datasets.multi_digits as module

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
