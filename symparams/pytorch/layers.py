"""PyTorch's modules with parameters or buffers, each declaring them with PyTorch's names,
shapes and order (``torch/nn/modules/``: linear.py, conv.py, batchnorm.py,
instancenorm.py, normalization.py, sparse.py, rnn.py, activation.py, transformer.py),
and the parameter-free modules by name."""

from __future__ import annotations

import copy
from typing import Optional

import sympy

from ..dims import as_size, known_unequal
from ..parse import as_expr
from ..formula import Num, Quotient, add, mul
from ..layers.textbook import KERNEL, AxisRule, Quantity, Textbook, arg, axis
from . import tensor as T
from . import window
from .module import Module, Parameter, numel
from .tensor import ShapeError, Tensor, text


def _tuple(value, n: int) -> tuple:
    values = tuple(value) if isinstance(value, (list, tuple)) else (value,) * n
    if len(values) != n:
        raise ValueError(f"expected {n} values, got {len(values)}: {values}")
    return tuple(as_size(v) for v in values)


def _shape(value) -> tuple:
    return tuple(as_size(v) for v in (value if isinstance(value, (list, tuple)) else (value,)))


def _input(module: Module, x, ranks: tuple = (), layout: str = "") -> Tensor:
    """The tensor a module is given, with one of the numbers of axes it accepts."""
    name = type(module).__name__
    if not isinstance(x, Tensor):
        raise ShapeError(f"{name} is given {type(x).__name__ if x is not None else 'None'}, not a tensor")
    if ranks and x.ndim not in ranks:
        accepted = " or ".join(str(r) for r in ranks)
        raise ShapeError(f"{name} takes a tensor of {accepted} axes{f' ({layout})' if layout else ''}, "
                         f"got shape {text(x.shape)}")
    return x


def _expect(module: Module, what: str, expected, got, x: Tensor) -> None:
    if known_unequal(as_size(expected), as_size(got)):
        raise ShapeError(f"{type(module).__name__} expects {expected} {what}, got {got} "
                         f"(input shape {text(x.shape)}); check the input size or the module's sizes")


def _div(a, b, what: str):
    """``a // b`` where PyTorch requires that b divides a (groups, heads)."""
    a, b = as_size(a), as_size(b)
    q = a / b
    if q.is_number and not q.is_integer:
        raise ValueError(f"{what}: {a} is not divisible by {b}")
    return q if not q.is_number else sympy.Integer(q)


# ---- linear.py --------------------------------------------------------------------------
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


# ---- conv.py ----------------------------------------------------------------------------
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


# ---- batchnorm.py, instancenorm.py -------------------------------------------------------
class _NormBase(Module):
    described_by = ("num_features",)
    affine_default = True
    track_default = True

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine: Optional[bool] = None,
                 track_running_stats: Optional[bool] = None, device=None, dtype=None):
        super().__init__()
        affine = self.affine_default if affine is None else affine
        track = self.track_default if track_running_stats is None else track_running_stats
        self.num_features = as_size(num_features)
        if affine:
            self.weight = Parameter((num_features,))
            self.bias = Parameter((num_features,))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track:
            self.register_buffer("running_mean", (num_features,))
            self.register_buffer("running_var", (num_features,))
            self.register_buffer("num_batches_tracked", (), dtype="int64")
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    ranks: tuple = (2, 3, 4, 5)
    prose = "torch_batchnorm"
    misconceptions = frozenset({"bn_buffers_counted"})

    def textbook(self) -> Optional[Textbook]:
        if self.weight is None:
            return None
        t = Textbook()
        t.formula = mul(2, t.q("C", self.num_features, arg("num_features")))
        return t

    def forward(self, input):
        x = _input(self, input, self.ranks)
        axis = 1 if not isinstance(self, _InstanceNorm) or x.ndim == max(self.ranks) else 0
        _expect(self, "features (axis 1)", self.num_features, x.shape[axis], x)
        return x


class BatchNorm1d(_NormBase):
    kind = "batchnorm"
    ranks = (2, 3)


class BatchNorm2d(_NormBase):
    kind = "batchnorm"
    ranks = (4,)


class BatchNorm3d(_NormBase):
    kind = "batchnorm"
    ranks = (5,)


