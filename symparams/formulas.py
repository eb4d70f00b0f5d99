"""Textbook formulas of parameter counts and output sizes, one builder per layer family.

Each builder takes a built layer and its input shape and returns a
:class:`Textbook`: the formula in named sizes, in the order textbooks write
it, and each name's value with where it came from. The formula must equal
the sum of the layer's weight products; ``tests/test_derive.py`` proves it
for every layer of every fixture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import sympy

from . import bounds
from .parse import as_expr
from .formula import Ceil, Difference, Floor, Formula, Name, Num, Quotient, add, mul
from .layers import (attention, conv, core, normalization, pooling, recurrent, reshaping,
                     wrappers, activations, merging)
from .layers.repeat import Repeat


@dataclass(frozen=True)
class Origin:
    """Where a named size comes from: an argument of the layer, or an axis of its input."""

    kind: str                      # "argument", "input", "derived"
    argument: Optional[str] = None  # the Keras argument (``filters``)
    axis: Optional[int] = None     # the axis of the input shape
    input_index: int = 0           # which input (for layers with several)


@dataclass(frozen=True)
class Quantity:
    key: str
    value: sympy.Expr
    origin: Origin


@dataclass
class Textbook:
    formula: Formula
    quantities: list[Quantity] = field(default_factory=list)
    #: the part of the formula that is not trainable (BatchNormalization's 2C)
    non_trainable: Optional[Formula] = None

    def q(self, key, value, origin: Origin) -> Name:
        if all(x.key != key for x in self.quantities):
            self.quantities.append(Quantity(key, as_expr(value), origin))
        return Name(key)


def arg(name: str) -> Origin:
    return Origin("argument", argument=name)


def axis(i: int, input_index: int = 0) -> Origin:
    return Origin("input", axis=i, input_index=input_index)


SPATIAL = {1: ["L"], 2: ["H", "W"], 3: ["D", "H", "W"]}
KERNEL = {1: ["k"], 2: ["k_h", "k_w"], 3: ["k_d", "k_h", "k_w"]}


def _channel_axis(layer, shape) -> int:
    return len(shape) - 1 if getattr(layer, "data_format", "channels_last") == "channels_last" else 1


# ---- parameter formulas ---------------------------------------------------------

_BUILDERS: dict[type, Callable] = {}


def builds(*classes):
    def register(fn):
        for cls in classes:
            _BUILDERS[cls] = fn
        return fn
    return register


def textbook(layer, input_shape) -> Optional[Textbook]:
    """The textbook formula of a layer's parameter count, or None if it has none special."""
    for cls in type(layer).__mro__:
        if cls in _BUILDERS:
            return _BUILDERS[cls](layer, input_shape)
    return None


@builds(core.Dense)
def _dense(layer, shape):
    t = Textbook(Num(0))
    n_in = t.q("n_in", shape[-1], axis(len(shape) - 1))
    n_out = t.q("n_out", layer.units, arg("units"))
    t.formula = mul(add(n_in, 1), n_out) if layer.use_bias else mul(n_in, n_out)
    return t


def _input_channels(t, layer, shape) -> Name:
    ax = _channel_axis(layer, shape)
    return t.q("C_in", shape[ax], axis(ax))


def _kernel_names(t, layer):
    return [t.q(k, v, arg("kernel_size")) for k, v in zip(KERNEL[layer.rank], layer.kernel_size)]


@builds(conv.BaseConv)
def _conv(layer, shape):
    t = Textbook(Num(0))
    ks = _kernel_names(t, layer)
    c_in = _input_channels(t, layer, shape)
    fan_in = [*ks, c_in]
    if layer.groups != 1:
        fan_in[-1] = Quotient(c_in, t.q("g", layer.groups, arg("groups")))
    c_out = t.q("C_out", layer.filters, arg("filters"))
    t.formula = mul(add(mul(*fan_in), 1), c_out) if layer.use_bias else mul(*fan_in, c_out)
    return t


@builds(conv.BaseConvTranspose)
def _conv_transpose(layer, shape):
    t = Textbook(Num(0))
    ks = _kernel_names(t, layer)
    c_in = _input_channels(t, layer, shape)
    c_out = t.q("C_out", layer.filters, arg("filters"))
    t.formula = mul(add(mul(*ks, c_in), 1), c_out) if layer.use_bias else mul(*ks, c_in, c_out)
    return t


