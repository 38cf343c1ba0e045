"""polyhead.keras layers against float64 numpy references with Keras semantics: Conv2D 'same' for any stride
and even kernels (TensorFlow's uneven padding), Max/AveragePooling2D valid and same ('same' averages exclude
the padding), global poolings, Dense on rank-3 inputs and BatchNormalization (moving statistics). Gradients are
checked against central differences of the float64 references."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
from polyhead import keras

L = keras.layers


def same_padding(size: int, window: int, stride: int):
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return out, total // 2


def windows(x, window, stride, padding):
    """Yields (i, j, rows, cols) of every window over the real pixels of x (N, H, W, C), as TensorFlow."""
    (kh, kw), (sh, sw) = window, stride
    if padding == "same":
        (oh, top), (ow, left) = same_padding(x.shape[1], kh, sh), same_padding(x.shape[2], kw, sw)
    else:
        (oh, top), (ow, left) = ((x.shape[1] - kh) // sh + 1, 0), ((x.shape[2] - kw) // sw + 1, 0)
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * sh - top, j * sw - left
            yield i, j, (r0, r0 + kh), (c0, c0 + kw), (oh, ow)


def conv_ref(x, kernel, bias, stride, padding):
    kh, kw, _, filters = kernel.shape
    cells = list(windows(x, (kh, kw), stride, padding))
    oh, ow = cells[0][4]
    out = np.zeros((x.shape[0], oh, ow, filters))
    for i, j, (r0, r1), (c0, c1), _ in cells:
        for r in range(max(r0, 0), min(r1, x.shape[1])):
            for c in range(max(c0, 0), min(c1, x.shape[2])):
                out[:, i, j] += x[:, r, c] @ kernel[r - r0, c - c0]
    return out + bias


def pool_ref(x, kind, window, stride, padding):
    cells = list(windows(x, window, stride, padding))
    oh, ow = cells[0][4]
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for i, j, (r0, r1), (c0, c1), _ in cells:
        block = x[:, max(r0, 0):min(r1, x.shape[1]), max(c0, 0):min(c1, x.shape[2])]
        out[:, i, j] = block.max(axis=(1, 2)) if kind == "max" else block.mean(axis=(1, 2))
    return out


def numeric_gradient(f, value, eps=1e-6):
    grad = np.zeros_like(value)
    for index in np.ndindex(value.shape):
        saved = value[index]
        value[index] = saved + eps
        up = f(value)
        value[index] = saved - eps
        down = f(value)
        value[index] = saved
        grad[index] = (up - down) / (2 * eps)
    return grad


def check_layer(layer, input_shape, reference, training=False, seed=0, atol=1e-4):
    """Forward and gradients (input and every trainable weight) of a one-layer model against
    ``reference(x, *weights)`` in float64."""
    ph.manual_seed(seed)
    inputs = keras.Input(shape=input_shape)
    model = keras.Model(inputs, layer(inputs))
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3,) + input_shape)
    for weight in model.trainable_weights:  # move the weights off their (often constant) initial values
        weight.detach().numpy()[...] = rng.normal(size=tuple(weight.shape)).astype(np.float32) * 0.5
    weights = [w.detach().numpy().astype(np.float64) for w in model.trainable_weights]
    x = x.astype(np.float32).astype(np.float64)
    want = reference(x, *weights)
    xt = ph.tensor(x.astype(np.float32), requires_grad=True)
    y = model(xt, training=training)
    assert tuple(y.shape) == want.shape == (3,) + tuple(layer._output.shape[1:])
    np.testing.assert_allclose(y.detach().numpy(), want, rtol=1e-4, atol=atol)
    if not training:
        np.testing.assert_allclose(model.predict(x.astype(np.float32), verbose=0), want, rtol=1e-4, atol=atol)
    seed_grad = rng.normal(size=want.shape)
    (y * ph.tensor(seed_grad.astype(np.float32))).sum().backward()
    np.testing.assert_allclose(xt.grad.numpy(), numeric_gradient(lambda v: (reference(v, *weights) * seed_grad).sum(), x),
                               rtol=1e-3, atol=1e-3)
    for k, weight in enumerate(model.trainable_weights):
        def f(value, k=k):
            return (reference(x, *[value if i == k else w for i, w in enumerate(weights)]) * seed_grad).sum()
        np.testing.assert_allclose(weight.grad.numpy(), numeric_gradient(f, weights[k].copy()), rtol=1e-3, atol=1e-3)
    return model


@pytest.mark.parametrize("kernel,strides", [(2, 1), (3, 2), ((2, 4), (2, 3)), (4, 3)])
def test_conv2d_same_padding_matches_tensorflow_for_any_stride_and_kernel(kernel, strides):
    layer = L.Conv2D(2, kernel, strides=strides, padding="same")
    ks = (kernel, kernel) if isinstance(kernel, int) else kernel
    ss = (strides, strides) if isinstance(strides, int) else strides
    check_layer(layer, (5, 7, 2), lambda x, k, b: conv_ref(x, k, b, ss, "same"))
    assert layer._output.shape == (None, -(-5 // ss[0]), -(-7 // ss[1]), 2)
    assert layer.kernel.shape == (*ks, 2, 2)


@pytest.mark.parametrize("layer_type,kind", [(L.MaxPooling2D, "max"), (L.AveragePooling2D, "average")])
@pytest.mark.parametrize("pool,strides,padding", [(2, None, "valid"), (2, None, "same"), (3, 2, "same"), ((2, 3), 1, "same"),
                                                  (3, 2, "valid")])
def test_pooling_valid_and_same_as_keras(layer_type, kind, pool, strides, padding):
    layer = layer_type(pool, strides=strides, padding=padding)
    check_layer(layer, (5, 7, 3), lambda x: pool_ref(x, kind, layer.pool_size, layer.strides, padding))


@pytest.mark.parametrize("layer_type,reduce", [(L.GlobalAveragePooling2D, np.mean), (L.GlobalMaxPooling2D, np.max)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_poolings(layer_type, reduce, keepdims):
    check_layer(layer_type(keepdims=keepdims), (3, 4, 5), lambda x: reduce(x, axis=(1, 2), keepdims=keepdims))


def test_dense_applies_to_the_last_axis_of_rank3_inputs():
    layer = L.Dense(4, activation="tanh")
    check_layer(layer, (3, 5), lambda x, k, b: np.tanh(x @ k + b))
    assert layer._output.shape == (None, 3, 4) and layer.kernel.shape == (5, 4)


def bn_ref(x, gamma, beta, eps=1e-3, mean=None, var=None, axis=-1):
    """Batch normalization over feature axis ``axis`` of ``x`` in float64."""
    axis %= x.ndim
    axes = tuple(a for a in range(x.ndim) if a != axis)
    along = [1] * x.ndim
    along[axis] = -1
    mean = x.mean(axis=axes) if mean is None else mean
    var = x.var(axis=axes) if var is None else var
    def put(v):
        return np.reshape(v, along) if np.ndim(v) else v
    return (x - put(mean)) / np.sqrt(put(var) + eps) * put(gamma) + put(beta)


@pytest.mark.parametrize("shape,axis", [((4,), -1), ((3, 2, 4), -1), ((4, 3, 2), 1), ((3, 4, 2), 2), ((3, 4, 2), -2)])
def test_batch_normalization_trains_on_batch_statistics_and_moves_the_moving_ones(shape, axis):
    layer = L.BatchNormalization(axis=axis)
    model = check_layer(layer, shape, lambda x, gamma, beta: bn_ref(x, gamma, beta, axis=axis), training=True)
    assert [w.shape for w in model.non_trainable_weights] == [(4,), (4,)]
    # check_layer made one training call: the moving statistics moved once from (0, 1).
    x = np.random.default_rng(0).normal(size=(3,) + shape).astype(np.float32).astype(np.float64)
    axes = tuple(a for a in range(x.ndim) if a != axis % x.ndim)
    mean, var = 0.01 * x.mean(axis=axes), 0.99 + 0.01 * x.var(axis=axes)
    np.testing.assert_allclose(layer.moving_mean.numpy(), mean, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(layer.moving_variance.numpy(), var, rtol=1e-5)
    gamma, beta = (w.detach().numpy().astype(np.float64) for w in layer.trainable_weights)
    np.testing.assert_allclose(model.predict(x.astype(np.float32), verbose=0),
                               bn_ref(x, gamma, beta, mean=mean, var=var, axis=axis), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), mean, rtol=1e-5, atol=1e-7)  # inference leaves them


def test_batch_normalization_options_and_a_batch_of_one():
    ph.manual_seed(0)
    inputs = keras.Input(shape=(3,))
    layer = L.BatchNormalization(momentum=0.5, epsilon=0.1, center=False)
    model = keras.Model(inputs, layer(inputs))
    assert [n.split("/")[1] for n in model.weight_names] == ["gamma", "moving_mean", "moving_variance"]
    x = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 7.0]], np.float32)
    np.testing.assert_allclose(model(x, training=True).detach().numpy(), bn_ref(x, 1.0, 0.0, eps=0.1), rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.5 + 0.5 * x.var(0), rtol=1e-6)
    np.testing.assert_array_equal(model(x[:1], training=True).detach().numpy(), np.zeros((1, 3)))  # zero variance → beta
    for axis in (0, 3, -3):
        with pytest.raises(ValueError, match=f"axis must be a feature axis.*got axis {axis} for inputs"):
            L.BatchNormalization(axis=axis)(keras.Input(shape=(2, 3)))
    with pytest.raises(ValueError, match="axis must be only the last axis"):
        L.LayerNormalization(axis=1)(keras.Input(shape=(2, 3)))
    with pytest.raises(ValueError, match="momentum"):
        L.BatchNormalization(momentum=1.5)


def test_fit_save_load_and_summary_with_the_new_layers(tmp_path):
    ph.manual_seed(3)
    image = keras.Input(shape=(6, 6, 2))
    h = L.Conv2D(4, 2, strides=2, padding="same", activation="relu")(image)
    h = L.BatchNormalization(name="bn")(h)
    h = L.MaxPooling2D(2, strides=1, padding="same")(h)
    a = L.Dense(1, name="a")(L.GlobalAveragePooling2D()(L.AveragePooling2D(2, padding="same")(h)))
    b = L.Flatten()(L.Dense(2)(L.GlobalMaxPooling2D(keepdims=True)(h)))
    model = keras.Model(image, [a, L.Dense(1, name="b")(b)])
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 6, 6, 2)).astype(np.float32)
    y = [x.mean(axis=(1, 2, 3))[:, None], x.max(axis=(1, 2, 3))[:, None]]
    moving = model.get_layer("bn").moving_variance.numpy().copy()
    history = model.fit(x, y, epochs=6, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert not np.allclose(model.get_layer("bn").moving_variance.numpy(), moving)
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    frozen = 2 * 4
    assert f"Non-trainable params: {frozen}" in text and f"Trainable params: {model.count_params() - frozen}" in text
    assert "(Conv2D)" in text and "(None, 3, 3, 4)" in text and "(GlobalMaxPooling2D)" in text
    assert L.GlobalMaxPooling2D().name.startswith("global_max_pooling2d") and L.Conv2D(1, 1).name.startswith("conv2d")
    path = tmp_path / "model.safetensors"
    model.save(path)
    loaded = keras.models.load_model(path)
    for before, after in zip(model.predict(x, verbose=0), loaded.predict(x, verbose=0)):
        np.testing.assert_array_equal(before, after)
    assert loaded.weight_names == model.weight_names
    np.testing.assert_array_equal(loaded.get_layer("bn").moving_mean.numpy(),
                                  model.get_layer("bn").moving_mean.numpy())


@pytest.mark.parametrize("make,message", [
    (lambda: L.Conv2D(2, 3, strides=2**63 - 1, padding="same"), "strides must be"),
    (lambda: L.AveragePooling2D(2**31, padding="same"), "pool_size must be"),
    (lambda: L.MaxPooling2D(7), "larger than the input"),
    (lambda: L.Conv2D(2, 3, padding="full"), "padding must be"),
    (lambda: L.GlobalAveragePooling2D(), "needs \\(batch, height, width, channels\\)"),
])
def test_spatial_layer_errors_are_value_errors(make, message):
    x = keras.Input(shape=(4, 5, 2) if "needs" not in message else (4, 5))
    with pytest.raises(ValueError, match=message):
        keras.Model(x, make()(x))


def test_channels_first_batch_normalization_saves_and_loads(tmp_path):
    ph.manual_seed(2)
    inputs = keras.Input(shape=(3, 2, 2))
    model = keras.Model(inputs, L.Flatten()(L.BatchNormalization(axis=1, name="bn")(inputs)))
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(1).normal(size=(6, 3, 2, 2)).astype(np.float32)
    model.fit(x, np.zeros((6, 12), np.float32), epochs=2, batch_size=3, verbose=0)
    model.save(tmp_path / "bn.safetensors")
    loaded = keras.models.load_model(tmp_path / "bn.safetensors")
    assert loaded.get_layer("bn").axis == 1
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
