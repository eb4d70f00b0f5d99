"""Conditions between sizes (``where = "units % heads == 0"``) and a teacher's own distractors
(``value = "answer - classes"``): a small arithmetic language, read with :mod:`ast` and
evaluated by walking the tree. Nothing is passed to ``eval``.

The language: numbers, strings, ``true``/``false`` (or ``True``/``False``), the drawn sizes
and (in distractors) ``answer`` by name; ``+ - * / // % **``; comparisons, which chain;
``and``, ``or``, ``not``; ``min``, ``max``, ``abs``; parentheses. A power's exponent is at
most 64, so no condition can make a number too large to hold.
"""

from __future__ import annotations

import ast
import operator
from functools import lru_cache
from fractions import Fraction
from typing import Any, Callable, Mapping

_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}
_CMP = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
        ast.Gt: operator.gt, ast.GtE: operator.ge}
_CALLS = {"min": min, "max": max, "abs": abs}
_WORDS = {"true": True, "false": False, "True": True, "False": False}
MAX_EXPONENT = 64
MAX_LENGTH = 500


class ConditionError(Exception):
    """A condition that cannot be read or evaluated (the caller adds where it is)."""


def parse_condition(text: str, fail: Callable[[str], Exception]) -> ast.AST:
    """The tree of ``text``; anything outside the language is ``fail(message)``."""
    try:
        return _parse(text)
    except ConditionError as exc:
        raise fail(str(exc)) from None


@lru_cache(maxsize=256)
def _parse(text: str) -> ast.AST:
    # Cached: a teacher's distractor is evaluated at every draw, and its text never changes.
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ConditionError(f"not a condition: {exc.msg} at column {exc.offset}") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _CALLS or node.keywords:
                raise ConditionError(f"only {', '.join(_CALLS)} may be called")
        elif not isinstance(node, (ast.Name, ast.Constant, ast.BinOp, ast.UnaryOp, ast.BoolOp,
                                   ast.Compare, ast.operator, ast.unaryop, ast.boolop, ast.cmpop,
                                   ast.Load, ast.Tuple)):
            raise ConditionError(f"{type(node).__name__.lower()} is not allowed; use sizes, numbers, "
                                 "arithmetic, comparisons, and/or/not")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str)):
            raise ConditionError(f"{node.value!r} is not a number or a string")
        if isinstance(node, ast.BinOp) and type(node.op) not in _BIN and \
                not isinstance(node.op, (ast.Div, ast.Pow)):
            raise ConditionError("only + - * / // % ** are allowed")
        if isinstance(node, ast.Compare) and any(type(o) not in _CMP for o in node.ops):
            raise ConditionError("only == != < <= > >= compare")
    return tree


def names_in(tree: ast.AST) -> set[str]:
    """The names a condition reads (sizes, or ``answer``)."""
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in _WORDS
            and n.id not in _CALLS}


def evaluate(tree: ast.AST, values: Mapping[str, Any]) -> Any:
    """The value of a parsed condition with ``values`` for its names (ConditionError if it has none)."""
    if isinstance(tree, ast.Constant):
        return tree.value
    if isinstance(tree, ast.Name):
        if tree.id in values:
            return values[tree.id]
        if tree.id in _WORDS:
            return _WORDS[tree.id]
        raise ConditionError(f"{tree.id!r} is not one of the sizes")
    if isinstance(tree, ast.Tuple):
        return tuple(evaluate(e, values) for e in tree.elts)
    if isinstance(tree, ast.UnaryOp):
        v = evaluate(tree.operand, values)
        if isinstance(tree.op, ast.Not):
            return not v
        if isinstance(tree.op, ast.USub):
            return -_number(v)
        return +_number(v)
    if isinstance(tree, ast.BoolOp):
        if isinstance(tree.op, ast.And):
            return all(evaluate(v, values) for v in tree.values)
        return any(evaluate(v, values) for v in tree.values)
    if isinstance(tree, ast.Compare):
        left = evaluate(tree.left, values)
        for op, right_node in zip(tree.ops, tree.comparators):
            right = evaluate(right_node, values)
            try:
                if not _CMP[type(op)](left, right):
                    return False
            except TypeError:
                raise ConditionError(f"cannot compare {left!r} with {right!r}") from None
            left = right
        return True
    if isinstance(tree, ast.Call):
        args = [_number(evaluate(a, values)) for a in tree.args]
        return _CALLS[tree.func.id](*args)
    if isinstance(tree, ast.BinOp):
        a, b = _number(evaluate(tree.left, values)), _number(evaluate(tree.right, values))
        try:
            if isinstance(tree.op, ast.Div):
                q = Fraction(a) / Fraction(b)
                return q.numerator if q.denominator == 1 else q
            if isinstance(tree.op, ast.Pow):
                if not isinstance(b, int) or abs(b) > MAX_EXPONENT:
                    raise ConditionError(f"an exponent must be a whole number up to {MAX_EXPONENT}")
                return a ** b
            return _BIN[type(tree.op)](a, b)
        except ZeroDivisionError:
            raise ConditionError("division by zero") from None
    raise ConditionError("not a condition")   # parse_condition lets nothing else through


def _number(v):
    if isinstance(v, bool) or not isinstance(v, (int, float, Fraction)):
        raise ConditionError(f"{v!r} is not a number")
    return v
