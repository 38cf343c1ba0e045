"""``polyhead.cuda``: what PyTorch scripts ask of ``torch.cuda`` before falling back to the CPU. Polyhead has
no GPU backend, so no CUDA device is ever available (as in a CPU-only PyTorch build)."""

from __future__ import annotations

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all"]


def is_available() -> bool:
    """False: Polyhead computes on the CPU only.

    Examples:
        >>> import polyhead
        >>> polyhead.cuda.is_available(), polyhead.cuda.device_count()
        (False, 0)
    """
    return False


def device_count() -> int:
    """0: no CUDA devices."""
    return 0


def manual_seed(seed: int) -> None:
    """Seeds the CUDA generators: with no CUDA device there are none, so this does nothing (as in PyTorch
    without CUDA); ``polyhead.manual_seed`` seeds the CPU generator."""


def manual_seed_all(seed: int) -> None:
    """Seeds the generators of every CUDA device: there are none, so this does nothing (see ``manual_seed``)."""
