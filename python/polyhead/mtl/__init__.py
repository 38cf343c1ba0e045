"""``polyhead.mtl``: multi-task learning — architectures that share parameters between tasks, and the
methods that turn several task losses into one update.

Loss-level weightings (``mtl.weighting``) give each task a weight per step; gradient-level methods
(``mtl.gradient``) combine the per-task gradients of the shared part. Both are
:class:`MultiTaskMethod` subclasses used the same way::

    method = mtl.PCGrad()
    losses = [loss_a, loss_b]
    opt.zero_grad()
    record = method.backward(losses, shared_parameters=model.trunk.parameters())
    opt.step()
    print(record.weights)

Architectures (``mtl.architectures``) are ``nn.Module`` subclasses. The math runs in the core.
"""

from ._method import MultiTaskMethod, StepRecord, available_methods
from . import architectures, gradient, weighting
from .weighting import *  # noqa: F401,F403  (each subpackage defines __all__)
from .gradient import *  # noqa: F401,F403
from .architectures import *  # noqa: F401,F403

__all__ = (["MultiTaskMethod", "StepRecord", "available_methods", "weighting", "gradient", "architectures"]
           + weighting.__all__ + gradient.__all__ + architectures.__all__)
