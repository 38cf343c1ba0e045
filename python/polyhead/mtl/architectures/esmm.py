"""``ESMM``: pCTCVR = pCTR · pCVR, both trained on the entire impression space."""

from __future__ import annotations

from typing import Any, Dict, Optional

from ... import _core
from ...nn import Module
from ._base import MultiTaskModel

__all__ = ["ESMM"]


class ESMM(MultiTaskModel):
    """Entire Space Multi-task Model (Ma, Zhao, Huang, Wang, Hu, Zhu, Gai, "Entire Space Multi-Task Model:
    An Effective Approach for Estimating Post-Click Conversion Rate", SIGIR 2018).

    A shared bottom (the paper's shared embeddings) feeds a CTR tower and a CVR tower, each ending in one
    logit per sample: ``pCTR = σ(ctr(h))``, ``pCVR = σ(cvr(h))``, ``pCTCVR = pCTR · pCVR``. Both trained tasks
    live on every impression: ``ctr`` against clicks, ``ctcvr`` against click-and-convert (e.g. with
    ``F.binary_cross_entropy``); pCVR is never fitted directly, avoiding the sample-selection bias of
    training CVR on clicked impressions only.

    ``forward`` returns probabilities (N, 1) as ``{"ctr", "ctcvr", "cvr"}``. The tasks (``self.tasks``) are
    ``ctr`` and ``ctcvr``; ``cvr`` is an extra output. Partition: the bottom and the CTR tower reach both tasks
    and are shared; the CVR tower only reaches ``ctcvr`` and is that task's; ``ctr`` owns nothing.

    Args:
        shared: the shared bottom.
        ctr_tower: module ending in (N, 1) CTR logits.
        cvr_tower: module ending in (N, 1) CVR logits.

    Parameter names: ``shared.…``, ``ctr.…``, ``cvr.…``.

    Examples:
        >>> import polyhead
        >>> from polyhead import mtl, nn
        >>> import polyhead.nn.functional as F
        >>> model = mtl.ESMM(nn.Sequential(nn.Linear(6, 8), nn.ReLU()), nn.Linear(8, 1), nn.Linear(8, 1))
        >>> out = model(polyhead.randn(4, 6))
        >>> list(out), model.tasks
        (['ctr', 'ctcvr', 'cvr'], ['ctr', 'ctcvr'])
        >>> click, buy = polyhead.tensor([[1.0], [0.0], [1.0], [0.0]]), polyhead.tensor([[1.0], [0.0], [0.0], [0.0]])
        >>> loss = F.binary_cross_entropy(out["ctr"], click) + F.binary_cross_entropy(out["ctcvr"], buy)
        >>> loss.backward()
    """

    def __init__(self, shared: Module, ctr_tower: Module, cvr_tower: Module) -> None:
        super().__init__()
        for name, module in (("shared", shared), ("ctr_tower", ctr_tower), ("cvr_tower", cvr_tower)):
            if not isinstance(module, Module):
                raise TypeError(f"[ESMM] {name} must be an nn.Module, got {type(module).__name__}")
        self.tasks = ["ctr", "ctcvr"]
        self.shared = shared
        self.ctr = ctr_tower
        self.cvr = cvr_tower

    def _parameter_task(self, name: str) -> Optional[str]:
        return "ctcvr" if name.startswith("cvr.") else None

    def forward(self, input: Any) -> Dict[str, Any]:
        """pCTR, pCTCVR and pCVR, each (N, 1)."""
        h = self.shared(input)
        ctr = _core.sigmoid(self.ctr(h))
        cvr = _core.sigmoid(self.cvr(h))
        return {"ctr": ctr, "ctcvr": _core.mul(ctr, cvr), "cvr": cvr}
