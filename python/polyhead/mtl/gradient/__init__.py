"""Gradient-level methods (``polyhead.mtl.gradient``): they combine the per-task gradients of the shared
part into one update (PCGrad, MGDA, CAGrad, IMTL, AlignedMTL, NashMTL, …). One file per method, each a
:class:`polyhead.mtl.MultiTaskMethod` subclass; ``polyhead.mtl`` re-exports them all."""

import types as _types

# ---- re-exports (one line per file, e.g. `from .pcgrad import PCGrad`; __all__ below lists them) ----
from .pcgrad import PCGrad
from .mgda import MGDA
from .cagrad import CAGrad
from .imtl import IMTL
from .aligned_mtl import AlignedMTL
from .nash_mtl import NashMTL
from .upgrad import UPGrad
from .dualproj import DualProj
from .gradvac import GradVac
from .graddrop import GradDrop
from .fairgrad import FairGrad
from .moco import MoCo
from .dbmtl import DBMTL
from .excess_mtl import ExcessMTL
from .sdmgrad import SDMGrad
# ---- end of re-exports ----

__all__ = sorted(name for name, value in list(globals().items())
                 if not name.startswith("_") and not isinstance(value, _types.ModuleType))
