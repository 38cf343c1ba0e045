"""Callbacks with Keras's hooks; the training loop runs in the core and calls them back between batches
and epochs. Set ``self.model.stop_training = True`` to stop after the current batch."""

from __future__ import annotations

import math
import sys
import time
from typing import Any, Dict, List, Optional

import numpy as np


class Callback:
    """Base class: override any of the ``on_*`` hooks."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: Dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: Dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: Optional[Dict[str, float]] = None) -> None: ...
    def on_train_end(self, logs: Optional[Dict[str, float]] = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: Optional[Dict[str, float]] = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, float]] = None) -> None: ...
    def on_train_batch_begin(self, batch: int, logs: Optional[Dict[str, float]] = None) -> None: ...
    def on_train_batch_end(self, batch: int, logs: Optional[Dict[str, float]] = None) -> None: ...


class History(Callback):
    """The per-epoch logs of ``fit``: ``history.history[key]`` is a list with one value per epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.history: Dict[str, List[float]] = {}
        self.epoch: List[int] = []

    def plot(self, path: Optional[str] = None) -> Any:
        """A matplotlib ``Figure`` with two panels: the losses (``loss``, ``<output>_loss`` and their ``val_``
        twins) and the task weights (``<output>_weight``) per epoch; saved to ``path`` when given.

        Raises:
            ImportError: matplotlib is not installed.
        """
        from matplotlib.figure import Figure  # optional dependency; no pyplot state, so nothing leaks
        figure = Figure(figsize=(10, 4))
        losses, weights = figure.subplots(1, 2)
        epochs = self.epoch or list(range(len(next(iter(self.history.values()), []))))
        for key, values in self.history.items():
            if key.endswith("_weight"):
                weights.plot(epochs, values, label=key[: -len("_weight")])
            elif key == "loss" or key.endswith("_loss"):
                losses.plot(epochs, values, label=key, linestyle="--" if key.startswith("val_") else "-")
        losses.set_title("losses")
        weights.set_title("task weights")
        for ax in (losses, weights):
            ax.set_xlabel("epoch")
            if ax.lines:
                ax.legend(fontsize="small")
        if path is not None:
            figure.savefig(path)
        return figure


