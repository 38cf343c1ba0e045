"""Gradients of a two-head MLP (shared trunk Linear-ReLU-Linear-ReLU; head A Linear → cross-entropy, head
B Linear → BCE with logits) against forward + backward written out by hand in float64 numpy."""

from __future__ import annotations

import numpy as np
import pytest

import polyhead as ph
import polyhead.nn.functional as F
from polyhead import nn

N, D, H1, H2, C = 16, 6, 8, 5, 4
WEIGHT_B = 0.5


class TwoHeadMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(D, H1), nn.ReLU(), nn.Linear(H1, H2), nn.ReLU())
        self.head_a = nn.Linear(H2, C)
        self.head_b = nn.Linear(H2, 1)

    def forward(self, x):
        h = self.trunk(x)
        return self.head_a(h), self.head_b(h)


def reference(params, x, y, t):
    """Losses and gradients of L = CE(head A) + WEIGHT_B * BCEWithLogits(head B), float64, by hand."""
    W1, b1, W2, b2, Wa, ba, Wb, bb = params
    z1 = x @ W1.T + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ W2.T + b2
    h2 = np.maximum(z2, 0)
    a = h2 @ Wa.T + ba
    b = h2 @ Wb.T + bb
    shifted = a - a.max(1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    loss_a = -log_probs[np.arange(N), y].mean()
    loss_b = (np.maximum(b, 0) - t * b + np.log1p(np.exp(-np.abs(b)))).mean()

    def backward(da, db):
        dh2 = da @ Wa + db @ Wb
        dz2 = dh2 * (z2 > 0)
        dh1 = dz2 @ W2
        dz1 = dh1 * (z1 > 0)
        return [dz1.T @ x, dz1.sum(0), dz2.T @ h1, dz2.sum(0), da.T @ h2, da.sum(0), db.T @ h2, db.sum(0)]

    onehot = np.eye(C)[y]
    da = (np.exp(log_probs) - onehot) / N
    db = WEIGHT_B * (1 / (1 + np.exp(-b)) - t) / N
    zero_a, zero_b = np.zeros_like(da), np.zeros_like(db)
    return (loss_a, loss_b), backward(da, db), backward(da, zero_b), backward(zero_a, db)


@pytest.fixture
def setup():
    ph.manual_seed(7)
    net = TwoHeadMLP()
    rng = np.random.default_rng(7)
    x = rng.standard_normal((N, D)).astype(np.float32)
    y = rng.integers(0, C, N)
    t = (rng.uniform(size=(N, 1)) > 0.5).astype(np.float32)
    params64 = [p.detach().numpy().astype(np.float64) for p in net.parameters()]
    return net, x, y, t, reference(params64, x.astype(np.float64), y, t.astype(np.float64))


def grads_of(net):
    return [None if p.grad is None else p.grad.numpy().copy() for p in net.parameters()]


NAMES = ["trunk.0.weight", "trunk.0.bias", "trunk.2.weight", "trunk.2.bias", "head_a.weight", "head_a.bias",
         "head_b.weight", "head_b.bias"]


def assert_grads_close(got, want, names=NAMES):
    assert len(got) == len(want) == len(names)
    for name, g, w in zip(names, got, want):
        scale = np.abs(w).max() + 1e-12
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4 * scale, err_msg=name)


def test_joint_loss_gradients_match_numpy_reference(setup):
    net, x, y, t, ((loss_a, loss_b), grads, _, _) = setup
    logits, logit = net(ph.tensor(x))
    la = F.cross_entropy(logits, y)
    lb = F.binary_cross_entropy_with_logits(logit, t)
    assert la.item() == pytest.approx(loss_a, rel=1e-5)
    assert lb.item() == pytest.approx(loss_b, rel=1e-5)
    (la + WEIGHT_B * lb).backward()
    assert [n for n, _ in net.named_parameters()][0] == "trunk.0.weight"
    assert_grads_close(grads_of(net), grads)


def test_per_task_gradients_with_retain_graph(setup):
    net, x, y, t, (_, joint, only_a, only_b) = setup
    logits, logit = net(ph.tensor(x))
    la = F.cross_entropy(logits, y)
    lb = WEIGHT_B * F.binary_cross_entropy_with_logits(logit, ph.tensor(t))
    la.backward(retain_graph=True)
    grads_a = grads_of(net)
    assert grads_a[6:] == [None, None]  # head B gets no gradient from task A
    net.zero_grad()
    lb.backward()
    grads_b = grads_of(net)
    assert grads_b[4:6] == [None, None]  # nor head A from task B
    assert_grads_close(grads_a[:6], only_a[:6], NAMES[:6])
    assert_grads_close(grads_b[:4] + grads_b[6:], only_b[:4] + only_b[6:], NAMES[:4] + NAMES[6:])
    summed = [a + b for a, b in zip(grads_a[:4], grads_b[:4])]
    assert_grads_close(summed, joint[:4], NAMES[:4])


def test_one_adam_step_moves_every_parameter(setup):
    net, x, y, t, _ = setup
    before = [p.detach().numpy().copy() for p in net.parameters()]
    opt = ph.optim.Adam(net.parameters(), lr=1e-2)
    logits, logit = net(ph.tensor(x))
    (F.cross_entropy(logits, y) + F.binary_cross_entropy_with_logits(logit, t)).backward()
    opt.step()
    for b, p in zip(before, net.parameters()):
        moved = np.abs(p.detach().numpy() - b)
        assert moved.max() == pytest.approx(1e-2, rel=1e-3)  # Adam's first step moves by lr (up to eps)
