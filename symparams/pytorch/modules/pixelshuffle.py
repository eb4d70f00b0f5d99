"""``torch/nn/modules/pixelshuffle.py``: PixelShuffle and PixelUnshuffle, which trade
channels for spatial size."""

from __future__ import annotations

from ...core.dims import as_size
from ..tensor import ShapeError
from .free import _Free
from .inputs import _input


class PixelShuffle(_Free):
    def __init__(self, upscale_factor):
        super().__init__()
        self.r = as_size(upscale_factor)

    def forward(self, input):
        x = _input(self, input, (3, 4, 5))
        c, h, w = x.shape[-3:]
        channels = c / self.r ** 2
        if channels.is_number and not channels.is_integer:
            raise ShapeError(f"PixelShuffle({self.r}) needs channels divisible by {self.r ** 2}, got {c}")
        return x.with_shape(x.shape[:-3] + (channels, h * self.r, w * self.r))


class PixelUnshuffle(_Free):
    def __init__(self, downscale_factor):
        super().__init__()
        self.r = as_size(downscale_factor)

    def forward(self, input):
        x = _input(self, input, (3, 4, 5))
        c, h, w = x.shape[-3:]
        return x.with_shape(x.shape[:-3] + (c * self.r ** 2, h / self.r, w / self.r))
