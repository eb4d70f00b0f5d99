"""Memory: the weights at a dtype, and training memory (weights, gradients, optimizer state).

Training memory follows the accounting of Rajbhandari et al. (2020, ZeRO): per
trainable parameter, its weight and its gradient in the training precision; the
optimizer's state in fp32 (momentum: one value, Adam/AdamW: two); with mixed
precision, also an fp32 master copy of the weight. Non-trainable parameters
(BatchNormalization's moving statistics, frozen layers) take their weight only.
Activations are not included: they depend on the batch size and the framework.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from ..core import bounds
from ..core.errors import SymparamsError
from ..core.parse import as_expr
from ..core.units import bytes_per_param

OPTIMIZER_STATES = {"sgd": 0, "momentum": 1, "adam": 2, "adamw": 2}
PRECISIONS = ("fp32", "mixed-fp16", "mixed-bf16")


@dataclass(frozen=True)
class TrainingMemory:
    optimizer: str
    precision: str
    weights: sympy.Expr
    gradients: sympy.Expr
    master_weights: sympy.Expr
    optimizer_state: sympy.Expr

    @property
    def total(self) -> sympy.Expr:
        return bounds.expand(self.weights + self.gradients + self.master_weights + self.optimizer_state)

    def parts(self) -> dict:
        return {"weights": self.weights, "gradients": self.gradients,
                "master_weights": self.master_weights, "optimizer_state": self.optimizer_state,
                "total": self.total}


def weight_bytes(total, dtype: str = "fp32") -> sympy.Expr:
    """Bytes of ``total`` parameters stored at ``dtype``."""
    return bounds.expand(total * bytes_per_param(dtype))


def training_memory(trainable, non_trainable, optimizer: str = "adam",
                    precision: str = "fp32") -> TrainingMemory:
    """Bytes to train: weights, gradients, fp32 master weights (mixed precision), optimizer state."""
    key = optimizer.lower()
    if key not in OPTIMIZER_STATES:
        raise SymparamsError(f"unknown optimizer {optimizer!r}; use one of {', '.join(OPTIMIZER_STATES)}")
    if precision not in PRECISIONS:
        raise SymparamsError(f"unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}")
    width = 4 if precision == "fp32" else 2
    trainable, non_trainable = as_expr(trainable), as_expr(non_trainable)
    return TrainingMemory(
        optimizer=key, precision=precision,
        weights=bounds.expand(width * (trainable + non_trainable)),
        gradients=bounds.expand(width * trainable),
        master_weights=bounds.expand(4 * trainable) if precision != "fp32" else sympy.Integer(0),
        optimizer_state=bounds.expand(4 * OPTIMIZER_STATES[key] * trainable),
    )
