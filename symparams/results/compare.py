"""Two models side by side, layer by layer: the same architecture in Keras and in PyTorch
(or two versions in one framework), each difference in count named by the convention
behind it.

The layers with parameters (or, in PyTorch, buffers) of each model are lined up in order
by their kind, a class attribute of each layer (a Keras ``Dense`` and a PyTorch ``Linear``
are both ``linear``). Each pair
gets both counts, the difference and the reasons, as data: a reason is a key and the
numbers it explains (the words are the templates'). A difference no rule explains is
said as such, never hidden.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Optional

import sympy

from . import Part, result_of

ZERO = sympy.Integer(0)


@dataclass(frozen=True)
class Reason:
    key: str                    # the template's name for it
    amount: sympy.Expr          # the parameters it accounts for (B minus A)
    #: what the words name (a tied weight: "decoder.weight is encoder.weight")
    detail: tuple = ()


@dataclass(frozen=True)
class Pair:
    a: Optional[Part]
    b: Optional[Part]
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


def _reasons(a: Part, b: Part) -> tuple:
    """The conventions that make ``b``'s count differ from ``a``'s (B minus A), from the
    facts each layer's class gives: its kind, its biases, a recurrent second bias, running
    statistics counted as parameters."""
    out: list[Reason] = []
    kind = a.kind if a.kind == b.kind else None
    # PyTorch keeps b_ih and b_hh; Keras's GRU with reset_after=True keeps two bias vectors
    # too, in one weight, so its biases are the same size and nothing is to explain.
    if kind in ("lstm", "gru", "rnn") and a.second_bias != b.second_bias and a.bias != b.bias:
        out.append(Reason("second_recurrent_bias", sympy.expand(b.second_bias - a.second_bias)))
    if kind == "batchnorm" and a.statistics != b.statistics:
        out.append(Reason("batchnorm_statistics", sympy.expand(b.statistics - a.statistics)))
    if kind in ("linear", "conv", "conv_transpose"):
        if (a.bias == 0) != (b.bias == 0):
            out.append(Reason("bias_in_one_only", sympy.expand(b.bias - a.bias)))
    # PyTorch counts a tensor two modules hold once, at the first (a tied lm_head is the
    # embedding); the other framework's layer keeps a weight of its own
    if a.tied_count != b.tied_count:
        named = tuple(f"{p.name}.{n} is {first}" for p in (a, b) for n, _, first in p.tied)
        out.append(Reason("tied_weight", sympy.expand(a.tied_count - b.tied_count), named))
    if kind == "prelu":
        diff = sympy.expand(b.params - a.params)
        if diff != 0:
            out.append(Reason("prelu_shared_axes", diff))
    return tuple(out)


def compare(a, b) -> Comparison:
    """Line up two models (each a :class:`~symparams.results.Result`, or a model symparams
    read or built: a Keras model or a PyTorch module)."""
    a, b = result_of(a), result_of(b)
    ua, ub = a.parts(), b.parts()
    matcher = difflib.SequenceMatcher(a=[u.kind for u in ua], b=[u.kind for u in ub], autojunk=False)
    pairs: list[Pair] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pairs += [Pair(x, y, _reasons(x, y)) for x, y in zip(ua[i1:i2], ub[j1:j2])]
            continue
        # Unlike kinds: pair them up in order while both sides have one, then the rest alone.
        left, right = ua[i1:i2], ub[j1:j2]
        for k in range(max(len(left), len(right))):
            x = left[k] if k < len(left) else None
            y = right[k] if k < len(right) else None
            pairs.append(Pair(x, y, _reasons(x, y) if x and y else ()))
    return Comparison(a.name, b.name, a.framework, b.framework, tuple(pairs), a.total, b.total,
                      a.buffers, b.buffers)
