"""Evaluate many size expressions at many draws, fast and exactly.

An exam reads its source once with the drawn sizes left free, then needs every
count and shape of that model at thousands of draws. ``expr.xreplace`` costs
about 0.1 ms an expression; a :class:`Program` instead lists the distinct
subexpressions of all the expressions once, children first, and evaluates the
list with Python integers and fractions (exact, as sympy is). Nothing is
compiled from text: each step is a Python function picked by the node's type.
A node of a type not listed here is evaluated by sympy itself, so the answer is
never wrong, only slower.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Iterable, Mapping

import sympy


def _number(x) -> Any:
    if isinstance(x, sympy.Integer):
        return int(x)
    if isinstance(x, sympy.Rational):
        return Fraction(int(x.p), int(x.q))
    return None


def _add(*a):
    total = a[0]
    for v in a[1:]:
        total += v
    return total


def _mul(*a):
    total = a[0]
    for v in a[1:]:
        total *= v
    return total


def _pow(b, e):
    if isinstance(e, int) and e < 0:
        return Fraction(1, 1) / (Fraction(b) ** -e)
    return b ** e


def _mod(a, b):
    return a % b


def _whole(v):
    """A fraction that is whole, as an int (so shapes and counts stay plain ints)."""
    if isinstance(v, Fraction) and v.denominator == 1:
        return v.numerator
    return v


_OPS = {
    sympy.Add: _add, sympy.Mul: _mul, sympy.Pow: _pow,
    sympy.floor: math.floor, sympy.ceiling: math.ceil,
    sympy.Max: max, sympy.Min: min, sympy.Mod: _mod,
}


class Program:
    """Every distinct subexpression of ``exprs``, in an order that evaluates children first."""

    def __init__(self, exprs: Iterable[Any]):
        self.index: dict = {}          # sympy node -> slot
        self.steps: list = []          # (slot, function or None, argument slots, node)
        # symbol name -> its slots (the reader may make two symbols of one name, with different
        # assumptions; both take the drawn value)
        self.symbols: dict = {}
        self.constants: dict = {}      # slot -> value
        for e in exprs:
            self.add(e)

    def add(self, expr) -> int:
        """The slot of ``expr``'s value (added with its subexpressions if new)."""
        if not isinstance(expr, sympy.Basic):
            expr = sympy.Integer(expr)
        stack = [(expr, False)]
        while stack:
            node, ready = stack.pop()
            if node in self.index:
                continue
            number = _number(node)
            if number is not None:
                self.index[node] = slot = len(self.index)
                self.constants[slot] = number
                continue
            if isinstance(node, sympy.Symbol):
                self.index[node] = slot = len(self.index)
                self.symbols.setdefault(node.name, []).append(slot)
                continue
            op = _OPS.get(type(node))
            if op is None:
                # not one of ours: sympy evaluates it whole at the draw
                self.index[node] = slot = len(self.index)
                self.steps.append((slot, None, (), node))
                continue
            if not ready:
                stack.append((node, True))
                stack.extend((a, False) for a in node.args if a not in self.index)
                continue
            self.index[node] = slot = len(self.index)
            self.steps.append((slot, op, tuple(self.index[a] for a in node.args), node))
        return self.index[expr]

    def run(self, values: Mapping[str, Any]) -> list:
        """Every slot's value with the sizes in ``values`` (numbers) put in."""
        out: list = [None] * len(self.index)
        for slot, v in self.constants.items():
            out[slot] = v
        for name, slots in self.symbols.items():
            for slot in slots:
                out[slot] = values.get(name)
        for slot, op, args, node in self.steps:
            if op is None:
                out[slot] = _by_sympy(node, values)
                continue
            try:
                out[slot] = _whole(op(*(out[a] for a in args)))
            except (TypeError, ZeroDivisionError):
                out[slot] = None   # a size left free, or a division by zero: no value
        return out


def _sympy_number(v):
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int):
        return sympy.Integer(v)
    if isinstance(v, Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    if isinstance(v, float):
        return sympy.Float(v)
    return None


def _by_sympy(node, values):
    mapping = {}
    for s in node.free_symbols:
        v = _sympy_number(values.get(s.name))
        if v is None:
            return None
        mapping[s] = v
    return _number(node.xreplace(mapping))


class Values:
    """One draw's values of a program's expressions: ``values[expr]``."""

    __slots__ = ("program", "sizes", "slots")

    def __init__(self, program: Program, sizes: Mapping[str, Any]):
        self.program, self.sizes = program, sizes
        self.slots = program.run(sizes)

    def __getitem__(self, expr):
        if not isinstance(expr, sympy.Basic):
            return expr
        slot = self.program.index.get(expr)
        if slot is None:
            # an expression the program did not list (a layer's MACs): add it, for this draw and
            # every later one, and evaluate again
            slot = self.program.add(expr)
            self.slots = self.program.run(self.sizes)
        return self.slots[slot]