@builds(conv.BaseDepthwiseConv)
def _depthwise(layer, shape):
    t = Textbook(Num(0))
    ks = _kernel_names(t, layer)
    c_in = _input_channels(t, layer, shape)
    per_channel = [c_in]
    if layer.depth_multiplier != 1:
        per_channel.append(t.q("m", layer.depth_multiplier, arg("depth_multiplier")))
    t.formula = mul(add(mul(*ks), 1), *per_channel) if layer.use_bias else mul(*ks, *per_channel)
    return t


@builds(conv.BaseSeparableConv)
def _separable(layer, shape):
    t = Textbook(Num(0))
    ks = _kernel_names(t, layer)
    c_in = _input_channels(t, layer, shape)
    mid = [c_in]
    if layer.depth_multiplier != 1:
        mid.append(t.q("m", layer.depth_multiplier, arg("depth_multiplier")))
    c_out = t.q("C_out", layer.filters, arg("filters"))
    terms = [mul(*ks, *mid), mul(*mid, c_out)]
    if layer.use_bias:
        terms.append(c_out)
    t.formula = add(*terms)
    return t


@builds(normalization.BatchNormalization)
def _batchnorm(layer, shape):
    t = Textbook(Num(0))
    c = t.q("C", shape[layer.axis], axis(layer.axis % len(shape)))
    learned = int(layer.center) + int(layer.scale)
    t.formula = mul(learned + 2, c)
    t.non_trainable = mul(2, c)
    return t


@builds(normalization.LayerNormalization)
def _layernorm(layer, shape):
    t = Textbook(Num(0))
    axes = sorted(layer.axis) if isinstance(layer.axis, list) else [layer.axis]
    sizes = [t.q("d" if len(axes) == 1 else f"d_{i + 1}", shape[a], axis(a % len(shape)))
             for i, a in enumerate(axes)]
    per = int(layer.scale or layer.rms_scaling) + int(layer.center and not layer.rms_scaling)
    t.formula = mul(per, *sizes) if per != 1 else mul(*sizes)
    return t


@builds(normalization.GroupNormalization)
def _groupnorm(layer, shape):
    t = Textbook(Num(0))
    c = t.q("C", shape[layer.axis], axis(layer.axis % len(shape)))
    per = int(layer.scale) + int(layer.center)
    t.formula = mul(per, c) if per != 1 else c
    return t


@builds(core.Embedding)
def _embedding(layer, shape):
    t = Textbook(Num(0))
    t.formula = mul(t.q("V", layer.input_dim, arg("input_dim")), t.q("d", layer.output_dim, arg("output_dim")))
    return t


def _gates(layer):
    return {recurrent.SimpleRNN: 1, recurrent.LSTM: 4, recurrent.GRU: 3}[type(layer)]


@builds(recurrent.SimpleRNN, recurrent.LSTM, recurrent.GRU)
def _rnn(layer, shape):
    t = Textbook(Num(0))
    d = t.q("d", shape[-1], axis(len(shape) - 1))
    h = t.q("h", layer.units, arg("units"))
    core_ = mul(h, add(d, h))
    if layer.use_bias:
        bias = mul(2, h) if getattr(layer, "reset_after", False) else h
        core_ = add(core_, bias)
    g = _gates(layer)
    t.formula = mul(g, core_) if g != 1 else core_
    return t


@builds(recurrent._ConvLSTM)
def _convlstm(layer, shape):
    t = Textbook(Num(0))
    ks = _kernel_names(t, layer)
    step = (shape[0], *shape[2:])
    c_in = t.q("C_in", step[_channel_axis(layer, step)], axis(_channel_axis(layer, step) + 1))
    f = t.q("f", layer.filters, arg("filters"))
    inner = mul(*ks, add(c_in, f), f)
    t.formula = mul(4, add(inner, f) if layer.use_bias else inner)
    return t


@builds(wrappers.Bidirectional)
def _bidirectional(layer, shape):
    inner = textbook(layer.layer, shape)
    if inner is None or layer.backward_layer is not layer.layer:
        return None
    return Textbook(mul(2, inner.formula), inner.quantities)


@builds(wrappers.TimeDistributed)
def _time_distributed(layer, shape):
    inner = textbook(layer.layer, (shape[0], *shape[2:]))
    if inner is None:
        return None
    # The inner layer sees one time step: its input axes shift by one.
    moved = [Quantity(q.key, q.value, Origin(q.origin.kind, q.origin.argument,
                                              None if q.origin.axis is None else q.origin.axis + 1))
             for q in inner.quantities]
    return Textbook(inner.formula, moved, inner.non_trainable)


