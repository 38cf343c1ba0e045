"""Multi-task architectures (``polyhead.mtl.architectures``): modules that share parameters between tasks
(HardSharing, SoftSharing, CrossStitch, MMoE, CGC/PLE, MTAN, …). One file per architecture; ``polyhead.mtl``
re-exports them all."""

import types as _types

# ---- re-exports (one line per file, e.g. `from .pcgrad import PCGrad`; __all__ below lists them) ----
from ._base import MultiTaskModel
from .hard_sharing import HardSharing
from .soft_sharing import SoftSharing
from .task_specific import TaskSpecific
from .cross_stitch import CrossStitch, CrossStitchUnit
from .mmoe import MMoE
from .cgc import CGC, ExtractionLevel
from .ple import PLE
from .dselect_k import DSelectK, DSelectKGate, smooth_step
from .esmm import ESMM
from .task_relation import TaskRelation
from .mtan import MTAN, MTANAttention
# ---- end of re-exports ----

__all__ = sorted(name for name, value in list(globals().items())
                 if not name.startswith("_") and not isinstance(value, _types.ModuleType))
