"""Tests of the bundled digits data set (polyhead.datasets). Runs against the installed package."""

import numpy as np
import pytest

from polyhead import datasets


def test_load_digits_raw_shapes_dtypes_and_ranges():
    x, y = datasets.load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.uint8
    assert y.shape == (1797,) and y.dtype == np.int64
    assert x.min() == 0 and x.max() == 16
    assert set(np.unique(y).tolist()) == set(range(10))
    # Class counts of the UCI optdigits copy scikit-learn ships (a wrong or truncated file changes them).
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_load_digits_first_image_is_a_zero():
    x, y = datasets.load_digits()
    assert y[0] == 0
    assert x[0].reshape(8, 8)[0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]


def test_load_digits_returns_fresh_arrays():
    x, y = datasets.load_digits()
    x[:] = 99
    y[:] = -1
    x2, y2 = datasets.load_digits()
    assert x2.max() == 16 and y2.min() == 0


def test_multitask_shapes_and_dtypes():
    d = datasets.load_digits_multitask()
    assert d.x_train.shape == (1437, 64) and d.x_test.shape == (360, 64)
    assert d.n_train == 1437 and d.n_test == 360
    assert d.x_train.dtype == np.float32 and d.x_test.dtype == np.float32
    assert d.y_digit_train.shape == (1437,) and d.y_digit_test.shape == (360,)
    assert d.y_digit_train.dtype == np.int64 and d.y_digit_test.dtype == np.int64
    assert d.y_large_train.shape == (1437, 1) and d.y_large_test.shape == (360, 1)
    assert d.y_large_train.dtype == np.float32 and d.y_large_test.dtype == np.float32
    for a in (d.x_train, d.x_test, d.y_digit_train, d.y_large_test):
        assert a.flags.c_contiguous


def test_multitask_value_ranges_and_task_consistency():
    d = datasets.load_digits_multitask()
    for x in (d.x_train, d.x_test):
        assert x.min() == 0.0 and x.max() == 1.0
    for yd, yl in ((d.y_digit_train, d.y_large_train), (d.y_digit_test, d.y_large_test)):
        assert yd.min() >= 0 and yd.max() <= 9
        assert set(np.unique(yl).tolist()) == {0.0, 1.0}
        np.testing.assert_array_equal(yl[:, 0], (yd >= 5).astype(np.float32))


def test_multitask_unnormalized_keeps_pixel_counts():
    d = datasets.load_digits_multitask(normalize=False)
    assert d.x_train.dtype == np.float32
    assert d.x_train.max() == 16.0
    np.testing.assert_array_equal(d.x_train, np.round(d.x_train))
    dn = datasets.load_digits_multitask(normalize=True)
    np.testing.assert_allclose(dn.x_train * 16.0, d.x_train)


def test_multitask_split_is_deterministic_given_seed():
    a = datasets.load_digits_multitask(seed=7)
    b = datasets.load_digits_multitask(seed=7)
    c = datasets.load_digits_multitask(seed=8)
    for field in ("x_train", "x_test", "y_digit_train", "y_digit_test", "y_large_train", "y_large_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.y_digit_test, c.y_digit_test)


def _row_ids(x_uint8_rows, labels):
    """Identify each sample by (its pixels, its label) as bytes."""
    return [r.tobytes() + bytes([int(l)]) for r, l in zip(x_uint8_rows, labels)]


def test_multitask_split_is_a_disjoint_partition():
    x, y = datasets.load_digits()
    d = datasets.load_digits_multitask(test_size=0.25, seed=3, normalize=False)
    assert d.n_test == 450 and d.n_train == 1347
    train = _row_ids(d.x_train.astype(np.uint8), d.y_digit_train)
    test = _row_ids(d.x_test.astype(np.uint8), d.y_digit_test)
    everything = _row_ids(x, y)
    # The 1,797 images are all distinct, so each one identifies its sample.
    assert len(set(everything)) == 1797
    assert len(set(train)) == 1347 and len(set(test)) == 450
    assert set(train).isdisjoint(test)
    assert set(train) | set(test) == set(everything)


def test_multitask_int_test_size():
    d = datasets.load_digits_multitask(test_size=100)
    assert d.n_test == 100 and d.n_train == 1697


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 1.5, 0, 1797, 5000])
def test_multitask_bad_test_size_raises_value_error(bad):
    with pytest.raises(ValueError):
        datasets.load_digits_multitask(test_size=bad)


@pytest.mark.parametrize("bad", ["0.2", None, True])
def test_multitask_bad_test_size_type_raises_type_error(bad):
    with pytest.raises(TypeError):
        datasets.load_digits_multitask(test_size=bad)