@builds(attention.MultiHeadAttention)
def _mha(layer, shapes):
    t = Textbook(Num(0))
    query, value = shapes[0], shapes[1]
    key = shapes[2] if len(shapes) > 2 else value
    h = t.q("h", layer.num_heads, arg("num_heads"))
    dk = t.q("d_k", layer.key_dim, arg("key_dim"))
    dv = t.q("d_v", layer.value_dim, arg("value_dim")) if layer.value_dim != layer.key_dim else dk
    dq_in = t.q("d_q_in", query[-1], axis(len(query) - 1, 0))
    dv_in = t.q("d_v_in", value[-1], axis(len(value) - 1, 1))
    dk_in = t.q("d_k_in", key[-1], axis(len(key) - 1, 2 if len(shapes) > 2 else 1)) \
        if len(shapes) > 2 else dv_in
    out = layer.output_shape_arg
    if out is None:
        d_out = dq_in
    elif len(out) == 1:
        d_out = t.q("d_out", out[0], arg("output_shape"))
    else:
        d_out = mul(*[t.q(f"d_out_{i + 1}", v, arg("output_shape")) for i, v in enumerate(out)])

    def proj(d_in, d_head):
        return mul(add(d_in, 1), h, d_head) if layer.use_bias else mul(d_in, h, d_head)
    terms = [proj(dq_in, dk), proj(dk_in, dk)]
    if layer.use_gate:
        terms.append(proj(dq_in, dv))
    terms.append(proj(dv_in, dv))
    terms.append(mul(add(mul(h, dv), 1), d_out) if layer.use_bias else mul(h, dv, d_out))
    t.formula = add(*terms)
    return t


@builds(Repeat)
def _repeat(layer, shape):
    t = Textbook(Num(0))
    block = sum((w.count for w in layer.weights), sympy.Integer(0)) / layer.n
    t.formula = mul(t.q("n", layer.n, arg("n")), t.q("P_block", bounds.expand(block), Origin("derived")))
    return t


@builds(activations.PReLU)
def _prelu(layer, shape):
    t = Textbook(Num(0))
    sizes = []
    shared = set(layer.shared_axes or ())
    for i, s in enumerate(shape[1:], start=1):
        if i not in shared:
            sizes.append(t.q(f"n_{i}", s, axis(i)))
    t.formula = mul(*sizes) if sizes else Num(sympy.Integer(1))
    return t


# ---- output sizes -------------------------------------------------------------------


@dataclass
class AxisRule:
    """How one output axis is computed: a formula in named sizes and their values."""

    axis: int
    label: str
    formula: Formula
    quantities: list[Quantity]


def _window_rules(layer, shape, kernel, strides, dilation, padding, transpose=False,
                  output_padding=None) -> list[AxisRule]:
    rules = []
    first = 1 if getattr(layer, "data_format", "channels_last") == "channels_last" else 2
    labels = SPATIAL[layer.rank]
    for i, (k, s, d) in enumerate(zip(kernel, strides, dilation)):
        ax = first + i
        n = shape[ax]
        if n is None:
            continue
        label = labels[i]
        suffix = "" if layer.rank == 1 else "_" + label.lower()
        t = Textbook(Num(0))
        n_ = t.q(f"{label}_in", n, axis(ax))
        k_ = t.q("k" + suffix if not isinstance(layer, pooling.BasePooling) else "p" + suffix, k,
                 arg("pool_size" if isinstance(layer, pooling.BasePooling) else "kernel_size"))
        s_ = t.q("s" + suffix, s, arg("strides"))
        if transpose:
            op = None if output_padding is None else output_padding[i]
            if padding == "same" and op is None:
                if s == 1:
                    continue
                f = mul(n_, s_)
            else:
                keff = k_ if d == 1 else add(mul(t.q("d" + suffix, d, arg("dilation_rate")),
                                                 Difference(k_, Num(sympy.Integer(1)))), 1)
                if op is None:
                    # Keras: (n − 1)·s + max(k_eff, s); written with the larger of the two.
                    k_eff_value = (k - 1) * d + 1
                    larger = s_ if (k_eff_value - s).is_negative else keff
                    f = add(mul(Difference(n_, Num(sympy.Integer(1))), s_), larger)
                else:
                    extra = Num(sympy.Mod(k, 2)) if padding == "same" else keff
                    f = add(mul(Difference(n_, Num(sympy.Integer(1))), s_), extra,
                            t.q("p_out" + suffix, op, arg("output_padding")))
        elif padding == "valid":
            if d == 1:
                span = Difference(n_, k_)
            else:
                span = Difference(n_, add(mul(t.q("d" + suffix, d, arg("dilation_rate")),
                                              Difference(k_, Num(sympy.Integer(1)))), 1))
            f = add(span, 1) if s == 1 else add(Floor(Quotient(span, s_)), 1)
        else:
            if s == 1:
                continue  # "same" with stride 1 keeps the size: nothing to work out
            f = Ceil(Quotient(n_, s_))
        rules.append(AxisRule(ax, f"{label}_out", f, t.quantities))
    return rules


