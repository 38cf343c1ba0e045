"""``polyhead.manual_seed``: reproducible randn/rand/Linear init."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph


def draw():
    return ph.randn(3, 4).numpy().copy(), ph.rand(5).numpy().copy(), ph.nn.Linear(4, 2).weight.detach().numpy().copy()


def test_same_seed_same_numbers():
    ph.manual_seed(123)
    first = draw()
    ph.manual_seed(123)
    second = draw()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_different_seeds_differ_and_the_stream_advances():
    ph.manual_seed(1)
    a = ph.randn(8).numpy().copy()
    b = ph.randn(8).numpy().copy()
    ph.manual_seed(2)
    c = ph.randn(8).numpy().copy()
    assert not np.array_equal(a, b) and not np.array_equal(a, c)


def test_seed_accepts_numpy_ints_and_large_values():
    ph.manual_seed(np.int64(7))
    a = ph.rand(3).numpy().copy()
    ph.manual_seed(7)
    np.testing.assert_array_equal(a, ph.rand(3).numpy())
    ph.manual_seed(2**64 - 1)
    ph.manual_seed(-1)
    b = ph.rand(3).numpy().copy()
    ph.manual_seed(2**64 - 1)
    np.testing.assert_array_equal(b, ph.rand(3).numpy())


@pytest.mark.parametrize("seed,error", [(1.5, TypeError), ("1", TypeError), (2**64, ValueError), (-(2**63) - 1, ValueError)])
def test_bad_seeds(seed, error):
    with pytest.raises(error):
        ph.manual_seed(seed)


# ---------------------------------------------------------------- randperm


def _splitmix64_randperm(seed, n):
    """torch.randperm's contract (a permutation of 0 … n-1) drawn as the core documents it: Fisher–Yates over
    SplitMix64 (Steele et al. 2014) from the seed, reimplemented here independently of the core."""
    mask, state, order = 2**64 - 1, seed, list(range(n))
    for i in range(n - 1, 0, -1):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        j = (z ^ (z >> 31)) % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


@pytest.mark.parametrize("seed,n", [(0, 10), (12345, 257), (2**64 - 1, 3)])
def test_randperm_is_fisher_yates_over_the_seeded_generator(seed, n):
    ph.manual_seed(seed)
    p = ph.randperm(n)
    assert isinstance(p, ph.Tensor) and p.shape == (n,) and p.dtype is ph.int64
    assert p.tolist() == list(_splitmix64_randperm(seed, n))
    assert sorted(p.tolist()) == list(range(n))


def test_randperm_continues_the_stream_and_indexes_tensors():
    ph.manual_seed(5)
    first, second = ph.randperm(50).tolist(), ph.randperm(50).tolist()
    assert first != second and sorted(first) == sorted(second) == list(range(50))
    ph.manual_seed(5)
    assert ph.randperm(50).tolist() == first
    x = ph.arange(10).reshape(5, 2)
    order = ph.randperm(5)
    np.testing.assert_array_equal(x[order].numpy(), x.numpy()[order.numpy().astype(int)])
    assert ph.randperm(0).shape == (0,) and ph.randperm(1).tolist() == [0.0]


def test_randperm_is_uniform_over_orders():
    ph.manual_seed(11)
    counts = {}
    for _ in range(3000):
        key = tuple(ph.randperm(3).tolist())
        counts[key] = counts.get(key, 0) + 1
    assert len(counts) == 6 and all(abs(c - 500) < 100 for c in counts.values()), counts  # binomial sd ≈ 20


def test_generator_holds_a_stream_of_its_own():
    g = ph.Generator().manual_seed(12345)
    assert g.initial_seed() == 12345 and g.device == "cpu"
    ph.manual_seed(7)
    a = ph.randperm(40, generator=g).tolist()
    b = ph.randperm(40, generator=g).tolist()
    assert a == [float(i) for i in _splitmix64_randperm(12345, 40)] and a != b and sorted(b) == sorted(a)
    after = ph.rand(3).tolist()
    ph.manual_seed(7)
    assert ph.rand(3).tolist() == after  # the global stream untouched
    ph.manual_seed(12345)
    assert ph.randperm(40).tolist() == a  # a generator seeded s draws what manual_seed(s) draws
    assert ph.Generator().initial_seed() == 67280421310721  # PyTorch's default seed
    seed = g.seed()
    assert g.initial_seed() == seed and ph.randperm(5, generator=g).tolist() == \
        ph.randperm(5, generator=ph.Generator().manual_seed(seed)).tolist()
    with pytest.raises(ValueError, match="CPU"):
        ph.Generator("cuda")
    with pytest.raises(TypeError):
        g.manual_seed("1")


@pytest.mark.parametrize("args,kwargs,error,message", [
    ((-1,), {}, ValueError, ">= 0"),
    ((2.0,), {}, TypeError, "int"),
    ((True,), {}, TypeError, "int"),
    ((2**24 + 1,), {}, ValueError, "2\\*\\*24"),
    ((3,), {"generator": object()}, TypeError, "generator"),
    ((3,), {"dtype": "float64"}, TypeError, "float32"),
])
def test_randperm_bad_arguments(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        ph.randperm(*args, **kwargs)


# ---------------------------------------------------------------- TensorFlow / Keras seeding


def test_tf_random_set_seed_seeds_the_generator():
    import polyhead as tf

    tf.random.set_seed(21)
    a = tf.rand(4).tolist()
    ph.manual_seed(21)
    assert ph.rand(4).tolist() == a
    tf.random.set_seed(None)  # from the OS: two reseeds give different streams
    b = tf.rand(4).tolist()
    tf.random.set_seed(None)
    assert tf.rand(4).tolist() != b
    with pytest.raises(TypeError):
        tf.random.set_seed("21")


def test_keras_set_random_seed_seeds_python_numpy_and_polyhead():
    import random

    import polyhead as tf

    def draw():
        return random.random(), np.random.rand(3).tolist(), tf.rand(3).tolist()

    tf.keras.utils.set_random_seed(8)
    first = draw()
    tf.keras.utils.set_random_seed(8)
    assert draw() == first
    random.seed(8)
    np.random.seed(8)
    ph.manual_seed(8)
    assert draw() == first
    for bad, error in [(1.0, TypeError), ("8", TypeError), (-1, ValueError), (2**32, ValueError)]:
        with pytest.raises(error, match="seed"):
            tf.keras.utils.set_random_seed(bad)


def _fit_weights(seed):
    import polyhead as tf

    tf.keras.utils.set_random_seed(seed)
    x = np.random.rand(64, 5).astype("float32")  # numpy data too: seeded by set_random_seed
    y = (x.sum(axis=1, keepdims=True) > 2.5).astype("float32")
    inputs = tf.keras.Input(shape=(5,))
    hidden = tf.keras.layers.Dense(8, activation="relu")(inputs)
    hidden = tf.keras.layers.Dropout(0.3)(hidden)
    a = tf.keras.layers.Dense(1, activation="sigmoid", name="a")(hidden)
    b = tf.keras.layers.Dense(1, name="b")(hidden)
    model = tf.keras.Model(inputs=inputs, outputs=[a, b])
    model.compile(optimizer="adam", loss=["binary_crossentropy", "mse"])
    model.fit(x, [y, x[:, :1]], epochs=3, batch_size=16, shuffle=True, verbose=0)
    return model.get_weights()


def test_keras_fits_with_the_same_seed_train_identical_weights():
    first, second, other = _fit_weights(3), _fit_weights(3), _fit_weights(4)
    assert len(first) == len(second) == 6
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, c) for a, c in zip(first, other))
