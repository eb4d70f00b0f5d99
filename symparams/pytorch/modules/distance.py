"""``torch/nn/modules/distance.py``: CosineSimilarity and PairwiseDistance."""

from __future__ import annotations

from .. import tensor as T
from .free import _Free
from .inputs import _input


class CosineSimilarity(_Free):
    def __init__(self, dim: int = 1, eps=1e-8):
        super().__init__()
        self.dim = dim

    def forward(self, x1, x2):
        a, b = _input(self, x1), _input(self, x2)
        return T.reduce(a.with_shape(T.broadcast(a.shape, b.shape)), self.dim)


class PairwiseDistance(_Free):
    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.keepdim = keepdim

    def forward(self, x1, x2):
        a, b = _input(self, x1), _input(self, x2)
        return T.reduce(a.with_shape(T.broadcast(a.shape, b.shape)), -1, self.keepdim)