class SyncBatchNorm(_NormBase):
    kind = "batchnorm"


class _InstanceNorm(_NormBase):
    affine_default = False
    track_default = False
    prose = "torch_instancenorm"


class InstanceNorm1d(_InstanceNorm):
    ranks = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    ranks = (3, 4)


class InstanceNorm3d(_InstanceNorm):
    ranks = (4, 5)


# ---- normalization.py --------------------------------------------------------------------
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


# ---- sparse.py ---------------------------------------------------------------------------
class Embedding(Module):
    kind = "embedding"
    described_by = ("num_embeddings", "embedding_dim", "padding_idx")

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None,
                 _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings, self.embedding_dim = as_size(num_embeddings), as_size(embedding_dim)
        self.padding_idx = padding_idx
        self.weight = Parameter((num_embeddings, embedding_dim), requires_grad=not _freeze)

    prose = "torch_embedding"
    #: a lookup table of vectors: what num_parameters(exclude_embeddings=True) and Kaplan's N leave out
    embedding_table = True

    def textbook(self) -> Textbook:
        t = Textbook()
        t.formula = mul(t.q("V", self.num_embeddings, arg("num_embeddings")),
                        t.q("d", self.embedding_dim, arg("embedding_dim")))
        return t

    def forward(self, input):
        x = _input(self, input)
        return Tensor(x.shape + (self.embedding_dim,))


class EmbeddingBag(Module):
    described_by = ("num_embeddings", "embedding_dim", "padding_idx")
    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, mode="mean", sparse=False, _weight=None,
                 include_last_offset=False, padding_idx=None, device=None, dtype=None):
        super().__init__()
        self.embedding_dim = as_size(embedding_dim)
        self.include_last_offset = include_last_offset
        self.weight = Parameter((num_embeddings, embedding_dim))
        self.num_embeddings = as_size(num_embeddings)

    prose = "torch_embedding"
    textbook = Embedding.textbook

    def forward(self, input, offsets=None, per_sample_weights=None):
        x = _input(self, input, (1, 2), "bags, or ids with offsets")
        if x.ndim == 2:
            return Tensor((x.shape[0], self.embedding_dim))
        if not isinstance(offsets, Tensor):
            raise ShapeError("EmbeddingBag given one axis of ids needs offsets, a tensor of where each bag starts")
        bags = offsets.shape[0] - (1 if self.include_last_offset else 0)
        return Tensor((bags, self.embedding_dim))


