"""Sizes, shapes and the exact arithmetic of output shapes.

A size is a sympy expression: an ``Integer`` where the user gave a number, a
positive integer ``Symbol`` where they gave a name, or ``None`` for a dimension
nobody knows (the batch). Shape arithmetic follows Keras exactly and uses
``floor``/``ceiling`` on exact rationals, never float division.
"""

from __future__ import annotations

import contextvars
import math
from contextlib import contextmanager
from fractions import Fraction
from numbers import Integral
from typing import Iterable, Mapping, Optional, Tuple, Union

import sympy

from . import bounds

Size = Optional[sympy.Expr]
Shape = Tuple[Size, ...]
SizeLike = Union[int, str, sympy.Expr, None]

_SYMBOLS: dict[tuple[str, bool], sympy.Symbol] = {}


def symbol(name: str, *, integer: bool = True) -> sympy.Symbol:
    """The positive symbol for ``name``; integer unless it scales a size (``alpha``)."""
    key = (name, integer)
    if key not in _SYMBOLS:
        _SYMBOLS[key] = (
            sympy.Symbol(name, integer=True, positive=True)
            if integer
            else sympy.Symbol(name, positive=True)
        )
    return _SYMBOLS[key]


def symbols(names: str) -> tuple[sympy.Symbol, ...]:
    """Several size symbols at once: ``w, d = symbols("w d")``."""
    return tuple(symbol(n) for n in names.replace(",", " ").split())


def as_size(value: SizeLike) -> Size:
    """Turn a user-given dimension into a size (``None`` stays unknown)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"a size cannot be a boolean: {value!r}")
    if isinstance(value, Integral):
        return sympy.Integer(int(value))
    if isinstance(value, str):
        return symbol(value)
    if isinstance(value, float):
        if value.is_integer():
            return sympy.Integer(int(value))
        raise TypeError(f"a size must be a whole number, got {value!r}")
    if isinstance(value, sympy.Basic):
        return value
    raise TypeError(f"not a size: {value!r}")


def as_positive(value: SizeLike, what: str) -> sympy.Expr:
    """A size that must be at least 1 (units, filters, kernel sizes...)."""
    size = as_size(value)
    if size is None or known_nonpositive(size):
        raise ValueError(f"{what} must be a positive whole number, got {value!r}")
    return size


def as_shape(values: Iterable[SizeLike]) -> Shape:
    return tuple(as_size(v) for v in values)


def as_tuple(value, n: int, what: str) -> tuple:
    """Keras's ``standardize_tuple``: an int means the same value on every axis; all positive."""
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{what} must have {n} values, got {len(value)}: {tuple(value)}")
        return tuple(as_positive(v, what) for v in value)
    return (as_positive(value, what),) * n


def is_number(size: Size) -> bool:
    return size is not None and size.is_Integer


def floordiv(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    if a.is_Integer and b.is_Integer:
        return sympy.Integer(int(a) // int(b))
    if a.is_Rational and b.is_Rational:
        return sympy.Integer(math.floor(Fraction(str(a)) / Fraction(str(b))))
    return sympy.floor(a / b)


def ceildiv(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    return -floordiv(-a, b)


def product(sizes: Iterable[Size]) -> Size:
    """The product of sizes, ``None`` if any is unknown."""
    result: sympy.Expr = sympy.Integer(1)
    for s in sizes:
        if s is None:
            return None
        result = result * s
    return result


def known_nonpositive(size: Size) -> bool:
    """True only when the size is certainly zero or negative for every binding."""
    return size is not None and size.is_positive is False


def known_unequal(a: Size, b: Size) -> bool:
    """True only when two sizes certainly differ (unknown or symbolic: not certain)."""
    if a is None or b is None:
        return False
    diff = bounds.expand(a - b)
    return diff.is_zero is False


# A misconception about output sizes, in force only inside ``shape_misconception``:
# exam distractors are the same derivation with one step done wrong.
_MISCONCEPTION: contextvars.ContextVar = contextvars.ContextVar("shape_misconception", default=None)
SHAPE_MISCONCEPTIONS = ("off_by_one", "round_up", "ignore_pooling")


@contextmanager
def shape_misconception(kind: str):
    """Compute output sizes as a student with this misconception would, inside the block."""
    if kind not in SHAPE_MISCONCEPTIONS:
        raise ValueError(f"unknown shape misconception {kind!r}")
    token = _MISCONCEPTION.set(kind)
    try:
        yield
    finally:
        _MISCONCEPTION.reset(token)


def _valid_window(length, effective, stride):
    wrong = _MISCONCEPTION.get()
    if wrong == "off_by_one":           # n − k instead of n − k + 1
        return floordiv(length - effective, stride)
    if wrong == "round_up":             # ⌈(n − k)/s⌉ + 1 instead of ⌊…⌋ + 1
        return ceildiv(length - effective, stride) + 1
    return floordiv(length - effective, stride) + 1


def conv_output_length(length: Size, kernel: sympy.Expr, stride: sympy.Expr,
                       padding: str, dilation: sympy.Expr) -> Size:
    """Keras ``compute_conv_output_shape`` for one spatial axis."""
    if length is None:
        return None
    effective = dilation * (kernel - 1) + 1
    if padding == "valid":
        return _valid_window(length, effective, stride)
    if padding in ("same", "causal"):
        return floordiv(length - 1, stride) + 1
    raise ValueError(f"unknown padding {padding!r}")


def conv_transpose_output_length(length: Size, kernel: sympy.Expr, stride: sympy.Expr,
                                 padding: str, dilation: sympy.Expr,
                                 output_padding: Size = None) -> Size:
    """Keras 3 ``_get_output_shape_given_tf_padding`` for one spatial axis."""
    if length is None:
        return None
    kernel = (kernel - 1) * dilation + 1
    if padding == "valid":
        if output_padding is None:
            output_padding = sympy.Max(kernel, stride) - kernel
        return (length - 1) * stride + kernel + output_padding
    if padding == "same":
        if output_padding is None:
            return length * stride
        return (length - 1) * stride + sympy.Mod(kernel, 2) + output_padding
    raise ValueError(f"unknown padding {padding!r}")


def pool_output_length(length: Size, pool: sympy.Expr, stride: sympy.Expr, padding: str) -> Size:
    """Keras ``compute_pooling_output_shape`` for one spatial axis."""
    if length is None:
        return None
    if _MISCONCEPTION.get() == "ignore_pooling":   # the size before pooling, used after it
        return length
    if padding == "valid":
        return _valid_window(length, pool, stride)
    if padding == "same":
        return floordiv(length - 1, stride) + 1
    raise ValueError(f"unknown padding {padding!r}")


def free_names(expr) -> set[str]:
    if expr is None or not isinstance(expr, sympy.Basic):
        return set()
    return {s.name for s in expr.free_symbols}


def substitute(expr, bindings: Mapping[str, sympy.Expr]):
    """Replace every free symbol whose name is bound (whatever its assumptions)."""
    if expr is None or not isinstance(expr, sympy.Basic) or not bindings:
        return expr
    mapping = {s: bindings[s.name] for s in expr.free_symbols if s.name in bindings}
    if not mapping:
        return expr
    return expr.xreplace(mapping) if all(v.is_number for v in mapping.values()) \
        else expr.subs(mapping, simultaneous=True)


def substitute_shape(shape: Shape, bindings: Mapping[str, sympy.Expr]) -> Shape:
    return tuple(substitute(s, bindings) for s in shape)


def format_size(size: Size) -> str:
    """A size as people read it in a summary: ``None``, ``512``, ``2*w + 1``."""
    if size is None:
        return "None"
    return str(size)
