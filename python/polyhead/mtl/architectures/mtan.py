"""``MTAN`` and ``MTANAttention``: per-task soft attention over the stages of a shared conv backbone."""

from __future__ import annotations

import operator
from typing import Any, Dict, Optional, Sequence

from ... import _core
from ...nn import BatchNorm2d, Conv2d, Module, ModuleDict, ModuleList, ReLU, Sequential, Sigmoid
from ._base import MultiTaskModel, named_modules, outputs_dict

__all__ = ["MTAN", "MTANAttention"]

_shape = _core.Tensor.shape.__get__


class MTANAttention(Module):
    """One task's attention module at one :class:`MTAN` stage (Liu, Johns, Davison, CVPR 2019).

    ``mask = sigmoid(BN(conv1×1(relu(BN(conv1×1(input))))))`` over the stage's shared features is applied
    elementwise, then (before the last stage) the f block ``relu(BN(conv3×3(·)))`` maps the attended
    features to the next stage's channel count.

    Args:
        input_channels: channels of the mask's input (the stage's shared features, concatenated with the
            task's previous features after the first stage).
        channels: channels of the stage's shared features (and of the mask).
        next_channels: the next stage's channel count, or None at the last stage (no f block).

    Attributes:
        mask: ``Sequential(Conv2d(input_channels, channels, 1, bias=False), BatchNorm2d(channels), ReLU(),
            Conv2d(channels, channels, 1, bias=False), BatchNorm2d(channels), Sigmoid())`` (the paper's and
            LibMTL's mask; no convolution bias, which the batch normalization after it would cancel).
        block: ``Sequential(Conv2d(channels, next_channels, 3, padding=1, bias=False),
            BatchNorm2d(next_channels), ReLU())`` or None.

    Examples:
        >>> import polyhead
        >>> from polyhead import mtl
        >>> module = mtl.MTANAttention(4, 4, next_channels=8)
        >>> tuple(module(polyhead.randn(2, 4, 6, 6)).shape)
        (2, 8, 6, 6)
    """

    def __init__(self, input_channels: int, channels: int, next_channels: Optional[int]) -> None:
        super().__init__()
        self.mask = Sequential(Conv2d(input_channels, channels, 1, bias=False), BatchNorm2d(channels), ReLU(),
                               Conv2d(channels, channels, 1, bias=False), BatchNorm2d(channels), Sigmoid())
        self.block = (None if next_channels is None else
                      Sequential(Conv2d(channels, next_channels, 3, padding=1, bias=False), BatchNorm2d(next_channels),
                                 ReLU()))

    def forward(self, shared: Any, previous: Optional[Any] = None) -> Any:
        """The task's features at this stage from the shared features (N, C, H, W) and the task's features of
        the stage before, already pooled to (N, C, H, W) (None at the first stage)."""
        input = shared if previous is None else _core.concat([shared, previous], 1)
        attended = _core.mul(self.mask(input), shared)
        return attended if self.block is None else self.block(attended)


