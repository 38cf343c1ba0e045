"""Optimizers with Keras's names and defaults; the update itself runs in the core (``polyhead.optim``'s
kernels)."""

from __future__ import annotations

from typing import Any, List

from .. import _core


#: Keras's optimizer options beyond the hyper-parameters, with their defaults: other values are not supported.
_KERAS_OPTIONS = {"clipnorm": None, "clipvalue": None, "global_clipnorm": None, "use_ema": False, "ema_momentum": 0.99,
                  "ema_overwrite_frequency": None, "loss_scale_factor": None, "gradient_accumulation_steps": None,
                  "weight_decay": None, "amsgrad": False}


class Optimizer:
    """Base class: holds the hyper-parameters; ``compile`` builds the core optimizer over the weights. Keras's
    ``name`` is kept; its other options (``clipnorm``, ``use_ema``…) are accepted only at their defaults."""

    def __init__(self, learning_rate: float, name: Any = None, **options: Any) -> None:
        for key, value in options.items():
            if key not in _KERAS_OPTIONS:
                raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument {key!r}")
            if value != _KERAS_OPTIONS[key]:
                raise NotImplementedError(f"{type(self).__name__}({key}={value!r}) is not supported")
        self._core: Any = None
        self.name = str(name) if name is not None else type(self).__name__.lower()
        self.learning_rate = learning_rate

    @property
    def learning_rate(self) -> float:
        """The learning rate; setting it (e.g. from a callback during ``fit``) updates the core optimizer."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        value = float(value)
        if not value >= 0 or value == float("inf"):
            raise ValueError(f"learning_rate must be finite and >= 0, got {value}")
        self._learning_rate = value
        if self._core is not None:
            _core.optimizer_set_lr(self._core, value)

    def _build(self, params: List[Any]) -> Any:
        raise NotImplementedError

    def build(self, params: List[Any]) -> Any:
        """Creates (or re-creates) the core optimizer over ``params``."""
        self._core = self._build(list(params))
        return self._core

    @property
    def iterations(self) -> int:
        """The number of steps taken by the core optimizer."""
        return 0 if self._core is None else int(_core.optimizer_step_count(self._core))

    def get_config(self) -> dict:
        """The hyper-parameters."""
        return dict({k: v for k, v in vars(self).items() if not k.startswith("_")}, learning_rate=self.learning_rate)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum (Keras defaults: lr 0.01)."""

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _build(self, params: List[Any]) -> Any:
        return _core.sgd(params, self.learning_rate, self.momentum, 0.0, 0.0, self.nesterov)


class Adam(Optimizer):
    """Adam (Keras defaults: lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7); ``weight_decay`` decays the
    weights decoupled from the gradient (``w -= lr · weight_decay · w``), as Keras 3 does for every optimizer."""

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, weight_decay: Any = None, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.weight_decay = None if weight_decay is None else float(weight_decay)

    def _build(self, params: List[Any]) -> Any:
        return _core.adam(params, self.learning_rate, self.beta_1, self.beta_2, self.epsilon, self.weight_decay or 0.0,
                          True)


class AdamW(Adam):
    """Adam with decoupled weight decay (Keras defaults: weight_decay 0.004)."""

    def __init__(self, learning_rate: float = 0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(learning_rate, beta_1, beta_2, epsilon, weight_decay, **kwargs)


class RMSprop(Optimizer):
    """RMSprop as Keras computes it, ``g / sqrt(v + epsilon)`` (defaults: lr 0.001, rho 0.9, epsilon 1e-7)."""

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-7,
                 centered: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = float(rho), float(momentum), float(epsilon), bool(centered)

    def _build(self, params: List[Any]) -> Any:
        return _core.rmsprop(params, self.learning_rate, self.rho, self.epsilon, 0.0, self.momentum, self.centered, True)


_NAMES = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop}


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name (``"adam"``, ``"sgd"``, ``"adamw"``, ``"rmsprop"``) or an optimizer object."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _NAMES:
        return _NAMES[identifier.lower()]()
    raise ValueError(f"unknown optimizer {identifier!r}; expected 'adam', 'adamw', 'sgd', 'rmsprop' or a "
                     "polyhead.keras.optimizers object")


__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "get"]


def __getattr__(name: str) -> Any:
    from ._unsupported import missing
    raise missing(__name__, name, __all__)
