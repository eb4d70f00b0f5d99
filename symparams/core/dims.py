"""Sizes, shapes and the exact arithmetic of output shapes.

A size is a sympy expression: an ``Integer`` where the user gave a number, a
positive integer ``Symbol`` where they gave a name, or ``None`` for a dimension
nobody knows (the batch). Shape arithmetic follows Keras exactly and uses
``floor``/``ceiling`` on exact rationals, never float division.
"""

from __future__ import annotations

import math
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


def assume_divisible(expr):
    """``⌊a/b⌋`` and ``⌈a/b⌉`` of free sizes taken as exactly ``a/b`` (``--assume-divisible``).

    Textbooks write ``d_model / n_heads`` where code writes ``d_model // n_heads``: for
    sizes that divide, the two agree, and the polynomial reads as the textbook's.
    Floors of numbers stay (they are exact already).
    """
    if not isinstance(expr, sympy.Basic) or expr.is_number:
        return expr
    done = expr.replace(lambda e: isinstance(e, (sympy.floor, sympy.ceiling)) and not e.args[0].is_number,
                        lambda e: e.args[0])
    return sympy.expand(done) if done != expr else expr
