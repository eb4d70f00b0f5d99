"""Values from outside a model file, read without evaluating them.

``--subs`` values, exam specs, template filters and the Python API's string
arguments are text that someone else may have written. ``sympy.sympify`` and
``parse_expr`` run such text as Python, so symparams never hands them text.
Instead :func:`parse_text` parses it with :mod:`ast` and builds sympy objects
from a short list of allowed nodes (numbers, names, arithmetic, a few
functions, tuples), with every size checked before it is computed.
"""

from __future__ import annotations

import ast
import re
from fractions import Fraction
from numbers import Integral
from typing import Union

import sympy

from . import bounds
from .dims import symbol
from .errors import SymparamsError

#: characters of outside text read at most
MAX_TEXT = 1_000

Value = Union[int, float, tuple, sympy.Expr]


class ValueSyntaxError(SymparamsError, ValueError):
    """Outside text that is not a number, a shape or an arithmetic expression in names."""


_FUNCTIONS = {
    "floor": sympy.floor, "ceil": sympy.ceiling, "ceiling": sympy.ceiling,
    "min": sympy.Min, "max": sympy.Max, "Min": sympy.Min, "Max": sympy.Max,
    "abs": sympy.Abs, "sqrt": sympy.sqrt,
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*\Z")
_DIGITS = re.compile(r"\d{1234,}")  # 1,234 digits are past 4,096 bits


def parse_text(text: str, what: str = "the value") -> Value:
    """A number, a tuple of them, or an expression in size names, read from ``text``.

    Plain numbers keep their Python type (``"64"`` is ``64``, ``"0.75"`` is
    ``0.75``); inside an expression a decimal is the exact rational it reads
    as. Anything else (calls other than floor/ceil/min/max/abs/sqrt,
    attributes, strings, booleans, ``None``) is refused with one line.
    """
    if not isinstance(text, str):
        raise ValueSyntaxError(f"{what}: expected text, got {type(text).__name__}")
    text = text.strip()
    if not text:
        raise ValueSyntaxError(f"{what}: the value is empty")
    if len(text) > MAX_TEXT:
        raise ValueSyntaxError(f"{what}: the value is longer than {MAX_TEXT:,} characters")
    if _DIGITS.search(text):
        raise ValueSyntaxError(f"{what}: a number of more than {bounds.MAX_INT_BITS:,} bits "
                               "(the limit)")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ValueSyntaxError(f"{what}: cannot read {text!r}; write a number (10, 0.75), "
                               "a shape ((224, 224, 3)) or arithmetic in size names (2*w)") from None
    body = tree.body
    if isinstance(body, (ast.Tuple, ast.List)):
        return tuple(_top(e, what) for e in body.elts)
    return _top(body, what)


def _top(node: ast.expr, what: str) -> Value:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if (isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd))
            and isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float)):
        return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_top(e, what) for e in node.elts)
    value = _Builder(what).build(node)
    return int(value) if value.is_Integer else value


def parse_expression(text: str, what: str = "the value") -> sympy.Expr:
    """Like :func:`parse_text`, but always one exact sympy expression (no tuples, no floats)."""
    value = parse_text(text, what)
    if isinstance(value, tuple):
        raise ValueSyntaxError(f"{what}: expected one size, got the shape {text.strip()}")
    return as_expr(value, what)


def as_expr(value, what: str = "the value") -> sympy.Expr:
    """Any size-like value as an exact sympy expression; text goes through :func:`parse_text`.

    The replacement for ``sympy.sympify`` everywhere symparams takes a value
    from outside: a float becomes the rational its shortest repr reads as.
    """
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, bool):
        raise ValueSyntaxError(f"{what}: a size cannot be true or false")
    if isinstance(value, Integral):
        if int(value).bit_length() > bounds.MAX_INT_BITS:
            raise ValueSyntaxError(f"{what}: a number of more than {bounds.MAX_INT_BITS:,} bits "
                                   "(the limit)")
        return sympy.Integer(int(value))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueSyntaxError(f"{what}: {value} is not a size")
        return sympy.Rational(Fraction(repr(value)).numerator, Fraction(repr(value)).denominator)
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, str):
        return parse_expression(value, what)
    raise ValueSyntaxError(f"{what}: expected a number or an expression, got {type(value).__name__}")


class _Builder:
    """Builds a sympy expression from an allowed ``ast`` node, checking sizes on the way."""

    def __init__(self, what: str):
        self.what = what

    def fail(self, message: str) -> ValueSyntaxError:
        return ValueSyntaxError(f"{self.what}: {message}")

    def build(self, node: ast.expr) -> sympy.Expr:
        method = getattr(self, "node_" + type(node).__name__, None)
        if method is None:
            raise self.fail("only numbers, size names, + - * / // % ** and "
                            "floor/ceil/min/max/abs/sqrt can be used")
        result = method(node)
        try:
            bounds.check(result, self.what)
        except bounds.TooLarge as exc:
            raise self.fail(str(exc).split(": ", 1)[-1]) from None
        return result

    def node_Constant(self, node: ast.Constant) -> sympy.Expr:
        if type(node.value) is int:
            return sympy.Integer(node.value)
        if type(node.value) is float:
            return as_expr(node.value, self.what)
        if isinstance(node.value, bool) or node.value is None:
            raise self.fail(f"{node.value} is not a size")
        raise self.fail(f"{node.value!r} is not a number")

    def node_Name(self, node: ast.Name) -> sympy.Expr:
        if not _NAME.match(node.id):
            raise self.fail(f"{node.id!r} is not a size name")
        return symbol(node.id)

    def node_UnaryOp(self, node: ast.UnaryOp) -> sympy.Expr:
        value = self.build(node.operand)
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.UAdd):
            return value
        raise self.fail("only + and - can stand before a value")

    def node_BinOp(self, node: ast.BinOp) -> sympy.Expr:
        left, right = self.build(node.left), self.build(node.right)
        op = type(node.op)
        if op in (ast.Div, ast.FloorDiv, ast.Mod) and right.is_zero:
            raise self.fail("division by zero")
        if op is ast.Add:
            return left + right
        if op is ast.Sub:
            return left - right
        if op is ast.Mult:
            return left * right
        if op is ast.Div:
            return left / right
        if op is ast.FloorDiv:
            return sympy.floor(left / right)
        if op is ast.Mod:
            return sympy.Mod(left, right)
        if op is ast.Pow:
            if left.is_zero and right.is_negative:
                raise self.fail("division by zero")
            try:
                bounds.check_power(left, right, "the power")
            except bounds.TooLarge as exc:
                raise self.fail(str(exc)) from None
            return left ** right
        raise self.fail("only + - * / // % ** can join values")

    def node_Call(self, node: ast.Call) -> sympy.Expr:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        fn = _FUNCTIONS.get(name or "")
        if fn is None or node.keywords or not node.args:
            raise self.fail("the only functions are floor, ceil, min, max, abs and sqrt")
        args = [self.build(a) for a in node.args]
        if fn in (sympy.floor, sympy.ceiling, sympy.Abs, sympy.sqrt) and len(args) != 1:
            raise self.fail(f"{name}() takes one value")
        return fn(*args)
