"""``torch/nn/modules/conv.py``: the convolutions and transposed convolutions of one, two
and three spatial axes, made from one class (``_ConvNd``)."""

from __future__ import annotations

import sympy

from ...core.dims import as_size
from ...core.formula import Quotient, add, mul
from ...keras.layers.textbook import KERNEL, Textbook, arg
from .. import tensor as T
from .. import window
from ..module import Module, Parameter, numel
from .inputs import _div, _expect, _input, _tuple, _window_rules


class _ConvNd(Module):
    described_by = ("in_channels", "out_channels", "kernel_size", "stride", "groups", "transposed")
    rank = 2
    transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__()
        self.in_channels, self.out_channels = as_size(in_channels), as_size(out_channels)
        self.kernel_size = _tuple(kernel_size, self.rank)
        self.stride, self.dilation = _tuple(stride, self.rank), _tuple(dilation, self.rank)
        self.padding = padding if isinstance(padding, str) else _tuple(padding, self.rank)
        self.output_padding = _tuple(output_padding, self.rank)
        self.groups = as_size(groups)
        if self.transposed:
            shape = (in_channels, _div(out_channels, groups, "out_channels must be divisible by groups"))
        else:
            shape = (out_channels, _div(in_channels, groups, "in_channels must be divisible by groups"))
        self.weight = Parameter(shape + self.kernel_size)
        if bias:
            self.bias = Parameter((out_channels,))
        else:
            self.register_parameter("bias", None)

    prose = "torch_conv"
    # PyTorch's tensors are (batch, channels, spatial...)
    data_format = "channels_first"

    @property
    def misconceptions(self) -> frozenset:
        return frozenset() if self.transposed else frozenset({"forgot_input_channels", "no_weight_sharing"})

    def textbook(self) -> Textbook:
        t = Textbook()
        ks = [t.q(name, k, arg("kernel_size")) for name, k in zip(KERNEL[self.rank], self.kernel_size)]
        c_in = t.q("C_in", self.in_channels, arg("in_channels"))
        c_out = t.q("C_out", self.out_channels, arg("out_channels"))
        g = t.q("g", self.groups, arg("groups")) if self.groups != 1 else None
        # the weight is (out, in/groups, k...), or (in, out/groups, k...) when transposed
        per = (Quotient(c_in, g) if not self.transposed else Quotient(c_out, g)) if g is not None else \
            (c_in if not self.transposed else c_out)
        other = c_out if not self.transposed else c_in
        weight = mul(other, per, *ks)
        t.formula = add(weight, c_out) if self.bias is not None else weight
        return t

    def forward(self, input, output_size=None):
        r = self.rank
        layout = "N, C, " + ", ".join("DHW"[3 - r:])
        x = _input(self, input, (r + 1, r + 2), layout)
        _expect(self, "input channels (axis 1)", self.in_channels, x.shape[-r - 1], x)
        sizes = []
        for i, length in enumerate(x.shape[-r:]):
            k, s, d = self.kernel_size[i], self.stride[i], self.dilation[i]
            if self.transposed:
                # torch/nn/modules/conv.py ConvTranspose: (L − 1)·s − 2·p + d·(k − 1) + output_padding + 1
                out = (length - 1) * s - 2 * self.padding[i] + d * (k - 1) + self.output_padding[i] + 1
            elif self.padding == "same":
                out = window.rule().same(length, k, d)
            else:
                p = 0 if self.padding == "valid" else self.padding[i]
                out = T.conv_length(length, k, s, p, d)
            sizes.append(T.positive(sympy.expand(out), f"{type(self).__name__}'s output length"))
        return x.with_shape(x.shape[:-r - 1] + (self.out_channels,) + tuple(sizes))

    def axis_rules(self, input_shape) -> list:
        """How each spatial output length is worked out (none for a transposed convolution or
        ``padding="same"``, which keep or scale the length)."""
        if self.transposed or isinstance(self.padding, str):
            return []
        return _window_rules(self, input_shape, lambda t, label, suffix, ax, n, i: window.explain(
            t, label, suffix, ax, n, self.kernel_size[i], self.stride[i], self.padding[i], self.dilation[i]))

    def macs(self, inputs, output):
        kernel = numel(self.kernel_size)
        if self.transposed:
            # every input position scatters into out_channels/groups channels
            # (torch/utils/flop_counter.py conv_flop_count with transposed=True)
            return inputs[0].numel * (self.out_channels / self.groups) * kernel
        return output.numel * (self.in_channels / self.groups) * kernel


def _conv(name: str, rank: int, transposed: bool):
    if transposed:
        def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                     output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                     device=None, dtype=None):
            _ConvNd.__init__(self, in_channels, out_channels, kernel_size, stride, padding,
                             output_padding, groups, bias, dilation, padding_mode)
    else:
        def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                     dilation=1, groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
            _ConvNd.__init__(self, in_channels, out_channels, kernel_size, stride, padding, 0,
                             groups, bias, dilation, padding_mode)
    return type(name, (_ConvNd,), {"rank": rank, "transposed": transposed, "__init__": __init__,
                                   "kind": "conv_transpose" if transposed else "conv"})


Conv1d, Conv2d, Conv3d = (_conv(f"Conv{r}d", r, False) for r in (1, 2, 3))
ConvTranspose1d, ConvTranspose2d, ConvTranspose3d = (_conv(f"ConvTranspose{r}d", r, True) for r in (1, 2, 3))