def axis_rules(layer, input_shape) -> list[AxisRule]:
    """The arithmetic behind each output axis that a reader would want to see."""
    if isinstance(layer, (conv.BaseConv, conv.BaseDepthwiseConv, conv.BaseSeparableConv)):
        return _window_rules(layer, input_shape, layer.kernel_size, layer.strides,
                             layer.dilation_rate, layer.padding)
    if isinstance(layer, conv.BaseConvTranspose):
        return _window_rules(layer, input_shape, layer.kernel_size, layer.strides,
                             layer.dilation_rate, layer.padding, transpose=True,
                             output_padding=layer.output_padding)
    if isinstance(layer, pooling.BasePooling):
        ones = (sympy.Integer(1),) * layer.rank
        return _window_rules(layer, input_shape, layer.pool_size, layer.strides, ones, layer.padding)
    if isinstance(layer, reshaping.Flatten):
        dims = input_shape[1:]
        if len(dims) < 2 or any(d is None for d in dims):
            return []
        t = Textbook(Num(0))
        names = [t.q(f"n_{i}", d, axis(i)) for i, d in enumerate(dims, start=1)]
        return [AxisRule(1, "n_out", mul(*names), t.quantities)]
    if isinstance(layer, merging.Concatenate):
        ax = layer.axis % len(input_shape[0])
        sizes = [s[ax] for s in input_shape]
        if any(s is None for s in sizes):
            return []
        t = Textbook(Num(0))
        names = [t.q(f"n_{i + 1}", s, axis(ax, i)) for i, s in enumerate(sizes)]
        return [AxisRule(ax, "n_out", add(*names), t.quantities)]
    if isinstance(layer, reshaping._PadCrop):
        rules = []
        first = 1 if layer.data_format == "channels_last" else 2
        for i, (a, b) in enumerate(layer.amounts):
            n = input_shape[first + i]
            if n is None or (a == 0 and b == 0):
                continue
            t = Textbook(Num(0))
            label = SPATIAL[layer.rank][i]
            n_ = t.q(f"{label}_in", n, axis(first + i))
            a_ = t.q("a", a, arg(layer.what))
            b_ = t.q("b", b, arg(layer.what))
            f = add(n_, a_, b_) if layer.sign > 0 else Difference(Difference(n_, a_), b_)
            rules.append(AxisRule(first + i, f"{label}_out", f, t.quantities))
        return rules
    if isinstance(layer, reshaping._UpSampling):
        rules = []
        first = 1 if layer.data_format == "channels_last" else 2
        for i, s in enumerate(layer.size):
            n = input_shape[first + i]
            if n is None or s == 1:
                continue
            t = Textbook(Num(0))
            label = SPATIAL[layer.rank][i]
            f = mul(t.q(f"{label}_in", n, axis(first + i)), t.q("s", s, arg("size")))
            rules.append(AxisRule(first + i, f"{label}_out", f, t.quantities))
        return rules
    if isinstance(layer, reshaping.Reshape) and any(v == -1 for v in layer.target_shape):
        dims = input_shape[1:]
        if any(d is None for d in dims):
            return []
        t = Textbook(Num(0))
        total = mul(*[t.q(f"n_{i}", d, axis(i)) for i, d in enumerate(dims, start=1)])
        known = [v for v in layer.target_shape if v != -1]
        ax = 1 + list(layer.target_shape).index(-1)
        f = Quotient(total, mul(*[Num(v) for v in known])) if known else total
        return [AxisRule(ax, "n_out", f, t.quantities)]
    return []
