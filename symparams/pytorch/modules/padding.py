"""``torch/nn/modules/padding.py``: the zero, constant, reflection, replication and circular
pads of one, two and three spatial axes."""

from __future__ import annotations

import sympy

from .free import _Free
from .inputs import _input, _tuple


class _PadNd(_Free):
    """``padding``: one size for every side, or (left, right, top, bottom, front, back),
    the last axis first (``torch/nn/modules/padding.py``)."""

    rank = 2

    def __init__(self, padding, value=None):
        super().__init__()
        self.padding = _tuple(padding, 2 * self.rank)

    def forward(self, input):
        r = self.rank
        x = _input(self, input, (r + 1, r + 2))
        shape = list(x.shape)
        for i in range(r):
            axis = len(shape) - 1 - i
            shape[axis] = sympy.expand(shape[axis] + self.padding[2 * i] + self.padding[2 * i + 1])
        return x.with_shape(shape)


for _r in (1, 2, 3):
    for _kind in ("Zero", "Constant", "Reflection", "Replication", "Circular"):
        globals()[f"{_kind}Pad{_r}d"] = type(f"{_kind}Pad{_r}d", (_PadNd,), {"rank": _r})
