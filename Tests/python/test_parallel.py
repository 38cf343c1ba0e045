"""``polyhead.set_num_threads`` / ``get_num_threads`` (OpenBLAS threads)."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph


def test_set_and_get_num_threads_round_trip():
    before = ph.get_num_threads()
    try:
        for n in (1, 2):
            ph.set_num_threads(n)
            assert ph.get_num_threads() == n
            a = np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32)
            np.testing.assert_allclose((ph.tensor(a) @ ph.tensor(a)).numpy(), a @ a, rtol=1e-4, atol=1e-4)
    finally:
        ph.set_num_threads(before)
    assert ph.get_num_threads() == before


@pytest.mark.parametrize("n,error", [(0, ValueError), (-3, ValueError), (1.5, TypeError), ("2", TypeError)])
def test_bad_thread_counts(n, error):
    before = ph.get_num_threads()
    with pytest.raises(error):
        ph.set_num_threads(n)
    assert ph.get_num_threads() == before


def ops_split_over_threads(seed: int) -> list:
    """Outputs and gradients of ops that the core splits over threads once they are large enough (linear,
    element-wise maps, column reductions, row gathers, Adam's update, Keras's channels-last conv and pooling)."""
    from polyhead import keras, nn, optim
    import polyhead.nn.functional as F
    ph.manual_seed(seed)
    x = ph.randn(256, 512, requires_grad=True)
    w = ph.randn(64, 512, requires_grad=True)
    h = F.linear(x, w)
    maps = h.relu() + h.sigmoid() * h.tanh() - (h * 0.01).exp()
    gathered = x[list(range(255, -1, -2))]
    loss = maps.sum(0).sum() + gathered.pow(2.0).mean(0).sum()
    loss.backward()
    opt = optim.Adam([x, w], lr=1e-2)
    opt.step()
    rng = np.random.default_rng(seed)
    images = rng.standard_normal((64, 12, 12, 3)).astype(np.float32)
    labels = rng.integers(0, 4, 64)
    inputs = keras.Input(shape=(12, 12, 3))
    conv = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    pooled = keras.layers.Flatten()(keras.layers.MaxPooling2D(2)(conv))
    model = keras.Model(inputs, keras.layers.Dense(4, activation="softmax")(pooled))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(images, labels, epochs=2, batch_size=32, shuffle=False, verbose=0)
    return [maps.detach().numpy(), x.grad.numpy(), w.grad.numpy(), x.detach().numpy(), w.detach().numpy(),
            np.array(history.history["loss"]), model.predict(images)] + model.get_weights()


def test_ops_split_over_threads_give_the_results_of_one_thread():
    # Also the workload of the ThreadSanitizer run (Tests/sanitize.sh with SANITIZER=thread): every split op
    # runs on several threads at once here.
    before = ph.get_num_threads()
    try:
        ph.set_num_threads(1)
        single = ops_split_over_threads(3)
        ph.set_num_threads(4)
        split = ops_split_over_threads(3)
    finally:
        ph.set_num_threads(before)
    assert len(single) == len(split)
    for one, many in zip(single, split):
        np.testing.assert_allclose(many, one, rtol=1e-5, atol=1e-6)
