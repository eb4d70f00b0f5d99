"""Two models side by side, layer by layer: the same architecture in Keras and in PyTorch
(or two versions in one framework), each difference in count named by the convention
behind it.

The layers with parameters (or, in PyTorch, buffers) of each model are lined up in order
by their kind (a Keras ``Dense`` and a PyTorch ``Linear`` are both ``linear``). Each pair
gets both counts, the difference and the reasons, as data: a reason is a key and the
numbers it explains (the words are the templates'). A difference no rule explains is
said as such, never hidden.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Optional

import sympy

from .pytorch.module import numel

ZERO = sympy.Integer(0)

#: a layer's kind, from its class name in either framework
KINDS = {
    "Dense": "linear", "Linear": "linear", "EinsumDense": "linear",
    "Conv1D": "conv", "Conv2D": "conv", "Conv3D": "conv", "Conv1d": "conv", "Conv2d": "conv", "Conv3d": "conv",
    "Conv1DTranspose": "conv_transpose", "Conv2DTranspose": "conv_transpose",
    "Conv3DTranspose": "conv_transpose", "ConvTranspose1d": "conv_transpose",
    "ConvTranspose2d": "conv_transpose", "ConvTranspose3d": "conv_transpose",
    "BatchNormalization": "batchnorm", "BatchNorm1d": "batchnorm", "BatchNorm2d": "batchnorm",
    "BatchNorm3d": "batchnorm",
    "LayerNormalization": "layernorm", "LayerNorm": "layernorm",
    "GroupNormalization": "groupnorm", "GroupNorm": "groupnorm",
    "Embedding": "embedding",
    "SimpleRNN": "rnn", "RNN": "rnn", "LSTM": "lstm", "GRU": "gru",
    "MultiHeadAttention": "attention", "MultiheadAttention": "attention",
    "PReLU": "prelu",
}


@dataclass(frozen=True)
class Unit:
    """One layer with parameters or buffers, as either framework counts it."""

    name: str
    type: str
    framework: str              # "keras" or "pytorch"
    params: sympy.Expr          # what the framework calls parameters
    non_trainable: sympy.Expr
    buffers: sympy.Expr         # PyTorch's buffers (0 in Keras)
    weights: tuple              # (name, shape)

    @property
    def kind(self) -> str:
        return KINDS.get(self.type, self.type)

    def size_of(self, *names: str) -> sympy.Expr:
        return sum((numel(shape) for n, shape in self.weights if n.split("/")[-1] in names), ZERO)


@dataclass(frozen=True)
class Reason:
    key: str                    # the template's name for it
    amount: sympy.Expr          # the parameters it accounts for (B minus A)


@dataclass(frozen=True)
class Pair:
    a: Optional[Unit]
    b: Optional[Unit]
    reasons: tuple

    @property
    def difference(self) -> sympy.Expr:
        return sympy.expand((self.b.params if self.b else ZERO) - (self.a.params if self.a else ZERO))

    @property
    def explained(self) -> bool:
        return sympy.expand(self.difference - sum((r.amount for r in self.reasons), ZERO)) == 0


@dataclass(frozen=True)
class Comparison:
    a_name: str
    b_name: str
    a_framework: str
    b_framework: str
    pairs: tuple
    a_total: sympy.Expr
    b_total: sympy.Expr
    a_buffers: sympy.Expr
    b_buffers: sympy.Expr

    @property
    def difference(self) -> sympy.Expr:
        return sympy.expand(self.b_total - self.a_total)

    @property
    def differing(self) -> tuple:
        return tuple(p for p in self.pairs if p.difference != 0 or p.a is None or p.b is None)


def keras_units(summary) -> list[Unit]:
    return [Unit(r.name, r.type, "keras", r.params, r.non_trainable, ZERO,
                 tuple((w.name, w.shape) for w in r.weights))
            for r in summary.rows if r.params != 0]


def torch_units(summary) -> list[Unit]:
    """The modules that hold parameters or buffers themselves (containers add none)."""
    return [Unit(r.name, r.type, "pytorch", r.own, ZERO, r.buffers,
                 tuple((n, shape) for n, shape, _ in r.parameters))
            for r in summary.rows if r.name and (r.own != 0 or r.buffers != 0)]


def _reasons(a: Unit, b: Unit) -> tuple:
    """The conventions that make ``b``'s count differ from ``a``'s (B minus A)."""
    out: list[Reason] = []
    kind = a.kind if a.kind == b.kind else None
    if kind in ("lstm", "gru", "rnn") and {a.framework, b.framework} == {"keras", "pytorch"}:
        torch_unit, keras_unit = (b, a) if b.framework == "pytorch" else (a, b)
        second = torch_unit.size_of(*[n for n, _ in torch_unit.weights if n.startswith("bias_hh")])
        keras_bias = keras_unit.size_of("bias")
        torch_bias = torch_unit.size_of(*[n for n, _ in torch_unit.weights if n.startswith("bias_")])
        # Keras's GRU with reset_after=True already keeps two bias vectors, as PyTorch does.
        if second != 0 and keras_bias != torch_bias:
            out.append(Reason("second_recurrent_bias", second if b is torch_unit else -second))
    if kind == "batchnorm" and {a.framework, b.framework} == {"keras", "pytorch"}:
        keras_unit = a if a.framework == "keras" else b
        moving = keras_unit.size_of("moving_mean", "moving_variance")
        if moving != 0:
            out.append(Reason("batchnorm_statistics", -moving if a is keras_unit else moving))
    if kind in ("linear", "conv", "conv_transpose"):
        a_bias, b_bias = a.size_of("bias"), b.size_of("bias")
        if (a_bias == 0) != (b_bias == 0):
            out.append(Reason("bias_in_one_only", sympy.expand(b_bias - a_bias)))
    if kind == "prelu":
        diff = sympy.expand(b.params - a.params)
        if diff != 0:
            out.append(Reason("prelu_shared_axes", diff))
    return tuple(out)


def compare(a_summary, b_summary) -> Comparison:
    """Line up two summaries (Keras ``Summary`` or PyTorch ``TorchSummary``)."""
    (a_framework, ua, a_buffers), (b_framework, ub, b_buffers) = _side(a_summary), _side(b_summary)
    matcher = difflib.SequenceMatcher(a=[u.kind for u in ua], b=[u.kind for u in ub], autojunk=False)
    pairs: list[Pair] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pairs += [Pair(a, b, _reasons(a, b)) for a, b in zip(ua[i1:i2], ub[j1:j2])]
            continue
        # Unlike kinds: pair them up in order while both sides have one, then the rest alone.
        left, right = ua[i1:i2], ub[j1:j2]
        for k in range(max(len(left), len(right))):
            a = left[k] if k < len(left) else None
            b = right[k] if k < len(right) else None
            pairs.append(Pair(a, b, _reasons(a, b) if a and b else ()))
    return Comparison(a_summary.name, b_summary.name, a_framework, b_framework,
                      tuple(pairs), a_summary.total, b_summary.total, a_buffers, b_buffers)


def _side(summary) -> tuple:
    """A summary's framework, its units and its buffers."""
    from .pytorch.summary import TorchSummary
    if isinstance(summary, TorchSummary):
        return "PyTorch", torch_units(summary), summary.buffers
    return "Keras", keras_units(summary), ZERO