# ---- rnn.py ------------------------------------------------------------------------------
class RNNBase(Module):
    """``torch/nn/modules/rnn.py``: per layer and direction, ``weight_ih_l{k}``,
    ``weight_hh_l{k}`` and, with ``bias``, *two* bias vectors ``bias_ih_l{k}`` and
    ``bias_hh_l{k}`` (cuDNN's layout; Keras keeps one), plus ``weight_hr_l{k}`` with
    ``proj_size``; the suffix ``_reverse`` for the backward direction."""
    second_bias = "bias_hh"
    described_by = ("hidden_size", "input_size", "num_layers", "bidirectional", "proj_size", "gates")

    def has_bias(self) -> bool:
        return any(n.startswith(("bias_ih", "bias_hh")) for n, p in self._parameters.items() if p is not None)

    gates = 1
    misconceptions = frozenset({"lstm_without_inputs", "keras_biases"})

    def __init__(self, input_size, hidden_size, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout=0.0, bidirectional: bool = False,
                 proj_size=0, nonlinearity: str = "tanh", device=None, dtype=None):
        super().__init__()
        if not isinstance(num_layers, int) or num_layers < 1:
            raise ValueError(f"num_layers must be a positive whole number, got {num_layers!r}")
        if proj_size and self.gates != 4:
            raise ValueError("proj_size is supported only by LSTM")
        self.input_size, self.hidden_size = as_size(input_size), as_size(hidden_size)
        self.num_layers, self.bidirectional = num_layers, bool(bidirectional)
        self.proj_size = as_size(proj_size)
        directions = self.directions = 2 if bidirectional else 1
        # what each layer outputs per direction: the hidden state, or its projection
        real_hidden = self.out_width = self.proj_size if proj_size else self.hidden_size
        gate_size = self.gates * self.hidden_size
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = self.input_size if layer == 0 else real_hidden * directions
                suffix = "_reverse" if direction == 1 else ""
                self.register_parameter(f"weight_ih_l{layer}{suffix}", Parameter((gate_size, layer_input)))
                self.register_parameter(f"weight_hh_l{layer}{suffix}", Parameter((gate_size, real_hidden)))
                if bias:
                    self.register_parameter(f"bias_ih_l{layer}{suffix}", Parameter((gate_size,)))
                    self.register_parameter(f"bias_hh_l{layer}{suffix}", Parameter((gate_size,)))
                if proj_size:
                    self.register_parameter(f"weight_hr_l{layer}{suffix}",
                                            Parameter((self.proj_size, self.hidden_size)))
        self.batch_first = bool(batch_first)
        self.bias = bool(bias)

    macs_part = "recurrent products at every time step"
    prose = "torch_rnn"

    def textbook(self) -> Textbook:
        """Per layer and direction: gates·h·(input + h) weights and, with bias, 2·gates·h
        biases (``bias_ih`` and ``bias_hh``); the first layer reads the input, the others
        the previous layer's output (directions·h, or directions·proj_size)."""
        t = Textbook()
        g = self.gates
        h = t.q("h", self.hidden_size, arg("hidden_size"))
        d = t.q("d", self.input_size, arg("input_size"))
        directions = self.directions
        p = t.q("p", self.proj_size, arg("proj_size")) if self.proj_size != 0 else None
        out = p if p is not None else h

        def layer(inp):
            core = mul(h, add(inp, out))
            if self.bias:
                core = add(core, mul(2, h))
            core = mul(g, core) if g != 1 else core
            return add(core, mul(p, h)) if p is not None else core
        first = mul(directions, layer(d)) if directions != 1 else layer(d)
        if self.num_layers == 1:
            t.formula = first
        else:
            later_in = mul(directions, out) if directions != 1 else out
            later = mul(directions, layer(later_in)) if directions != 1 else layer(later_in)
            t.formula = add(first, mul(self.num_layers - 1, later) if self.num_layers > 2 else later)
        return t

    def keras_difference(self) -> sympy.Expr:
        """How many more parameters this has than Keras's layer of the same sizes: Keras
        keeps one bias per gate (and its GRU with reset_after=True keeps two, as here)."""
        if not self.bias:
            return sympy.Integer(0)
        return sympy.expand(self.num_layers * self.directions * self.gates * self.hidden_size)

    def forward(self, input, hx=None):
        x = _input(self, input, (2, 3), "N, L, H_in with batch_first, else L, N, H_in; or L, H_in")
        _expect(self, "input features (the last axis)", self.input_size, x.shape[-1], x)
        states = self.directions * self.num_layers
        out = x.with_shape(x.shape[:-1] + (self.directions * self.out_width,))
        batch = () if x.ndim == 2 else ((x.shape[0],) if self.batch_first else (x.shape[1],))
        h = Tensor((states,) + batch + (self.out_width,))
        if self.gates == 4:
            return out, (h, Tensor((states,) + batch + (self.hidden_size,)))
        return out, h

    def macs(self, inputs, output):
        """Every weight matrix (the gates' with the input and with the hidden state, and
        LSTM's projection, of every layer and direction) is one product per time step."""
        steps = numel(inputs[0].shape[:-1])             # L·N: every step of every sequence
        per_step = sum((p.numel for n, p in self._parameters.items() if p is not None and n.startswith("weight")),
                       sympy.Integer(0))
        return sympy.expand(steps * per_step)


class RNN(RNNBase):
    kind = "rnn"
    gates = 1


class LSTM(RNNBase):
    kind = "lstm"
    gates = 4
    misconceptions = RNNBase.misconceptions | {"lstm_without_gates"}


class GRU(RNNBase):
    kind = "gru"
    gates = 3


