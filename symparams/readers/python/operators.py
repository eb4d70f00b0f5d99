"""The interpreter's operators: arithmetic, unary, ``and``/``or`` and comparisons,
and the truth of a condition.

:class:`Operators` is a mixin of :class:`~symparams.readers.interpreter.Interpreter`.
Every result is sized (:mod:`symparams.bounds`) before it is made.
"""

from __future__ import annotations

import ast
import operator
from typing import Callable

import sympy

from ...core import bounds
from ...core.errors import SymparamsError
from .values import Opaque

_BINOPS: dict[type, Callable] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
    ast.BitXor: operator.xor, ast.LShift: operator.lshift, ast.RShift: operator.rshift,
    ast.MatMult: operator.matmul,
}
_CMPOPS: dict[type, Callable] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}



def _free(a, b) -> bool:
    """Whether two numbers compared hold a free size (a size is never equal to a string or None)."""
    def number(v):
        return (isinstance(v, (int, float)) and not isinstance(v, bool)) or \
            (isinstance(v, sympy.Expr) and v.is_commutative)
    return number(a) and number(b) and any(isinstance(v, sympy.Basic) and v.free_symbols for v in (a, b))


class Operators:
    """``a + b``, ``-a``, ``a and b``, ``a < b``, and whether a value is true."""

    def expr_BinOp(self, node, scope):
        return self.binop(node.op, self.eval(node.left, scope), self.eval(node.right, scope), node)

    def binop(self, op, left, right, node):
        if isinstance(op, ast.Mod) and isinstance(left, str):
            return self.percent_format(left, right, node)
        if isinstance(op, ast.Mult):
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (list, tuple, str)) and isinstance(n, sympy.Basic) and n.is_Integer:
                    n = int(n)
                    left, right = (seq, n) if seq is left else (n, seq)
                if isinstance(seq, (list, tuple, str)) and isinstance(n, int):
                    self.allot(len(seq) * max(n, 0), node)
        if isinstance(op, ast.Add) and isinstance(left, (list, tuple, str)) and type(left) is type(right):
            self.allot(len(left) + len(right), node)
        if self.host.shape_of(left) is not None or self.host.shape_of(right) is not None:
            return self.host.tensor_operator(_op_text(op), left, right, node)
        if isinstance(op, ast.MatMult):
            raise self.error("the @ operator multiplies tensors, not numbers", node)
        left = self.host.as_operand(left, node)
        right = self.host.as_operand(right, node)
        # 0.5 * w stays exact: a float meeting a symbol becomes the rational it reads as.
        if isinstance(left, float) and isinstance(right, sympy.Basic) and not right.is_number:
            left = sympy.Rational(repr(left))
        elif isinstance(right, float) and isinstance(left, sympy.Basic) and not left.is_number:
            right = sympy.Rational(repr(right))
        if isinstance(op, ast.Pow):
            self.check_power(left, right, node)
        if isinstance(op, (ast.Mult, ast.Pow)):
            try:
                bounds.check_product(left, right, power=isinstance(op, ast.Pow))
            except bounds.TooLarge as exc:
                raise self.error(str(exc), node) from None
        if isinstance(op, ast.LShift):
            shift = int(right) if isinstance(right, sympy.Basic) and right.is_Integer else right
            if isinstance(shift, int) and shift > self.limits.int_bits:
                raise self.over("int_bits", "a number too large for the reader", node)
        try:
            result = _BINOPS[type(op)](left, right)
        except ZeroDivisionError:
            raise self.error("division by zero", node) from None
        except OverflowError:
            raise self.error(f"the result of {_op_text(op)} is too large for a float", node) from None
        except SymparamsError:
            raise
        except (TypeError, ValueError, AttributeError):
            raise self.error(f"cannot compute {self.describe(left)} {_op_text(op)} "
                             f"{self.describe(right)}", node) from None
        self.check_number(result, node)
        return result

    def check_power(self, base, exp, node):
        try:
            bounds.check_power(base, exp, "the power")
        except bounds.TooLarge:
            raise self.over("int_bits", "a number too large for the reader", node) from None

    def expr_UnaryOp(self, node, scope):
        value = self.eval(node.operand, scope)
        if isinstance(node.op, ast.Not):
            return not self.truth(value, node)
        if self.host.shape_of(value) is not None:
            return self.host.tensor_operator("-" if isinstance(node.op, ast.USub) else "+", value, None, node)
        value = self.host.as_operand(value, node)
        try:
            if isinstance(node.op, ast.USub):
                return -value
            if isinstance(node.op, ast.UAdd):
                return +value
            if isinstance(node.op, ast.Invert):
                return ~value
        except TypeError:
            raise self.error(f"cannot negate {self.describe(value)}", node) from None
        raise self.error("unknown unary operator", node)

    def expr_BoolOp(self, node, scope):
        # As Python: the last operand is the value, never tested (``mid = mid or width``
        # with a free width is the width, not a condition on it)
        *tested, last = node.values
        for v in tested:
            value = self.eval(v, scope)
            if self.truth(value, v) != isinstance(node.op, ast.And):
                return value
        return self.eval(last, scope)

    def expr_Compare(self, node, scope):
        left = self.eval(node.left, scope)
        self.guard(left, node)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.eval(comparator, scope)
            self.guard(right, node)
            if isinstance(right, str) and isinstance(op, (ast.In, ast.NotIn)):
                self.walk(len(right), node, "a search of a string")
            if not isinstance(op, (ast.Is, ast.IsNot, ast.In, ast.NotIn)):
                left_v, right_v = self.host.as_operand(left, node), self.host.as_operand(right, node)
            else:
                left_v, right_v = left, right
            try:
                if isinstance(op, (ast.Eq, ast.NotEq)) and _free(left_v, right_v):
                    # ``n == 2`` of a free n is not False (Python's answer for two different
                    # expressions): it depends on n, which the condition then says
                    result = (sympy.Eq if isinstance(op, ast.Eq) else sympy.Ne)(left_v, right_v)
                else:
                    result = _CMPOPS[type(op)](left_v, right_v)
            except (TypeError, ValueError):
                raise self.error(f"cannot compare {self.describe(left)} and {self.describe(right)}", node) from None
            if not self.truth(result, node):
                return False
            left = right
        return True

    def relation(self, node: ast.Compare, scope):
        """One comparison as a value, undecided when it depends on free sizes: ``n_embd % n_head
        == 0`` of a free ``n_embd`` (what an ``assert`` states), never forced to True or False."""
        if len(node.ops) != 1 or isinstance(node.ops[0], (ast.Is, ast.IsNot, ast.In, ast.NotIn)):
            return self.eval(node, scope)
        left = self.host.as_operand(self.eval(node.left, scope), node)
        right = self.host.as_operand(self.eval(node.comparators[0], scope), node)
        op = node.ops[0]
        if not _free(left, right):
            return self.eval(node, scope)
        relation = {ast.Eq: sympy.Eq, ast.NotEq: sympy.Ne, ast.Lt: sympy.Lt, ast.LtE: sympy.Le,
                    ast.Gt: sympy.Gt, ast.GtE: sympy.Ge}[type(op)]
        try:
            return relation(left, right)
        except (TypeError, ValueError):
            raise self.error(f"cannot compare {self.describe(left)} and {self.describe(right)}", node) from None

    def truth(self, value, node) -> bool:
        if isinstance(value, sympy.Basic) and not isinstance(value, sympy.logic.boolalg.BooleanAtom):
            if value.is_number:
                return bool(value != 0) if not isinstance(value, sympy.logic.boolalg.Boolean) else bool(value)
            names = ", ".join(sorted(str(s) for s in value.free_symbols))
            raise self.error(f"this condition depends on the free size(s) {names}; "
                             f"give them values with --subs", node)
        if isinstance(value, Opaque):
            raise self.error(f"this condition depends on {value.path}, which the reader cannot know", node)
        try:
            return bool(value)
        except TypeError:
            raise self.error(f"{self.describe(value)} cannot be used as a condition", node) from None


def _op_text(op) -> str:
    return {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
            ast.Mod: "%", ast.Pow: "**", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
            ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>"}.get(type(op), "an operator")
