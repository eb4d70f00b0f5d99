"""Formulas as ordered trees: the textbook form of a count, kept as a person writes it.

sympy sorts factors and folds numbers at once; a worked solution must not.
A :class:`Formula` keeps the order it was built in (``(k_h·k_w·C_in + 1)·C_out``),
can have its named sizes replaced by values without evaluating anything
(``(5·5·32 + 1)·64``), and evaluates one level of operations per step
(``(800 + 1)·64``, ``801·64``, ``51264``), exactly, in integers or sympy
expressions. How a formula looks is the printers' business
(:mod:`symparams.render.printers`); this module holds no strings but names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import sympy

from . import bounds
from .parse import as_expr

Value = sympy.Expr


class Formula:
    """Base class of formula nodes."""

    __slots__ = ()

    def __add__(self, other) -> "Sum":
        return Sum((self, lift(other)))

    def __mul__(self, other) -> "Product":
        return Product((self, lift(other)))


@dataclass(frozen=True)
class Num(Formula):
    """A value: a number, or a sympy expression in the user's free sizes."""

    value: Value


@dataclass(frozen=True)
class Name(Formula):
    """A named size of the textbook formula (``C_in``); printers choose how it looks."""

    key: str


@dataclass(frozen=True)
class Sum(Formula):
    terms: tuple


@dataclass(frozen=True)
class Difference(Formula):
    left: Formula
    right: Formula


@dataclass(frozen=True)
class Product(Formula):
    factors: tuple


@dataclass(frozen=True)
class Quotient(Formula):
    numerator: Formula
    denominator: Formula


@dataclass(frozen=True)
class Power(Formula):
    """``base`` to a whole positive power (``d_model²``), from a closed form in sizes."""

    base: Formula
    exponent: int


@dataclass(frozen=True)
class Group(Formula):
    """Parentheses a reader needs though precedence does not (one layer's value in a total)."""

    arg: Formula


@dataclass(frozen=True)
class Floor(Formula):
    arg: Formula


@dataclass(frozen=True)
class Ceil(Formula):
    arg: Formula


def lift(x) -> Formula:
    if isinstance(x, Formula):
        return x
    if isinstance(x, str):
        return Name(x)
    return Num(as_expr(x))


def add(*terms) -> Formula:
    terms = tuple(lift(t) for t in terms)
    return terms[0] if len(terms) == 1 else Sum(terms)


def mul(*factors) -> Formula:
    factors = tuple(lift(f) for f in factors)
    return factors[0] if len(factors) == 1 else Product(factors)


# --------------------------------------------------------------------------


def substitute(f: Formula, values: Mapping[str, Value]) -> Formula:
    """Replace names by values, evaluating nothing."""
    if isinstance(f, Name):
        return Num(as_expr(values[f.key])) if f.key in values else f
    return rebuild(f, [substitute(c, values) for c in children(f)])


def children(f: Formula) -> tuple:
    if isinstance(f, Sum):
        return f.terms
    if isinstance(f, Product):
        return f.factors
    if isinstance(f, Difference):
        return (f.left, f.right)
    if isinstance(f, Quotient):
        return (f.numerator, f.denominator)
    if isinstance(f, (Floor, Ceil, Group)):
        return (f.arg,)
    if isinstance(f, Power):
        return (f.base,)
    return ()


def rebuild(f: Formula, new_children) -> Formula:
    """The same node with other children (a leaf comes back as it is)."""
    if isinstance(f, (Sum, Product)):
        return type(f)(tuple(new_children))
    if isinstance(f, (Difference, Quotient)):
        return type(f)(*new_children)
    if isinstance(f, (Floor, Ceil, Group)):
        return type(f)(new_children[0])
    if isinstance(f, Power):
        return Power(new_children[0], f.exponent)
    if isinstance(f, (Num, Name)):
        return f
    raise TypeError(f"not a formula: {f!r}")


def evaluate(f: Formula) -> Value:
    """The exact value (names must have been substituted)."""
    if isinstance(f, Num):
        return f.value
    if isinstance(f, Name):
        raise ValueError(f"the size {f.key} has no value")
    vals = [evaluate(c) for c in children(f)]
    return _apply(f, vals)