class RNNCellBase(Module):
    second_bias = "bias_hh"
    described_by = ("hidden_size", "input_size", "gates")

    def has_bias(self) -> bool:
        return any(n.startswith(("bias_ih", "bias_hh")) for n, p in self._parameters.items() if p is not None)
    gates = 1

    def __init__(self, input_size, hidden_size, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None):
        super().__init__()
        gate_size = self.gates * as_size(hidden_size)
        self.input_size, self.hidden_size = as_size(input_size), as_size(hidden_size)
        self.weight_ih = Parameter((gate_size, input_size))
        self.weight_hh = Parameter((gate_size, hidden_size))
        if bias:
            self.bias_ih = Parameter((gate_size,))
            self.bias_hh = Parameter((gate_size,))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)

    prose = "torch_rnn_cell"

    def textbook(self) -> Textbook:
        t = Textbook()
        h = t.q("h", self.hidden_size, arg("hidden_size"))
        d = t.q("d", self.input_size, arg("input_size"))
        core = mul(h, add(d, h))
        if self.bias_ih is not None:
            core = add(core, mul(2, h))
        t.formula = mul(self.gates, core) if self.gates != 1 else core
        return t

    def forward(self, input, hx=None):
        x = _input(self, input, (1, 2), "N, H_in or H_in")
        _expect(self, "input features (the last axis)", self.input_size, x.shape[-1], x)
        h = x.with_shape(x.shape[:-1] + (self.hidden_size,))
        return (h, h) if self.gates == 4 else h

    def macs(self, inputs, output):
        batch = numel(inputs[0].shape[:-1])
        return batch * self.gates * self.hidden_size * (self.input_size + self.hidden_size)


class RNNCell(RNNCellBase):
    gates = 1


class LSTMCell(RNNCellBase):
    gates = 4


class GRUCell(RNNCellBase):
    gates = 3


# ---- activation.py -----------------------------------------------------------------------
class PReLU(Module):
    kind = "prelu"
    described_by = ("num_parameters",)

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = as_size(num_parameters)
        self.weight = Parameter((num_parameters,))

    prose = "torch_prelu"

    def textbook(self) -> Textbook:
        t = Textbook()
        t.formula = t.q("n", self.num_parameters, arg("num_parameters")) if self.num_parameters != 1 else Num(sympy.Integer(1))
        return t

    def forward(self, input):
        x = _input(self, input)
        if self.num_parameters != 1:
            if x.ndim < 2:
                raise ShapeError(f"PReLU with {self.num_parameters} slopes needs a channel axis (axis 1), "
                                 f"got shape {text(x.shape)}")
            _expect(self, "channels (axis 1), one per slope", self.num_parameters, x.shape[1], x)
        return x


