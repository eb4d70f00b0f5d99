"""The sliding window: the output length along one axis of a convolution or a pooling.

The rule is written once, as a formula in named sizes. A layer's output shape
evaluates it with the layer's numbers (``Values``); its derivation shows the
same formula with names (a ``Textbook``). Keras's own arithmetic, from
``keras/src/ops/operation_utils.py`` (``compute_conv_output_shape``,
``compute_pooling_output_shape``) and ``_get_output_shape_given_tf_padding``
for transposed convolutions:

* ``valid``: ``⌊(n − (d·(k − 1) + 1))/s⌋ + 1``
* ``same`` and ``causal``: ``⌊(n − 1)/s⌋ + 1``
* transposed, ``valid``: ``(n − 1)·s + k_eff + p_out``, with ``p_out = max(k_eff, s) − k_eff``
  when not given; ``same``: ``n·s``, or ``(n − 1)·s + (k_eff mod 2) + p_out`` when given.

A :class:`WindowRule` can be replaced for a while (:func:`using`): the exam
reads a model again with a student's wrong rule to make its distractors.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Optional

import sympy

from ...core.formula import Difference, Floor, Formula, Num, Quotient, add, evaluate, mul
from .textbook import VALUES, Sizes, arg, axis, default

ONE = sympy.Integer(1)


@dataclass(frozen=True)
class AxisNames:
    """What a derivation calls the sizes of one axis: ``H_in``, ``k_h``, ``s_h``..."""

    label: str = "n"               # H, W, L, D
    suffix: str = ""               # "_h" on a 2-D or 3-D window
    axis: int = 1                  # the axis of the input shape
    window: str = "k"              # "k" for a kernel, "p" for a pool
    argument: str = "kernel_size"  # the Keras argument the window size comes from
    #: strides left out: the argument Keras takes them from (a pooling's ``pool_size``)
    strides_from: Optional[str] = None


class WindowRule:
    """Keras's rule. Subclasses (the exam's misconceptions) override one piece of it."""

    def valid(self, span: Formula, s_: Formula, s) -> Formula:
        """Positions a window fits into, ``span`` being n − k_eff: ``⌊span/s⌋ + 1``."""
        return add(span, 1) if s == 1 else add(Floor(Quotient(span, s_)), 1)

    def same(self, n_: Formula, s_: Formula, s) -> Formula:
        """Positions with padding: ``⌊(n − 1)/s⌋ + 1``, which is n itself at stride 1."""
        return n_ if s == 1 else add(Floor(Quotient(Difference(n_, Num(ONE)), s_)), 1)

    def effective(self, c: Sizes, names: AxisNames, k_: Formula, d) -> Formula:
        """The dilated window ``d·(k − 1) + 1`` (just k without dilation)."""
        if d == 1:
            return k_
        d_ = c.q("d" + names.suffix, d, arg("dilation_rate"))
        return add(mul(d_, Difference(k_, Num(ONE))), 1)

    def conv(self, c: Sizes, names: AxisNames, n, k, s, d, padding: str) -> Formula:
        n_, k_, s_ = self._names(c, names, n, k, s)
        if padding in ("same", "causal"):
            return self.same(n_, s_, s)
        if padding != "valid":
            raise ValueError(f"unknown padding {padding!r}")
        return self.valid(Difference(n_, self.effective(c, names, k_, d)), s_, s)

    def pool(self, c: Sizes, names: AxisNames, n, p, s, padding: str) -> Formula:
        return self.conv(c, names, n, p, s, ONE, padding)

    def transpose(self, c: Sizes, names: AxisNames, n, k, s, d, padding: str,
                  output_padding=None) -> Formula:
        n_, k_, s_ = self._names(c, names, n, k, s)
        if padding == "same" and output_padding is None:
            return n_ if s == 1 else mul(n_, s_)
        if padding not in ("same", "valid"):
            raise ValueError(f"unknown padding {padding!r}")
        k_eff = self.effective(c, names, k_, d)
        k_eff_value = (k - 1) * d + 1
        shifted = mul(Difference(n_, Num(ONE)), s_)
        if output_padding is not None:
            extra = Num(sympy.Mod(k_eff_value, 2)) if padding == "same" else k_eff
            return add(shifted, extra, c.q("p_out" + names.suffix, output_padding, arg("output_padding")))
        # Keras: p_out = max(k_eff, s) − k_eff, so the window adds the larger of the two.
        smaller = (k_eff_value - s).is_negative
        larger = s_ if smaller else k_eff if smaller is False else Num(sympy.Max(k_eff_value, s))
        return add(shifted, larger)

    def _names(self, c: Sizes, names: AxisNames, n, k, s):
        return (c.q(f"{names.label}_in", n, axis(names.axis)),
                c.q(names.window + names.suffix, k, arg(names.argument)),
                c.q("s" + names.suffix, s, arg("strides") if names.strides_from is None
                    else default("strides", names.strides_from)))


_RULE: contextvars.ContextVar[WindowRule] = contextvars.ContextVar("window_rule", default=WindowRule())
_ANY_AXIS = AxisNames()


def rule() -> WindowRule:
    """The window rule in force (Keras's, unless :func:`using` replaced it)."""
    return _RULE.get()


@contextmanager
def using(replacement: WindowRule) -> Iterator[None]:
    """Compute every output length with ``replacement`` inside the block."""
    token = _RULE.set(replacement)
    try:
        yield
    finally:
        _RULE.reset(token)


def conv_length(n, k, s, padding: str, d=ONE) -> Optional[sympy.Expr]:
    """The output length of a convolution along one axis (None for an unknown length)."""
    if n is None:
        return None
    try:
        return _conv_length(rule(), n, k, s, padding, d)
    except TypeError:       # a size that cannot be a key (unhashable): worked out afresh
        return _conv_length.__wrapped__(rule(), n, k, s, padding, d)


def pool_length(n, p, s, padding: str, strides_from: Optional[str] = None) -> Optional[sympy.Expr]:
    """The output length of a pooling window along one axis (``strides_from``: the argument
    the strides were taken from when left out, which a wrong rule may not know)."""
    if n is None:
        return None
    try:
        return _pool_length(rule(), n, p, s, padding, strides_from)
    except TypeError:
        return _pool_length.__wrapped__(rule(), n, p, s, padding, strides_from)


# Cached by the rule in force and the sizes (sympy's values are immutable): the same window
# on the same input recurs across an exam's thousand versions, and building and evaluating
# its formula is most of reading a small convolutional model.
@lru_cache(maxsize=4096, typed=True)
def _conv_length(rule_: "WindowRule", n, k, s, padding: str, d) -> sympy.Expr:
    return evaluate(rule_.conv(VALUES, _ANY_AXIS, n, k, s, d, padding))


@lru_cache(maxsize=4096, typed=True)
def _pool_length(rule_: "WindowRule", n, p, s, padding: str, strides_from: Optional[str]) -> sympy.Expr:
    names = _ANY_AXIS if strides_from is None else AxisNames(strides_from=strides_from)
    return evaluate(rule_.pool(VALUES, names, n, p, s, padding))


def transpose_length(n, k, s, padding: str, d=ONE, output_padding=None) -> Optional[sympy.Expr]:
    """The output length of a transposed convolution along one axis."""
    if n is None:
        return None
    return evaluate(rule().transpose(VALUES, _ANY_AXIS, n, k, s, d, padding, output_padding))
