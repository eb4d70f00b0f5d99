"""Modules without parameters or buffers: their base class (``_Free``), the ones made by
name that keep their input's shape (activations, dropouts, ChannelShuffle) or whose
forward the reader does not follow, and GLU."""

from __future__ import annotations

from .. import tensor as T
from ..module import Module
from ..tensor import ShapeError
from .inputs import _input


class _Free(Module):
    """A module with no parameters and no buffers: it takes any arguments."""

    def __init__(self, *args, **kwargs):
        super().__init__()


class _SameShape(_Free):
    """Activations and dropouts: the output has the input's shape."""

    def forward(self, input, *args, **kwargs):
        return _input(self, input)


SAME_SHAPE = (
    # activation.py
    "ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Sigmoid",
    "Tanh", "Softmax", "LogSoftmax", "Softmin", "Softplus", "Softsign", "Hardtanh",
    "Hardswish", "Hardsigmoid", "Hardshrink", "Softshrink", "Tanhshrink", "Threshold",
    "LogSigmoid", "Softmax2d", "RReLU",
    # dropout.py (Dropout itself is in activation.py: the transformer layers hold it),
    # channelshuffle.py
    "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout", "ChannelShuffle",
)
#: modules whose forward the reader does not follow (their counts are still exact: none)
NOT_FOLLOWED = ("MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "FractionalMaxPool2d", "Fold", "Unfold")

globals().update({name: type(name, (_SameShape,), {}) for name in SAME_SHAPE})
globals().update({name: type(name, (_Free,), {}) for name in NOT_FOLLOWED})


class GLU(_Free):
    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        x = _input(self, input)
        i = T.dim(x, self.dim)
        half = x.shape[i] / 2
        if half.is_number and not half.is_integer:
            raise ShapeError(f"GLU halves axis {self.dim}, whose size {x.shape[i]} is odd")
        return x.with_shape(x.shape[:i] + (half,) + x.shape[i + 1:])
