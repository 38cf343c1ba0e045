"""``GradNorm``: gradient normalisation (Chen et al. 2018)."""

from __future__ import annotations

from .._method import MultiTaskMethod

__all__ = ["GradNorm"]


class GradNorm(MultiTaskMethod):
    r"""GradNorm (Chen, Badrinarayanan, Lee, Rabinovich, "GradNorm: Gradient Normalization for Adaptive Loss
    Balancing in Deep Multitask Networks", ICML 2018).

    Learnable task weights :math:`w_i` (``loss_weights``, returned by :meth:`parameters` — give them to the
    optimizer with the model) are tuned so that the gradient norm of each weighted task on the shared part,
    :math:`G_i = \lVert\nabla_W w_i L_i\rVert`, follows its relative training rate:
    :math:`L_\text{grad} = \sum_i |G_i - \bar G\, r_i^\alpha|` with :math:`r_i = \tilde L_i / \text{mean}_j
    \tilde L_j`, :math:`\tilde L_i = L_i(t)/L_i(0)` (the first step's losses) and the targets held constant.
    ``backward`` adds :math:`\partial L_\text{grad}/\partial w` to the weights' ``.grad`` and back-propagates
    :math:`\sum_i w_i L_i` (weights constant) into the model; the weights are renormalised to sum to T at
    the start of each step.

    :math:`W` is the last shared parameter with at least two dimensions (the last shared layer's weight; pass
    exactly the tensor to measure as ``shared_parameters`` to choose another), or, with ``rep_grad=True``,
    the shared representation given to ``backward`` (LibMTL's ``rep_grad``). Cost: T extra backward passes
    from the losses down to :math:`W` only, computing no gradient but :math:`W`'s on the way; when :math:`W`
    is a parameter, the step's own pass reuses them for :math:`W`'s gradient, so a step costs T − 1 products
    of :math:`W`'s gradient size more than a plain summed-loss step (on the mlp-hard benchmark about 1.1x the
    plain step at T = 2 and 1.2x at T = 4, the floor those products set).

    Args:
        num_tasks: the number of tasks T (required: the weights are created with the method).
        alpha: the asymmetry :math:`\alpha \ge 0` (0 equalises the gradient norms). Default: 1.5 (the paper's
            NYUv2 value, LibMTL).
        rep_grad: measure the norms on the shared representation. Default: False.

    Examples:
        >>> import polyhead
        >>> from polyhead import nn, mtl, optim
        >>> trunk, head_a, head_b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)
        >>> method = mtl.GradNorm(2)
        >>> opt = optim.SGD(list(trunk.parameters()) + method.parameters(), lr=0.1)
        >>> h = trunk(polyhead.ones(2, 3))
        >>> method.backward([(head_a(h) ** 2).mean(), (head_b(h) ** 2).mean()],
        ...                 shared_parameters=trunk.parameters()).weights
        array([1., 1.])
        >>> method.loss_weights.grad.shape
        polyhead.Size([2])
    """

    _core_name = "gradnorm"
    _needs_num_tasks = True

    def __init__(self, num_tasks: int = None, *, alpha: float = 1.5, rep_grad: bool = False) -> None:
        self.alpha = alpha
        super().__init__(num_tasks, rep_grad=rep_grad, alpha=alpha)

    @property
    def loss_weights(self):
        """The learnable task weights :math:`w_i`, shape ``(T,)``."""
        return self._parameters[0]