class MultiheadAttention(Module):
    """``in_proj_weight`` (3·E, E) when the keys and values have the model's width, else
    ``q_proj_weight``, ``k_proj_weight`` and ``v_proj_weight``; ``in_proj_bias`` (3·E);
    ``out_proj`` (E → E). The heads split E, so their number never changes the count
    (pytorch/pytorch#60853)."""
    kind = "attention"
    described_by = ("embed_dim", "num_heads", "kdim", "vdim")

    def has_bias(self) -> bool:
        return self._parameters.get("in_proj_bias") is not None

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias: bool = True, add_bias_kv: bool = False,
                 add_zero_attn: bool = False, kdim=None, vdim=None, batch_first: bool = False,
                 device=None, dtype=None):
        super().__init__()
        e = as_size(embed_dim)
        kdim = e if kdim is None else as_size(kdim)
        vdim = e if vdim is None else as_size(vdim)
        _div(e, num_heads, "embed_dim must be divisible by num_heads")
        if kdim == e and vdim == e:
            self.in_proj_weight = Parameter((3 * e, e))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = Parameter((e, e))
            self.k_proj_weight = Parameter((e, kdim))
            self.v_proj_weight = Parameter((e, vdim))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter((3 * e,))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(e, e, bias=bias)
        if add_bias_kv:
            self.bias_k = Parameter((1, 1, e))
            self.bias_v = Parameter((1, 1, e))
        else:
            object.__setattr__(self, "bias_k", None)
            object.__setattr__(self, "bias_v", None)
        self.embed_dim, self.kdim, self.vdim = e, kdim, vdim
        self.num_heads, self.batch_first = as_size(num_heads), bool(batch_first)
        self.extra_keys = int(bool(add_bias_kv)) + int(bool(add_zero_attn))

    prose = "torch_mha"

    def textbook(self) -> Textbook:
        """Its own parameters: the q, k and v projections (stacked in ``in_proj_weight``
        when kdim = vdim = E), their biases, and ``bias_k``/``bias_v``; ``out_proj`` is a
        Linear of its own."""
        t = Textbook()
        e = t.q("E", self.embed_dim, arg("embed_dim"))
        if self.in_proj_weight is not None:
            weights = mul(3, e, e)
        else:
            weights = add(mul(e, e), mul(e, t.q("d_k", self.kdim, arg("kdim"))),
                          mul(e, t.q("d_v", self.vdim, arg("vdim"))))
        terms = [weights]
        if self.in_proj_bias is not None:
            terms.append(mul(3, e))
        if self.bias_k is not None:
            terms.append(mul(2, e))
        t.formula = add(*terms) if len(terms) > 1 else weights
        return t

    def _axes(self, x: Tensor) -> tuple:
        """(batch, length) of a query, key or value in this module's layout."""
        if x.ndim == 2:
            return sympy.Integer(1), x.shape[0]
        return (x.shape[0], x.shape[1]) if self.batch_first else (x.shape[1], x.shape[0])

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        layout = "N, L, E with batch_first, else L, N, E; or L, E"
        q, k, v = (_input(self, t, (2, 3), layout) for t in (query, key, value))
        _expect(self, "query features (the last axis)", self.embed_dim, q.shape[-1], q)
        _expect(self, "key features (kdim)", self.kdim, k.shape[-1], k)
        _expect(self, "value features (vdim)", self.vdim, v.shape[-1], v)
        if not need_weights:
            return q, None
        n, length = self._axes(q)
        keys = self._axes(k)[1] + self.extra_keys
        heads = () if average_attn_weights else (self.num_heads,)
        batch = () if q.ndim == 2 else (n,)
        return q, Tensor(batch + heads + (length, keys))

    def macs(self, inputs, output):
        """torch/nn/functional.py multi_head_attention_forward: the q, k and v projections,
        Q·Kᵀ and the weights times V (every query–key pair, masked or not), and out_proj."""
        q, k = inputs[0], inputs[1]
        n, length = self._axes(q)
        keys = self._axes(k)[1]
        e = self.embed_dim
        return [("input projections", n * (length * e * e + keys * e * (self.kdim + self.vdim))),
                ("attention products", 2 * n * length * (keys + self.extra_keys) * e),
                ("output projection", n * length * e * e)]


class Dropout(Module):
    misconceptions = frozenset({"invented_params"})

    def __init__(self, p=0.5, inplace=False):
        super().__init__()

    def forward(self, input):
        return _input(self, input)


