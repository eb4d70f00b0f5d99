"""``torch/nn/modules/loss.py``: the losses. None has parameters; a weighted one keeps its
class weights as a buffer (``_WeightedLoss.__init__``: ``self.register_buffer("weight",
weight)``, and ``BCEWithLogitsLoss``'s ``pos_weight`` too), saved with the model's state
when a model holds the loss. Forward gives the loss: one number, or with ``reduction="none"``
one per element of the input."""

from __future__ import annotations

from .. import tensor as T
from ..module import Module
from ..tensor import Tensor
from .inputs import _input


class _Loss(Module):
    #: the buffers its class registers from its arguments, by name (a None one counts nothing)
    weighted: tuple = ()

    def __init__(self, *args, reduction: str = "mean", **kwargs):
        super().__init__()
        self.reduction = reduction if isinstance(reduction, str) else "mean"
        given = dict(zip(self.weighted[:1], args[:1]))  # the class weights come first
        given.update({k: v for k, v in kwargs.items() if k in self.weighted})
        for name in self.weighted:
            value = given.get(name)
            # a tensor (or anything with its shape: the Python API takes a shape-only stand-in)
            self.register_buffer(name, value if getattr(value, "shape", None) is not None else None)

    def forward(self, input, *args, **kwargs):
        x = _input(self, input)
        return x if self.reduction == "none" else Tensor((), x.dtype)


_PLAIN = ("L1Loss", "PoissonNLLLoss", "GaussianNLLLoss", "KLDivLoss", "MSELoss", "HingeEmbeddingLoss",
          "MultiLabelMarginLoss", "SmoothL1Loss", "HuberLoss", "SoftMarginLoss", "CosineEmbeddingLoss",
          "MarginRankingLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss", "CTCLoss")
_WEIGHTED = ("NLLLoss", "NLLLoss2d", "CrossEntropyLoss", "BCELoss", "MultiLabelSoftMarginLoss",
             "MultiMarginLoss")

globals().update({name: type(name, (_Loss,), {}) for name in _PLAIN})
globals().update({name: type(name, (_Loss,), {"weighted": ("weight",)}) for name in _WEIGHTED})


class BCEWithLogitsLoss(_Loss):
    weighted = ("weight", "pos_weight")


LOSSES = (*_PLAIN, *_WEIGHTED, "BCEWithLogitsLoss")

__all__ = list(LOSSES)