class EarlyStopping(Callback):
    """Stops when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs (Keras semantics);
    with ``restore_best_weights`` the best epoch's weights are put back when it stops."""

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: Optional[float] = None, restore_best_weights: bool = False,
                 start_from_epoch: int = 0) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        if mode == "auto":
            mode = "max" if ("acc" in monitor or monitor.endswith("auc")) else "min"
        self.monitor, self.patience, self.verbose, self.mode = monitor, int(patience), int(verbose), mode
        self.min_delta = abs(float(min_delta)) * (1 if mode == "max" else -1)
        self.baseline, self.restore_best_weights, self.start_from_epoch = baseline, bool(restore_best_weights), start_from_epoch

    def _better(self, value: float, reference: float) -> bool:
        return value - self.min_delta > reference if self.mode == "max" else value - self.min_delta < reference

    def on_train_begin(self, logs: Optional[Dict[str, float]] = None) -> None:
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best = -math.inf if self.mode == "max" else math.inf
        self.best_weights: Optional[List[np.ndarray]] = None

    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, float]] = None) -> None:
        value = (logs or {}).get(self.monitor)
        if value is None:
            sys.stderr.write(f"EarlyStopping: metric '{self.monitor}' is not available; available: {sorted(logs or {})}\n")
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._better(value, self.best):
            self.best, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._better(value, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs: Optional[Dict[str, float]] = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


class TerminateOnNaN(Callback):
    """Stops as soon as a batch's loss is NaN or infinite."""

    def on_train_batch_end(self, batch: int, logs: Optional[Dict[str, float]] = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback from plain functions (``on_epoch_end=lambda epoch, logs: ...`` etc.)."""

    def __init__(self, on_epoch_begin: Any = None, on_epoch_end: Any = None, on_train_batch_end: Any = None,
                 on_train_begin: Any = None, on_train_end: Any = None) -> None:
        super().__init__()
        for name, fn in (("on_epoch_begin", on_epoch_begin), ("on_epoch_end", on_epoch_end),
                         ("on_train_batch_end", on_train_batch_end), ("on_train_begin", on_train_begin),
                         ("on_train_end", on_train_end)):
            if fn is not None:
                setattr(self, name, fn)


class ProgbarLogger(Callback):
    """Prints progress: ``verbose=1`` a bar per epoch updated during it, ``verbose=2`` one line per epoch."""

    def __init__(self, verbose: int = 1) -> None:
        super().__init__()
        self.verbose = verbose
        self._last = 0.0

    @staticmethod
    def _format(logs: Dict[str, float]) -> str:
        return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items() if not k.endswith("_weight") or True)

    def on_epoch_begin(self, epoch: int, logs: Optional[Dict[str, float]] = None) -> None:
        self._start = time.perf_counter()
        print(f"Epoch {epoch + 1}/{self.params.get('epochs', '?')}")

    def on_train_batch_end(self, batch: int, logs: Optional[Dict[str, float]] = None) -> None:
        if self.verbose != 1:
            return
        now = time.perf_counter()
        steps = self.params.get("steps") or 1
        if now - self._last < 0.1 and batch + 1 < steps:
            return
        self._last = now
        done = int(30 * (batch + 1) / steps)
        bar = "=" * max(done - 1, 0) + (">" if done < 30 else "=") + "." * (30 - done)
        sys.stdout.write(f"\r{batch + 1}/{steps} [{bar}] - {self._format(logs or {})}")
        sys.stdout.flush()

    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, float]] = None) -> None:
        elapsed = time.perf_counter() - self._start
        steps = self.params.get("steps") or 1
        prefix = "\r" if self.verbose == 1 else ""
        sys.stdout.write(f"{prefix}{steps}/{steps} - {elapsed:.0f}s {1000 * elapsed / steps:.0f}ms/step - "
                         f"{self._format(logs or {})}\n")
        sys.stdout.flush()


class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of every epoch to ``schedule(epoch, lr)`` (or ``schedule(epoch)``)."""

    def __init__(self, schedule: Any, verbose: int = 0) -> None:
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch: int, logs: Optional[Dict[str, float]] = None) -> None:
        lr = self.model.optimizer.learning_rate
        try:
            new = self.schedule(epoch, lr)
        except TypeError:
            new = self.schedule(epoch)
        self.model.optimizer.learning_rate = float(new)
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(new)}.")

    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, float]] = None) -> None:
        if logs is not None:
            logs["learning_rate"] = self.model.optimizer.learning_rate


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by ``factor`` when ``monitor`` has not improved for ``patience`` epochs."""

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10, verbose: int = 0,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0) -> None:
        super().__init__()
        if not 0 <= factor < 1:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1, got {factor}")
        if mode == "auto":
            mode = "max" if "acc" in monitor else "min"
        self.monitor, self.factor, self.patience, self.verbose, self.mode = monitor, factor, patience, verbose, mode
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr

    def on_train_begin(self, logs: Optional[Dict[str, float]] = None) -> None:
        self.wait, self.cooldown_counter = 0, 0
        self.best = -math.inf if self.mode == "max" else math.inf

    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, float]] = None) -> None:
        value = (logs or {}).get(self.monitor)
        if value is None:
            return
        better = value > self.best + self.min_delta if self.mode == "max" else value < self.best - self.min_delta
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if better:
            self.best, self.wait = value, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = self.model.optimizer.learning_rate
                new = max(old * self.factor, self.min_lr)
                if old > new:
                    self.model.optimizer.learning_rate = new
                    if self.verbose:
                        print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
                self.cooldown_counter, self.wait = self.cooldown, 0


class ModelCheckpoint(Callback):
    """Saves the weights (safetensors, atomically) after every epoch, or only when ``monitor`` improves with
    ``save_best_only``. ``filepath`` may contain ``{epoch}`` and log keys (``"ckpt-{epoch:02d}.safetensors"``).
    With ``save_weights_only=False`` the architecture JSON is written beside it (see ``load_model``)."""

    def __init__(self, filepath: str, monitor: str = "val_loss", verbose: int = 0, save_best_only: bool = False,
                 save_weights_only: bool = False, mode: str = "auto") -> None:
        super().__init__()
        if mode == "auto":
            mode = "max" if "acc" in monitor else "min"
        self.filepath, self.monitor, self.verbose, self.mode = str(filepath), monitor, verbose, mode
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.best = -math.inf if mode == "max" else math.inf

    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, float]] = None) -> None:
        logs = logs or {}
        if self.save_best_only:
            value = logs.get(self.monitor)
            if value is None or not (value > self.best if self.mode == "max" else value < self.best):
                return
            self.best = value
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        except (KeyError, IndexError, ValueError) as error:  # as Keras: a KeyError naming the filepath
            raise KeyError(f"ModelCheckpoint cannot format filepath {self.filepath!r} ({type(error).__name__}: "
                           f"{error}); it may use {{epoch}} and the log keys {sorted(logs)}") from None
        (self.model.save_weights if self.save_weights_only else self.model.save)(path)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saving model to {path}")


class CSVLogger(Callback):
    """Writes one CSV row of logs per epoch to ``filename`` (``append`` to keep earlier rows)."""

    def __init__(self, filename: str, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.filename, self.sep, self.append = filename, separator, append
        self._keys: Optional[List[str]] = None

    def on_train_begin(self, logs: Optional[Dict[str, float]] = None) -> None:
        self._file = open(self.filename, "a" if self.append else "w", encoding="utf-8")
        self._keys = None

    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, float]] = None) -> None:
        logs = logs or {}
        if self._keys is None:
            self._keys = list(logs)
            self._file.write(self.sep.join(["epoch"] + self._keys) + "\n")
        self._file.write(self.sep.join([str(epoch)] + [repr(float(logs.get(k, float("nan")))) for k in self._keys]) + "\n")
        self._file.flush()

    def on_train_end(self, logs: Optional[Dict[str, float]] = None) -> None:
        self._file.close()


__all__ = ["Callback", "History", "EarlyStopping", "TerminateOnNaN", "LambdaCallback", "ProgbarLogger",
           "LearningRateScheduler", "ReduceLROnPlateau", "ModelCheckpoint", "CSVLogger"]


def __getattr__(name: str) -> Any:
    from ._unsupported import missing
    raise missing(__name__, name, __all__)
