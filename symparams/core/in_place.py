"""Numbers put in place of free sizes, in a layer's or a module's state.

A reading with free sizes holds expressions (``Symbol('units')``, ``floor((n - k)/s) + 1``)
where a reading of the same source with numbers written in holds numbers. Putting the
numbers into a copy of each object the reading made gives what the second reading would,
for everything those objects hold as sizes in plain containers: an exam reads its spec's
source once and derives every version from it (:func:`symparams.derivation.derive_reusing`).

Rules that choose their working by a size's value (no floor for a stride of 1) are asked
of the copy, so they choose as the numeric reading would. What is not a size, a plain
container, a frozen dataclass (a value such as a weight) or an object that puts itself in
place (:class:`InPlace`) is shared with the original, unchanged.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any, Callable, Mapping, Optional

import sympy

from . import bounds


def _number(v) -> sympy.Expr:
    if isinstance(v, sympy.Basic) and v.is_number:
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return sympy.Integer(v)
    if isinstance(v, Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    raise TypeError(f"a size can be put in place only as a number, not {type(v).__name__}")


class Numbers:
    """Puts numbers in place of free sizes, by name, in any value (:func:`put`), each
    distinct expression once. Most of a model's expressions are in a few free sizes, so
    the symbols met first make a rule that ``xreplace`` applies to the rest in one pass
    (asking every expression for its free symbols costs more than the replacing)."""

    def __init__(self, values: Mapping[str, Any], known: Optional[Callable[[sympy.Basic], Any]] = None):
        """``known``: an expression's number where the caller has it already (an exam's
        evaluated expressions), else None."""
        self.values = {str(k): _number(v) for k, v in values.items()}
        self.known = known
        self.rule: dict = {}
        self.done: dict = {}
        self.memo: dict = {}           # id -> copy, for the objects put in place

    def __call__(self, expr):
        if not isinstance(expr, sympy.Basic):
            return expr
        out = self.done.get(expr)
        if out is None and self.known is not None:
            number = self.known(expr)
            # only an exact number: anything else is worked out here
            if isinstance(number, (int, Fraction)) and not isinstance(number, bool):
                out = self.done[expr] = _number(number)
        if out is None:
            out = expr.xreplace(self.rule) if self.rule else expr
            if not out.is_number:
                learned = {s: self.values[s.name] for s in out.free_symbols if s.name in self.values}
                if learned:
                    self.rule.update(learned)
                    out = out.xreplace(learned)
                out = bounds.expand(out)
            self.done[expr] = out
        return out


class InPlace:
    """An object that can be copied with numbers in place of its free sizes."""

    #: attributes that link it to others (a layer's graph nodes), shared as they are
    in_place_links: frozenset = frozenset()

    def at(self, values: "Mapping[str, Any] | Numbers"):
        """A copy with every free size its state holds replaced by its number in ``values``."""
        return twin(self, values if isinstance(values, Numbers) else Numbers(values))


class NotInPlace(Exception):
    """An object's state is more than sizes (a model inside): read its source again."""


def twin(obj: InPlace, numbers: Numbers):
    copy = object.__new__(type(obj))
    numbers.memo[id(obj)] = (obj, copy)     # the original kept alive, so its id is not reused
    links = obj.in_place_links
    copy.__dict__.update({k: v if k in links else put(v, numbers) for k, v in vars(obj).items()})
    return copy


def put(value: Any, numbers: Numbers) -> Any:
    """``value`` with each free size in it replaced by its number."""
    if isinstance(value, sympy.Basic):
        return numbers(value)
    if isinstance(value, (str, int, float, bool, type(None), type)):
        return value
    memo = numbers.memo
    if id(value) in memo:
        return memo[id(value)][1]
    if isinstance(value, InPlace):
        return twin(value, numbers)
    if isinstance(value, tuple):
        out = tuple(put(v, numbers) for v in value)
        return type(value)(*out) if hasattr(value, "_fields") else out
    if isinstance(value, list):
        return [put(v, numbers) for v in value]
    if isinstance(value, dict):
        return {k: put(v, numbers) for k, v in value.items()}
    params = getattr(type(value), "__dataclass_params__", None)
    if params is not None and params.frozen:
        return dataclasses.replace(value, **{f.name: put(getattr(value, f.name), numbers)
                                             for f in dataclasses.fields(value) if f.init})
    return value
