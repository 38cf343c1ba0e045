"""Loss-level weighting methods (``polyhead.mtl.weighting``): one weight per task per step, applied to the
losses themselves (LinearWeighting, UncertaintyWeighting, DWA, GradNorm, RLW, FAMO, …). One file per method,
each a :class:`polyhead.mtl.MultiTaskMethod` subclass; ``polyhead.mtl`` re-exports them all."""

import types as _types

# ---- re-exports (one line per file, e.g. `from .pcgrad import PCGrad`; __all__ below lists them) ----
from .linear import LinearWeighting
from .inverse_loss import InverseLossWeighting
from .uncertainty import UncertaintyWeighting
from .dwa import DWA
from .gradnorm import GradNorm
from .rlw import RLW
from .famo import FAMO
from .gls import GeometricLossStrategy
from .stch import STCH
# ---- end of re-exports ----

__all__ = sorted(name for name, value in list(globals().items())
                 if not name.startswith("_") and not isinstance(value, _types.ModuleType))
