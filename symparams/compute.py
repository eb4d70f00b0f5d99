"""Compute: multiply-accumulates (MACs) and FLOPs of a forward pass, symbolic in every size.

Convention (stated with every result, as ``CONVENTION``): one example (the batch axis
excluded); FLOPs = 2·MACs; only matrix products and convolutions are counted —
activations, normalization, pooling, additions and softmax are not — as in Kaplan et
al. (2020) and most counters. A layer called twice computes twice (unlike its
parameters). Causal attention (``use_causal_mask=True``) counts only the query–key
pairs on or below the diagonal, T(T + 1)/2 of T².
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy

from . import bounds
from .bindings import normalize_bindings
from .dims import product, symbol
from .layers import attention, conv, core, merging, recurrent, wrappers
from .layers.base import Layer, map_structure
from .layers.repeat import Repeat

CONVENTION = ("MACs are multiply-accumulates of one forward pass for one example (the batch axis "
              "excluded); FLOPs = 2·MACs. Only matrix products and convolutions are counted "
              "(activations, normalization, pooling, additions and softmax are not), as in "
              "Kaplan et al. (2020). Causal attention counts the query–key pairs on or below the "
              "diagonal.")

ZERO = sympy.Integer(0)


@dataclass(frozen=True)
class LayerCompute:
    name: str
    type: str
    macs: sympy.Expr

    @property
    def flops(self) -> sympy.Expr:
        return 2 * self.macs


@dataclass(frozen=True)
class Compute:
    rows: tuple
    macs: sympy.Expr
    convention: str = CONVENTION

    @property
    def flops(self) -> sympy.Expr:
        return bounds.expand(2 * self.macs)

    def subs(self, bindings) -> "Compute":
        from .dims import substitute
        names = sorted({s.name for s in self.macs.free_symbols} |
                       {s.name for r in self.rows for s in r.macs.free_symbols})
        values = normalize_bindings(bindings, names)
        rows = tuple(LayerCompute(r.name, r.type, bounds.expand(substitute(r.macs, values)))
                     for r in self.rows)
        return Compute(rows, bounds.expand(substitute(self.macs, values)), self.convention)


def _positions(shape, drop_last: bool = True) -> sympy.Expr:
    """Positions a per-vector operation runs at: every axis but the batch (and the last)."""
    axes = shape[1:-1] if drop_last else shape[1:]
    sizes = [symbol("T") if s is None else s for s in axes]
    return product(sizes) if sizes else sympy.Integer(1)


_RULES: dict[type, Callable] = {}


def rule(*classes):
    def register(fn):
        for cls in classes:
            _RULES[cls] = fn
        return fn
    return register


def layer_macs(layer: Layer, in_shapes, out_shapes, options: dict) -> sympy.Expr:
    """MACs of one call of ``layer``."""
    from .model import Functional
    if isinstance(layer, Functional):
        return compute(layer).macs
    for cls in type(layer).__mro__:
        if cls in _RULES:
            return bounds.expand(_RULES[cls](layer, in_shapes, out_shapes, options))
    return ZERO


def _kernel(layer):
    return product(layer.kernel_size)


def _first(shapes):
    return shapes[0] if isinstance(shapes, list) else shapes


@rule(core.Dense)
def _dense(layer, i, o, opt):
    return _positions(i) * i[-1] * layer.units


@rule(conv.BaseConv)
def _conv(layer, i, o, opt):
    return product(layer.spatial(o)) * layer.filters * _kernel(layer) * layer.channels(i) / layer.groups


@rule(conv.BaseConvTranspose)
def _conv_transpose(layer, i, o, opt):
    return product(layer.spatial(i)) * layer.channels(i) * _kernel(layer) * layer.filters


@rule(conv.BaseDepthwiseConv)
def _depthwise(layer, i, o, opt):
    return product(layer.spatial(o)) * layer.channels(i) * layer.depth_multiplier * _kernel(layer)


@rule(conv.BaseSeparableConv)
def _separable(layer, i, o, opt):
    mid = layer.channels(i) * layer.depth_multiplier
    return product(layer.spatial(o)) * (mid * _kernel(layer) + mid * layer.filters)


def _steps(shape):
    return symbol("T") if shape[1] is None else shape[1]


@rule(recurrent._SimpleRecurrent)
def _rnn(layer, i, o, opt):
    return _steps(i) * layer.gates * layer.units * (i[-1] + layer.units)


@rule(recurrent._ConvLSTM)
def _convlstm(layer, i, o, opt):
    step = (i[0], *i[2:])
    out_step = (i[0], *layer.step_output_shape(i))
    k = _kernel(layer)
    return _steps(i) * product(layer.spatial(out_step)) * 4 * layer.filters * k * (
        layer.channels(step) + layer.filters)


@rule(wrappers.Bidirectional)
def _bidirectional(layer, i, o, opt):
    out = layer.layer.compute_output_shape(i)
    return 2 * layer_macs(layer.layer, i, out, {})


@rule(wrappers.TimeDistributed)
def _time_distributed(layer, i, o, opt):
    step_in = (i[0], *i[2:])
    step_out = layer.layer.compute_output_shape(step_in)
    return _steps(i) * layer_macs(layer.layer, step_in, step_out, {})


def _pairs(t_q, t_k, causal: bool):
    if causal:
        return t_q * (t_q + 1) / 2
    return t_q * t_k


@rule(attention.MultiHeadAttention)
def _mha(layer, i, o, opt):
    query, value = i[0], i[1]
    key = i[2] if len(i) > 2 else value
    t_q, t_k = _positions(query), _positions(key)
    h, dk, dv = layer.num_heads, layer.key_dim, layer.value_dim
    out = product(layer.output_shape_arg) if layer.output_shape_arg else query[-1]
    projections = t_q * query[-1] * h * dk + t_k * key[-1] * h * dk + _positions(value) * value[-1] * h * dv
    if layer.use_gate:
        projections += t_q * query[-1] * h * dv
    projections += t_q * h * dv * out
    pairs = _pairs(t_q, t_k, bool(opt.get("use_causal_mask")))
    return projections + h * pairs * (dk + dv)


@rule(attention._BaseAttention)
def _attention(layer, i, o, opt):
    query, value = i[0], i[1]
    pairs = _pairs(_positions(query), _positions(value), bool(opt.get("use_causal_mask")))
    return pairs * (query[-1] + value[-1])


@rule(merging.Dot)
def _dot(layer, i, o, opt):
    a1, _ = layer._axes(i[0], i[1])
    return _positions(o, drop_last=False) * i[0][a1]


@rule(Repeat)
def _repeat(layer, i, o, opt):
    return layer.n * layer_macs(layer.block, i, o, {})


def compute(model) -> Compute:
    """MACs of every layer call in the model's graph, and their total."""
    graph = model.ordered_graph()
    per_layer: dict[int, list] = {}
    for node in graph.nodes:
        if node.is_input:
            continue
        in_shapes = map_structure(lambda t: t.shape, node.structure)
        out_shapes = [t.shape for t in node.outputs]
        macs = layer_macs(node.layer, in_shapes, out_shapes[0] if len(out_shapes) == 1 else out_shapes,
                          node.options)
        if id(node.layer) not in per_layer:
            per_layer[id(node.layer)] = [node.layer, ZERO]
        per_layer[id(node.layer)][1] += macs
    rows = []
    for layer in graph.layers:
        if id(layer) in per_layer:
            rows.append(LayerCompute(layer.name, type(layer).__name__, bounds.expand(per_layer[id(layer)][1])))
    total = bounds.expand(sum((r.macs for r in rows), ZERO))
    return Compute(tuple(rows), total)
