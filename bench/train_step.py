"""Time training steps of a hard-parameter-sharing MLP in Polyhead (and in PyTorch, if installed).

Model (DESIGN.md "mlp-hard"): shared trunk 784 -> 256 -> 128 (ReLU) with two heads, a 10-class head
trained with cross-entropy and a 1-logit head trained with binary cross-entropy on logits; the two
losses are summed and Adam (lr 1e-3) updates every parameter. One step = forward, both losses,
zero_grad, backward, optimizer step, on one fixed random batch (the data is converted to tensors
once, outside the timed region, for both libraries alike).

Each repetition times --steps consecutive steps; the reported figure is the median over --reps
repetitions, after --warmup untimed steps. Polyhead and PyTorch repetitions alternate so that both
see the same machine conditions, and the ratio polyhead/torch is printed.

    python bench/train_step.py                      # batch 256, 50 steps x 7 reps, 2 threads
    python bench/train_step.py --batch 64 --steps 100 --reps 9
    python bench/train_step.py --no-torch           # Polyhead only
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional

from _harness import compare, parse_args, two_task_batch, write_json

IN, H1, H2, CLASSES = 784, 256, 128, 10


def make_data(batch: int, seed: int):
    """One random batch: inputs (batch, 784) float32, digit labels int64 0..9, binary targets (batch, 1)."""
    return two_task_batch((batch, IN), seed, CLASSES)


def build_step(lib, nn, optim, x_np, y_class_np, y_bin_np, lr: float) -> Callable[[], object]:
    """Build the model, optimizer and batch with library `lib` (polyhead or torch); return one step."""

    class HardSharing(nn.Module):
        def __init__(self):
            super().__init__()
            self.trunk = nn.Sequential(nn.Linear(IN, H1), nn.ReLU(), nn.Linear(H1, H2), nn.ReLU())
            self.classify = nn.Linear(H2, CLASSES)
            self.binary = nn.Linear(H2, 1)

        def forward(self, x):
            h = self.trunk(x)
            return self.classify(h), self.binary(h)

    model = HardSharing()
    opt = optim.Adam(model.parameters(), lr=lr)
    ce = nn.functional.cross_entropy
    bce = nn.functional.binary_cross_entropy_with_logits
    x = lib.from_numpy(x_np)
    y_class = lib.from_numpy(y_class_np)
    y_bin = lib.from_numpy(y_bin_np)

    def step():
        logits, logit = model(x)
        loss = ce(logits, y_class) + bce(logit, y_bin)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    step.model = model  # type: ignore[attr-defined]
    return step


def main(argv: Optional[List[str]] = None) -> Dict[str, object]:
    args = parse_args(__doc__.splitlines()[0], batch=256, steps=50, warmup=20, argv=argv)
    title = f"mlp-hard {IN}->{H1}->{H2}->{{{CLASSES} CE, 1 BCE-with-logits}}, Adam"
    results, _ = compare(args, title, make_data, build_step, unit="us")
    write_json(results, args.json)
    return results


if __name__ == "__main__":
    main()