class MTAN(MultiTaskModel):
    """Multi-Task Attention Network (Liu, Johns, Davison, "End-to-End Multi-Task Learning with Attention",
    CVPR 2019): a convolutional backbone shared by every task, split into stages, with per task and stage a
    soft-attention module (:class:`MTANAttention`) that picks the task's features out of the stage's shared
    features; then one head per task.

    With ``s_k`` the output of stage k and ``t_{k-1}`` the task's features from the stage before (max-pooled
    to ``s_k``'s height and width, window = stride = the ratio of the resolutions)::

        input_k = s_1 (first stage), cat([s_k, t_{k-1}], dim=1) (later stages)
        a_k = sigmoid(BN(conv1×1(relu(BN(conv1×1(input_k)))))) * s_k
        t_k = relu(BN(conv3×3(a_k)))        # the f block, to channels[k + 1]; none after the last stage

    and each head reads its task's ``a_K`` of the last stage.

    Stage granularity differs from the paper. There, each shared block j yields two tensors: the output of
    its first layer ``u_j``, from which (concatenated with ``t_{j-1}``) the mask is computed, and the output
    of its last layer ``p_j``, which the mask multiplies. Here a stage is an opaque module supplied by the
    caller and only its output is seen, so ``s_k`` serves both: the mask is computed from the stage's output
    and multiplies that same output. With one-layer stages the two agree; with multi-layer stages the mask
    sees the stage's last layer instead of its first.

    Args:
        backbone: the shared stages, a list of modules applied in order; stage k must return
            ``(N, channels[k], H_k, W_k)`` with each resolution a whole-number reduction of the one before.
        channels: the number of channels each stage returns.
        heads: one module per task, as a mapping or ``(task, module)`` pairs; their order is the task order.

    The backbone is shared; each task's attention modules and head are its own. The attention modules are
    created task by task, stage by stage (the same order as the Swift ``MTAN``, so a seed gives the same
    weights in both). Parameter (and buffer) names: ``backbone.<k>.<name>``,
    ``attention.<task>.<k>.mask.<i>.<name>``, ``attention.<task>.<k>.block.<i>.<name>``, ``heads.<task>.<name>``
    (the Swift ``MTAN``'s too, so weights saved in either language load in the other).

    Examples:
        >>> import polyhead
        >>> from polyhead import mtl, nn
        >>> model = mtl.MTAN([nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU()),
        ...                   nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU())],
        ...                  channels=[8, 16],
        ...                  heads={t: nn.Sequential(nn.Flatten(), nn.Linear(16 * 6 * 6, 10)) for t in ("left", "right")})
        >>> {task: tuple(y.shape) for task, y in model(polyhead.randn(4, 1, 12, 12)).items()}
        {'left': (4, 10), 'right': (4, 10)}
        >>> len(model.shared_parameters()), len(model.task_parameters("left"))
        (4, 17)
    """

    def __init__(self, backbone: Sequence[Module], channels: Sequence[int], heads: Any) -> None:
        super().__init__()
        pairs = named_modules(heads, "MTAN", "heads")
        stages, channels = list(backbone), [_channel_count(c) for c in channels]
        if not stages or len(stages) != len(channels) or min(channels) <= 0:
            raise ValueError(f"[MTAN] needs one positive channel count per backbone stage, got {len(stages)} stages "
                             f"and channels {channels}")
        for index, stage in enumerate(stages):
            if not isinstance(stage, Module):
                raise TypeError(f"[MTAN] backbone[{index}] must be an nn.Module, got {type(stage).__name__}")
        self.tasks = [task for task, _ in pairs]
        self.channels = channels
        self.backbone = ModuleList(stages)
        self.attention = ModuleDict([
            (task, ModuleList([MTANAttention(channels[0] if k == 0 else 2 * channels[k], channels[k],
                                             channels[k + 1] if k + 1 < len(channels) else None)
                               for k in range(len(channels))]))
            for task in self.tasks])
        self.heads = ModuleDict(pairs)

    def _parameter_task(self, name: str) -> Optional[str]:
        kind, rest = name.split(".", 1)
        return None if kind == "backbone" else rest.split(".", 1)[0]

    def forward(self, input: Any) -> Dict[str, Any]:
        """Runs the backbone stage by stage and every task's attention module after each stage, then the heads:
        a dict in task order."""
        shared = input
        streams: list = [None] * len(self.tasks)
        columns = list(self.attention.values())
        for k, stage in enumerate(self.backbone):
            shared = stage(shared)
            shape = _shape(shared)
            if len(shape) != 4 or shape[1] != self.channels[k]:
                raise ValueError(f"[MTAN] backbone stage {k} returned {shape}, expected (N, {self.channels[k]}, H, W)")
            streams = [column[k](shared, None if previous is None else _pool_to(shared, previous, k))
                       for column, previous in zip(columns, streams)]
        return outputs_dict(self.tasks, [head(x) for head, x in zip(self.heads.values(), streams)])

    def extra_repr(self) -> str:
        """The task names and channel counts."""
        return f"tasks={self.tasks}, channels={self.channels}"


def _channel_count(value: Any) -> int:
    """``value`` as an int channel count (Python or numpy integer)."""
    if isinstance(value, bool):
        raise TypeError("[MTAN] channel counts must be integers, got bool")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"[MTAN] channel counts must be integers, got {type(value).__name__}") from None


def _pool_to(shared: Any, features: Any, stage: int) -> Any:
    """``features`` max-pooled to the height and width of ``shared`` (window = stride = the ratio)."""
    (height, width), (from_height, from_width) = _shape(shared)[2:], _shape(features)[2:]
    if (height, width) == (from_height, from_width):
        return features
    window = (from_height // height, from_width // width) if height and width else (0, 0)
    if min(window) == 0 or from_height // window[0] != height or from_width // window[1] != width:
        raise ValueError(f"[MTAN] backbone stage {stage} output {height}×{width} is not a whole-number reduction of "
                         f"the previous stage's {from_height}×{from_width}")
    return _core.max_pool2d(features, window[0], window[1], window[0], window[1], 0, 0)
