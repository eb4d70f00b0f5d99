"""``torch/nn/modules/upsampling.py``: Upsample and its nearest and bilinear forms."""

from __future__ import annotations

import sympy

from ...core.parse import as_expr
from ..tensor import ShapeError
from .free import _Free
from .inputs import _input, _tuple


class Upsample(_Free):
    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.size, self.scale_factor = size, scale_factor

    def forward(self, input):
        x = _input(self, input, (3, 4, 5), "N, C, spatial axes")
        r = x.ndim - 2
        if self.size is not None:
            sizes = _tuple(self.size, r)
        elif self.scale_factor is not None:
            factors = self.scale_factor if isinstance(self.scale_factor, (list, tuple)) else (self.scale_factor,) * r
            # torch/nn/functional.py interpolate: ⌊L·scale⌋
            sizes = tuple(sympy.floor(length * as_expr(f)) for length, f in zip(x.shape[2:], factors))
        else:
            raise ShapeError("Upsample needs size or scale_factor")
        return x.with_shape(x.shape[:2] + tuple(sizes))


class UpsamplingNearest2d(Upsample):
    pass


class UpsamplingBilinear2d(Upsample):
    pass
