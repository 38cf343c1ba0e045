"""Multi-task architectures (``polyhead.mtl.architectures``): modules that share parameters between tasks
(HardSharing, SoftSharing, CrossStitch, MMoE, CGC/PLE, …). One file per architecture; ``polyhead.mtl``
re-exports them all."""

import types as _types

# ---- re-exports (one line per file, e.g. `from .pcgrad import PCGrad`; __all__ below lists them) ----
# ---- end of re-exports ----

__all__ = sorted(name for name, value in list(globals().items())
                 if not name.startswith("_") and not isinstance(value, _types.ModuleType))