# ---- transformer.py ----------------------------------------------------------------------
class _TransformerLayer(Module):
    """What the encoder and decoder layers share, registered in PyTorch's order: their
    attentions first, then ``linear1``, ``dropout``, ``linear2``, ``norm1``… and
    ``dropout1``…, one norm and one dropout per sublayer."""

    attentions: tuple = ()

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None):
        super().__init__()
        for name in self.attentions:
            setattr(self, name, MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                   batch_first=batch_first))
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)
        self.norm_first = norm_first
        sublayers = len(self.attentions) + 1
        for k in range(1, sublayers + 1):
            setattr(self, f"norm{k}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias))
        for k in range(1, sublayers + 1):
            setattr(self, f"dropout{k}", Dropout(dropout))
        if isinstance(activation, Module):
            self.activation = activation

    def _sa(self, x, attention, memory=None, dropout=None):
        source = x if memory is None else memory
        return dropout(attention(x, source, source, need_weights=False)[0])

    def _ff(self, x, dropout):
        activation = self._modules.get("activation")
        hidden = self.linear1(x)
        hidden = activation(hidden) if activation is not None else hidden
        return dropout(self.linear2(self.dropout(hidden)))

    def _sublayers(self, x, memory=None):
        """torch/nn/modules/transformer.py forward: x + sublayer(norm(x)) with norm_first,
        else norm(x + sublayer(x)); attention, [cross-attention], feed-forward."""
        steps = [lambda y: self._sa(y, self.self_attn, dropout=self.dropout1)]
        if memory is not None:
            steps.append(lambda y: self._sa(y, self.multihead_attn, memory, dropout=self.dropout2))
        last_dropout = getattr(self, f"dropout{len(steps) + 1}")
        steps.append(lambda y: self._ff(y, last_dropout))
        for k, step in enumerate(steps, start=1):
            norm = getattr(self, f"norm{k}")
            if self.norm_first:
                x = _add(x, step(norm(x)))
            else:
                x = norm(_add(x, step(x)))
        return x


def _add(a: Tensor, b: Tensor) -> Tensor:
    return a.with_shape(T.broadcast(a.shape, b.shape))


class TransformerEncoderLayer(_TransformerLayer):
    attentions = ("self_attn",)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        return self._sublayers(_input(self, src, (2, 3)))


class TransformerDecoderLayer(_TransformerLayer):
    attentions = ("self_attn", "multihead_attn")

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        return self._sublayers(_input(self, tgt, (2, 3)), _input(self, memory, (2, 3)))


def _clones(module: Module, n: int):
    from .containers import ModuleList
    # PyTorch deep-copies the layer it is given: each copy has its own weights.
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


class TransformerEncoder(Module):
    described_by = ("num_layers",)
    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        x = src
        for layer in self.layers:
            x = layer(x)
        return self.norm(x) if self.norm is not None else x


class TransformerDecoder(Module):
    described_by = ("num_layers",)
    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        x = tgt
        for layer in self.layers:
            x = layer(x, memory)
        return self.norm(x) if self.norm is not None else x


class Transformer(Module):
    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6,
                 dim_feedforward=2048, dropout=0.1, activation="relu", custom_encoder=None,
                 custom_decoder=None, layer_norm_eps=1e-5, batch_first=False, norm_first=False,
                 bias=True, device=None, dtype=None):
        super().__init__()
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation,
                                            layer_norm_eps, batch_first, norm_first, bias)
            self.encoder = TransformerEncoder(layer, num_encoder_layers,
                                              LayerNorm(d_model, eps=layer_norm_eps, bias=bias))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout, activation,
                                            layer_norm_eps, batch_first, norm_first, bias)
            self.decoder = TransformerDecoder(layer, num_decoder_layers,
                                              LayerNorm(d_model, eps=layer_norm_eps, bias=bias))
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
                src_is_causal=None, tgt_is_causal=None, memory_is_causal=False):
        return self.decoder(tgt, self.encoder(src))


# ---- modules without parameters -----------------------------------------------------------
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
    # dropout.py (Dropout itself is above: the transformer layers hold it), channelshuffle.py
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


class _PoolNd(_Free):
    """``torch/nn/modules/pooling.py``: the stride defaults to the kernel size."""

    described_by = ("kernel_size", "stride")

    rank = 2
    dilated = False
    data_format = "channels_first"
    misconceptions = frozenset({"invented_params"})

    @property
    def pool_size(self) -> tuple:
        """The window, by Keras's name for it (what the exam's misconceptions read)."""
        return self.kernel_size

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False, count_include_pad=True, divisor_override=None):
        super().__init__()
        self.kernel_size = _tuple(kernel_size, self.rank)
        self.stride = self.kernel_size if stride is None or stride == [] else _tuple(stride, self.rank)
        self.stride_given = not (stride is None or stride == [])
        self.padding = _tuple(padding, self.rank)
        self.dilation = _tuple(dilation, self.rank) if self.dilated else (sympy.Integer(1),) * self.rank
        self.ceil_mode, self.return_indices = bool(ceil_mode), bool(return_indices)

    def forward(self, input):
        r = self.rank
        x = _input(self, input, (r + 1, r + 2), "N, C, " + ", ".join("DHW"[3 - r:]))
        sizes = tuple(T.positive(window.rule().pool(length, self.kernel_size[i], self.stride[i], self.padding[i],
                                                    self.dilation[i], self.ceil_mode, self.stride_given),
                                 f"{type(self).__name__}'s output length")
                      for i, length in enumerate(x.shape[-r:]))
        out = x.with_shape(x.shape[:-r] + sizes)
        return (out, out) if self.return_indices else out

    def axis_rules(self, input_shape) -> list:
        return _window_rules(self, input_shape, lambda t, label, suffix, ax, n, i: window.explain(
            t, label, suffix, ax, n, self.kernel_size[i], self.stride[i], self.padding[i], self.dilation[i],
            self.ceil_mode, "" if self.stride_given else "kernel_size"))


