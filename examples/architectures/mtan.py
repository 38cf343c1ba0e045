"""MTAN on two-digit overlays (MultiMNIST-style, from the bundled digits): a shared two-stage conv backbone,
and per task ("left" and "right" digit) an attention module after each stage and a dense head. Prints how
the parameters split between the backbone and each task, then both tasks' test accuracy.

The model and the training loop are those of ``examples/multi_digits_conv.py``, which also compares MTAN
with a hard-sharing conv net trained with summed losses, PCGrad and MGDA.

Run:  python examples/architectures/mtan.py
"""
import pathlib
import sys

import numpy as np

import polyhead as ph
from polyhead.datasets import load_multi_digits

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from multi_digits_conv import attention_net, train  # noqa: E402

ph.manual_seed(0)
model = attention_net()


def scalars(parameters):
    return sum(int(np.prod(p.shape)) for p in parameters)


print(f"backbone (shared): {scalars(model.shared_parameters())} scalars; attention + head per task: "
      + ", ".join(f"{task} {scalars(model.task_parameters(task))}" for task in model.tasks))
print("attention modules of 'left':", [type(m).__name__ for m in model.attention["left"]])
left, right, seconds = train(model, None, load_multi_digits(n_train=4000, n_test=500), epochs=3)
print(f"MTAN: left accuracy {left:.3f}, right accuracy {right:.3f} ({seconds:.2f} s per epoch)")
