"""``torch/nn/modules/normalization.py``: LayerNorm, GroupNorm, RMSNorm and
LocalResponseNorm."""

from __future__ import annotations

from typing import Optional

from ...core.dims import as_size, known_unequal
from ...core.formula import mul
from ...keras.layers.textbook import Textbook, arg
from ..module import Module, Parameter, numel
from ..tensor import ShapeError, Tensor, text
from .inputs import _div, _expect, _input, _shape


class LayerNorm(Module):
    kind = "layernorm"
    described_by = ("normalized_shape",)

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device=None, dtype=None):
        super().__init__()
        shape = _shape(normalized_shape)
        self.normalized_shape = shape
        if elementwise_affine:
            self.weight = Parameter(shape)
            if bias:
                self.bias = Parameter(shape)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    prose = "torch_layernorm"

    def textbook(self) -> Optional[Textbook]:
        if self.weight is None:
            return None
        t = Textbook()
        d = t.q("d", numel(self.normalized_shape), arg("normalized_shape"))
        t.formula = mul(2, d) if self.bias is not None else d
        return t

    def forward(self, input):
        return _normalized(self, input)


def _normalized(module: Module, input) -> Tensor:
    """LayerNorm and RMSNorm: the input ends with ``normalized_shape``."""
    x = _input(module, input)
    n = len(module.normalized_shape)
    if x.ndim < n or any(known_unequal(a, b) for a, b in zip(x.shape[-n:], module.normalized_shape)):
        raise ShapeError(f"{type(module).__name__} normalizes over the last axes "
                         f"{text(module.normalized_shape)}, got shape {text(x.shape)}")
    return x


class GroupNorm(Module):
    kind = "groupnorm"
    described_by = ("num_channels",)

    def __init__(self, num_groups, num_channels, eps=1e-5, affine: bool = True, device=None, dtype=None):
        super().__init__()
        _div(num_channels, num_groups, "num_channels must be divisible by num_groups")
        self.num_channels = as_size(num_channels)
        if affine:
            self.weight = Parameter((num_channels,))
            self.bias = Parameter((num_channels,))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    prose = "torch_groupnorm"

    def textbook(self) -> Optional[Textbook]:
        if self.weight is None:
            return None
        t = Textbook()
        t.formula = mul(2, t.q("C", self.num_channels, arg("num_channels")))
        return t

    def forward(self, input):
        x = _input(self, input, (2, 3, 4, 5))
        _expect(self, "channels (axis 1)", self.num_channels, x.shape[1], x)
        return x


class RMSNorm(Module):
    described_by = ("normalized_shape",)
    #: the argument its textbook formula names the width by
    argument = "normalized_shape"
    def __init__(self, normalized_shape, eps=None, elementwise_affine: bool = True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        if elementwise_affine:
            self.weight = Parameter(_shape(normalized_shape))
        else:
            self.register_parameter("weight", None)

    prose = "torch_rmsnorm"

    def textbook(self) -> Optional[Textbook]:
        if self.weight is None:
            return None
        t = Textbook()
        t.formula = t.q("d", numel(self.normalized_shape), arg(self.argument))
        return t

    def forward(self, input):
        return _normalized(self, input)


class LocalResponseNorm(Module):
    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()

    def forward(self, input):
        return _input(self, input, (3, 4, 5))
