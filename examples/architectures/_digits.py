"""Shared by the architecture examples: the bundled 8×8 digits as two tasks (digit class, digit ≥ 5), a
training loop for any ``polyhead.mtl`` model with outputs ``"digit"`` (10 logits) and ``"large"`` (1 logit),
and the test accuracies."""

import time

import numpy as np

import polyhead as ph
from polyhead import optim
from polyhead.datasets import load_digits_multitask

F = ph.nn.functional


def losses(outputs, y_digit, y_large):
    """The two task losses."""
    return [F.cross_entropy(outputs["digit"], y_digit), F.binary_cross_entropy_with_logits(outputs["large"], y_large)]


def train_and_report(model, epochs=20, seed=0, lr=1e-3, batch_size=64, extra_loss=None, select=None):
    """Trains ``model`` with Adam on the summed task losses (plus ``extra_loss(x)`` of the batch input ``x`` if
    given) and prints the test accuracy of both tasks. ``select`` maps the model's outputs to ``{"digit", "large"}``
    when they differ."""
    run = (lambda x: select(model(x))) if select is not None else model
    data = load_digits_multitask(test_size=0.2, seed=seed)
    opt = optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for _ in range(epochs):
        order = rng.permutation(len(data.x_train))
        for begin in range(0, len(order), batch_size):
            rows = order[begin:begin + batch_size]
            x = ph.tensor(data.x_train[rows])
            outputs = run(x)
            loss = sum(losses(outputs, data.y_digit_train[rows], data.y_large_train[rows]))
            if extra_loss is not None:
                loss = loss + extra_loss(x)
            opt.zero_grad()
            loss.backward()
            opt.step()
    with ph.no_grad():
        outputs = run(ph.tensor(data.x_test))
    digit = np.mean(outputs["digit"].numpy().argmax(axis=1) == data.y_digit_test)
    large = np.mean((outputs["large"].numpy() > 0) == (data.y_large_test > 0.5))
    print(f"{type(model).__name__}: digit accuracy {digit:.3f}, >=5 accuracy {large:.3f} "
          f"({time.perf_counter() - start:.1f} s for {epochs} epochs)")
    return digit, large
