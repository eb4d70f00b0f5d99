"""``torch/nn/modules/linear.py``: Identity, Linear (and LazyLinear, whose ``in_features``
the first input fixes) and Bilinear."""

from __future__ import annotations

from ...core.dims import as_size
from ...core.formula import add, mul
from ...keras.layers.textbook import Quantity, Textbook, arg, axis
from ..module import Module, Parameter
from .inputs import _expect, _input


class Identity(Module):
    def forward(self, input, *args, **kwargs):
        return input


class Linear(Module):
    kind = "linear"
    described_by = ("in_features", "out_features")

    def __init__(self, in_features, out_features, bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = as_size(in_features), as_size(out_features)
        self.weight = Parameter((out_features, in_features))
        if bias:
            self.bias = Parameter((out_features,))
        else:
            self.register_parameter("bias", None)

    prose = "torch_linear"
    misconceptions = frozenset({"bias_per_input"})

    def textbook(self) -> Textbook:
        t = Textbook()
        n_in = t.q("n_in", self.in_features, arg("in_features"))
        n_out = t.q("n_out", self.out_features, arg("out_features"))
        t.formula = mul(n_out, add(n_in, 1)) if self.bias is not None else mul(n_out, n_in)
        return t

    def forward(self, input):
        x = _input(self, input, (1, 2, 3, 4, 5, 6))
        _expect(self, "input features (the last axis)", self.in_features, x.shape[-1], x)
        return x.with_shape(x.shape[:-1] + (self.out_features,))

    def macs(self, inputs, output):
        return output.numel * self.in_features


class NonDynamicallyQuantizableLinear(Linear):
    pass


class LazyLinear(Linear):
    """``in_features`` is known only after the first forward: here it is a size named
    ``in_features`` unless given (``LazyLinear(out)`` then ``in_features=...``)."""

    #: torch/nn/modules/lazy.py: after its first forward a LazyLinear *is* a Linear
    #: (``cls_to_become``), which is the class PyTorch then reports
    becomes = "Linear"

    def __init__(self, out_features, bias: bool = True, in_features="in_features", device=None, dtype=None):
        super().__init__(in_features, out_features, bias)

    def forward(self, input):
        # torch/nn/modules/linear.py LazyLinear.initialize_parameters: the first input's
        # last axis becomes in_features, and the weight takes its shape
        x = _input(self, input, (1, 2, 3, 4, 5, 6))
        self.in_features = x.shape[-1]
        self.weight.shape = (self.out_features, self.in_features)
        self.in_axis = x.ndim - 1
        return super().forward(input)

    def textbook(self) -> Textbook:
        t = super().textbook()
        if getattr(self, "in_axis", None) is not None:
            # not an argument: the first input's last axis, which the forward pass fixed
            t.quantities = [Quantity(q.key, q.value, axis(self.in_axis)) if q.key == "n_in" else q
                            for q in t.quantities]
        return t


class Bilinear(Module):
    def __init__(self, in1_features, in2_features, out_features, bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.in1, self.in2, self.out = as_size(in1_features), as_size(in2_features), as_size(out_features)
        self.weight = Parameter((out_features, in1_features, in2_features))
        if bias:
            self.bias = Parameter((out_features,))
        else:
            self.register_parameter("bias", None)

    prose = "torch_bilinear"

    def textbook(self) -> Textbook:
        t = Textbook()
        n1, n2 = t.q("n_1", self.in1, arg("in1_features")), t.q("n_2", self.in2, arg("in2_features"))
        n_out = t.q("n_out", self.out, arg("out_features"))
        t.formula = mul(n_out, add(mul(n1, n2), 1)) if self.bias is not None else mul(n_out, n1, n2)
        return t

    def forward(self, input1, input2):
        a, b = _input(self, input1), _input(self, input2)
        _expect(self, "first input features", self.in1, a.shape[-1], a)
        _expect(self, "second input features", self.in2, b.shape[-1], b)
        return a.with_shape(a.shape[:-1] + (self.out,))

    def macs(self, inputs, output):
        # aten::bilinear is _trilinear: x1 times the weight (in1·out·in2 per example), then
        # that times x2 (out·in2)
        return output.numel * self.in2 * (self.in1 + 1)
