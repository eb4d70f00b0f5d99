"""PyTorch's sliding window: the output length along one axis of a convolution or a pooling.

``torch/nn/modules/conv.py`` and ``pooling.py`` document one rule,
⌊(L + 2·p − d·(k − 1) − 1)/s⌋ + 1, rounded up with a pooling's ``ceil_mode`` (where a
last window that would start in the right padding is dropped, as
``torch/nn/functional.py``'s ``pooling_output_shape`` does). A pooling's stride
defaults to its kernel size.

A :class:`LengthRule` can be replaced for a while (:func:`using`), as Keras's
:class:`symparams.layers.window.WindowRule` can: the exam reads a model again with a
student's wrong rule to make its distractors.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from typing import Iterator

import sympy

from ..core.formula import Ceil, Difference, Floor, Formula, Num, Quotient, add, mul
from ..keras.layers.textbook import Textbook, arg, axis, default


class LengthRule:
    """PyTorch's rule. Subclasses (the exam's misconceptions) override one piece of it."""

    def span(self, size, kernel, padding, dilation):
        """How far the window's first position can move: L + 2·p − d·(k − 1) − 1."""
        return size + 2 * padding - dilation * (kernel - 1) - 1

    def positions(self, span, stride, ceil_mode: bool):
        """The windows that fit: ⌊span/s⌋ + 1 (⌈ ⌉ with ``ceil_mode``)."""
        return (sympy.ceiling(span / stride) if ceil_mode else sympy.floor(span / stride)) + 1

    def length(self, size, kernel, stride, padding, dilation, ceil_mode: bool = False):
        out = self.positions(self.span(size, kernel, padding, dilation), stride, ceil_mode)
        if ceil_mode:
            # the last window must start inside the input or the left padding
            if out.is_number and size.is_number and (out - 1) * stride >= size + padding:
                out -= 1
        return out

    def pool(self, size, kernel, stride, padding, dilation, ceil_mode: bool, stride_given: bool):
        """A pooling's length (``stride_given``: the module was given a stride, not its default)."""
        return self.length(size, kernel, stride, padding, dilation, ceil_mode)

    def same(self, size, kernel, dilation):
        """``padding="same"``: the length is kept (PyTorch allows it at stride 1 only)."""
        return size


def explain(t: Textbook, label: str, suffix: str, ax: int, size, kernel, stride, padding, dilation,
            ceil_mode: bool = False, stride_from: str = "") -> Formula:
    """PyTorch's rule in named sizes, for a derivation: ``H_out = ⌊(H_in + 2·p_h − d_h·(k_h − 1)
    − 1)/s_h⌋ + 1``, with the padding, dilation and stride left out where they are 0, 1 and 1
    (``stride_from``: a pooling's stride left out takes this argument's value)."""
    one = Num(sympy.Integer(1))
    n = t.q(f"{label}_in", size, axis(ax))
    k = t.q("k" + suffix, kernel, arg("kernel_size"))
    span = [n]
    if padding != 0:
        span.append(mul(2, t.q("p" + suffix, padding, arg("padding"))))
    if dilation != 1:
        reach = mul(t.q("d" + suffix, dilation, arg("dilation")), Difference(k, one))
    else:
        reach = Difference(k, one)
    spanned = Difference(add(*span) if len(span) > 1 else n, reach)
    if stride == 1:
        return spanned          # ⌊(span − 1)/1⌋ + 1 is the span itself
    s = t.q("s" + suffix, stride, default("stride", stride_from) if stride_from else arg("stride"))
    rounded = (Ceil if ceil_mode else Floor)(Quotient(Difference(spanned, one), s))
    return add(rounded, 1)


_RULE: contextvars.ContextVar[LengthRule] = contextvars.ContextVar("torch_length_rule", default=LengthRule())


def rule() -> LengthRule:
    """The length rule in force (PyTorch's, unless :func:`using` replaced it)."""
    return _RULE.get()


@contextmanager
def using(replacement: LengthRule) -> Iterator[None]:
    """Compute every output length with ``replacement`` inside the block."""
    token = _RULE.set(replacement)
    try:
        yield
    finally:
        _RULE.reset(token)