def _window_rules(module, input_shape, make) -> list:
    """One rule per spatial axis of a (batch, channels, spatial...) input: ``make(t, label,
    suffix, axis, n, i)`` gives its formula."""
    r = module.rank
    if input_shape is None or len(input_shape) < r + 1:
        return []
    labels = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}[r]
    rules = []
    for i, label in enumerate(labels):
        ax = len(input_shape) - r + i
        t = Textbook()
        f = make(t, label, "" if r == 1 else "_" + label.lower(), ax, input_shape[ax], i)
        rules.append(AxisRule(ax, f"{label}_out", f, t.quantities))
    return rules


def _max_pool(rank: int):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        _PoolNd.__init__(self, kernel_size, stride, padding, dilation, return_indices, ceil_mode)
    return __init__


def _avg_pool(rank: int):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        _PoolNd.__init__(self, kernel_size, stride, padding, 1, False, ceil_mode)
    return __init__


def _lp_pool(rank: int):
    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        _PoolNd.__init__(self, kernel_size, stride, 0, 1, False, ceil_mode)
    return __init__


for _r in (1, 2, 3):
    globals()[f"MaxPool{_r}d"] = type(f"MaxPool{_r}d", (_PoolNd,),
                                      {"rank": _r, "dilated": True, "__init__": _max_pool(_r)})
    globals()[f"AvgPool{_r}d"] = type(f"AvgPool{_r}d", (_PoolNd,), {"rank": _r, "__init__": _avg_pool(_r)})
    globals()[f"LPPool{_r}d"] = type(f"LPPool{_r}d", (_PoolNd,), {"rank": _r, "__init__": _lp_pool(_r)})


class _AdaptivePoolNd(_Free):
    rank = 2

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        sizes = tuple(output_size) if isinstance(output_size, (list, tuple)) else (output_size,) * self.rank
        if len(sizes) != self.rank:
            raise ValueError(f"output_size needs {self.rank} values, got {len(sizes)}")
        self.output_size = tuple(None if s is None else as_size(s) for s in sizes)
        self.return_indices = bool(return_indices)

    def forward(self, input):
        r = self.rank
        x = _input(self, input, (r + 1, r + 2), "N, C, " + ", ".join("DHW"[3 - r:]))
        # None keeps the input's size on that axis
        sizes = tuple(length if s is None else s for s, length in zip(self.output_size, x.shape[-r:]))
        out = x.with_shape(x.shape[:-r] + sizes)
        return (out, out) if self.return_indices else out


for _r in (1, 2, 3):
    for _kind in ("Avg", "Max"):
        globals()[f"Adaptive{_kind}Pool{_r}d"] = type(f"Adaptive{_kind}Pool{_r}d", (_AdaptivePoolNd,), {"rank": _r})


class Flatten(_Free):
    # what it is given in a CNN: PyTorch's (batch, channels, spatial...)
    data_format = "channels_first"
    misconceptions = frozenset({"invented_params", "flatten_without_channels"})

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return T.flatten(_input(self, input), self.start_dim, self.end_dim)

    def axis_rules(self, input_shape) -> list:
        """The flattened axis: the sizes of the axes it joins, multiplied."""
        if input_shape is None:
            return []
        n = len(input_shape)
        start, end = self.start_dim % n, self.end_dim % n
        if end <= start:
            return []
        t = Textbook()
        f = mul(*[t.q(f"n_{i}", input_shape[i], axis(i)) for i in range(start, end + 1)])
        return [AxisRule(start, "n_out", f, t.quantities)]


class Unflatten(_Free):
    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input):
        return T.unflatten(_input(self, input), self.dim, self.unflattened_size)


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


PARAMETER_FREE = (*SAME_SHAPE, *NOT_FOLLOWED, "GLU", "Flatten", "Unflatten", "Upsample",
                  "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle",
                  "CosineSimilarity", "PairwiseDistance",
                  *(f"{k}Pool{r}d" for k in ("Max", "Avg", "LP", "AdaptiveAvg", "AdaptiveMax") for r in (1, 2, 3)),
                  *(f"{k}Pad{r}d" for k in ("Zero", "Constant", "Reflection", "Replication", "Circular")
                    for r in (1, 2, 3)))
