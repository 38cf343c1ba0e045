"""Cross-stitch networks on the digits: a column per task, with learned α units mixing the columns between
stages. Prints α before and after training.

Run:  python examples/architectures/cross_stitch.py
"""
import numpy as np

import polyhead as ph
from polyhead import mtl, nn

from _digits import train_and_report

ph.manual_seed(0)
model = mtl.CrossStitch({task: [nn.Sequential(nn.Linear(64, 64), nn.ReLU()), nn.Sequential(nn.Linear(64, 64), nn.ReLU()),
                                nn.Linear(64, outputs)] for task, outputs in (("digit", 10), ("large", 1))})
print("alpha of the first unit at the start:", np.round(model.stitches[0].alpha.tolist(), 3).tolist())
train_and_report(model, lr=2e-3)
print("alpha of the first unit after training:", np.round(model.stitches[0].alpha.tolist(), 3).tolist())