def _apply(f: Formula, vals: list) -> Value:
    if isinstance(f, Sum):
        return bounds.expand(sum(vals, sympy.Integer(0)))
    if isinstance(f, Product):
        out = sympy.Integer(1)
        for v in vals:
            out = out * v
        return bounds.expand(out)
    if isinstance(f, Difference):
        return bounds.expand(vals[0] - vals[1])
    if isinstance(f, Quotient):
        return sympy.cancel(vals[0] / vals[1])
    if isinstance(f, Floor):
        return sympy.floor(vals[0])
    if isinstance(f, Ceil):
        return sympy.ceiling(vals[0])
    if isinstance(f, Group):
        return vals[0]
    if isinstance(f, Power):
        return bounds.expand(vals[0] ** f.exponent)
    raise TypeError(f"not a formula: {f!r}")


def _is_value(f: Formula) -> bool:
    return isinstance(f, Num) or (isinstance(f, Group) and isinstance(f.arg, Num))


def _value(f: Formula):
    return f.value if isinstance(f, Num) else f.arg.value


def _reducible(f: Formula) -> bool:
    if isinstance(f, (Num, Name)) or _is_value(f):
        return False
    return all(_is_value(c) for c in children(f))


def step(f: Formula) -> Formula:
    """Evaluate every operation whose operands are all values: one line of working."""
    if isinstance(f, (Num, Name)) or _is_value(f):
        return f
    if _reducible(f):
        return Num(_apply(f, [_value(c) for c in children(f)]))
    if isinstance(f, (Floor, Ceil)) and _reducible(f.arg) and isinstance(f.arg, Quotient):
        # A quotient inside a floor is evaluated with the floor (⌊39/2⌋ = 19),
        # so a reader sees one step, not a fraction first.
        return Num(evaluate(f))
    return rebuild(f, [step(c) for c in children(f)])


def working(f: Formula) -> list[Formula]:
    """The substituted formula, each intermediate line, and the value (a ``Num``), without repeats."""
    lines = [f]
    while not isinstance(lines[-1], Num):
        nxt = step(lines[-1])
        if nxt == lines[-1]:
            raise ValueError("a formula with unsubstituted names cannot be evaluated")
        lines.append(nxt)
    return lines



def from_expr(expr: sympy.Expr) -> Formula:
    """A closed form in sizes (a sympy polynomial, with floors) as a formula whose free
    sizes are names, in the order sympy prints its terms, so that it can be substituted
    and worked out like a textbook formula. ``ValueError`` for what it cannot write."""
    expr = as_expr(expr)
    if expr.is_Integer or (expr.is_Rational and not expr.free_symbols):
        return Num(expr)
    if expr.is_Symbol:
        return Name(expr.name)
    if expr.is_Add:
        out = None
        for term in expr.as_ordered_terms(order="grlex"):  # as the text printer orders them
            negative = term.as_coeff_Mul()[0].is_negative
            part = from_expr(-term if negative else term)
            if out is None:
                out = Product((Num(sympy.Integer(-1)), part)) if negative else part
            else:
                out = Difference(out, part) if negative else add_term(out, part)
        return out
    if expr.is_Mul:
        coeff, rest = expr.as_coeff_Mul()
        up, down = [], []
        if coeff != 1:
            if coeff.p != 1:
                up.append(Num(sympy.Integer(coeff.p)))
            if coeff.q != 1:
                down.append(Num(sympy.Integer(coeff.q)))
        for f in rest.as_ordered_factors():
            if f.is_Pow and f.exp.is_Integer and f.exp < 0:
                down.append(from_expr(f.base ** -f.exp))
            else:
                up.append(from_expr(f))
        top = up[0] if len(up) == 1 else Product(tuple(up)) if up else Num(sympy.Integer(1))
        if not down:
            return top
        return Quotient(top, down[0] if len(down) == 1 else Product(tuple(down)))
    if expr.is_Pow and expr.exp.is_Integer and expr.exp > 1:
        return Power(from_expr(expr.base), int(expr.exp))
    if isinstance(expr, sympy.floor):
        return Floor(from_expr(expr.args[0]))
    if isinstance(expr, sympy.ceiling):
        return Ceil(from_expr(expr.args[0]))
    raise ValueError(f"cannot write {expr} as a formula")


def add_term(f: Formula, term: Formula) -> Formula:
    """``f + term``, extending a sum rather than nesting one."""
    return Sum((f.terms if isinstance(f, Sum) else (f,)) + (term,))
