"""What a size expression may cost, checked before the work is done.

Sympy works on expression trees that can share subtrees, so a few cheap
operations (``e = e*e + 1`` forty times) describe an expression whose printed
or expanded form would never fit in memory. The functions here measure an
expression over its shared structure (linear in what is stored, however large
the tree it stands for), and refuse the work before it starts.

Every limit is a module constant named here, stated in ``docs/reader.md``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

import sympy

from .errors import SymparamsError

#: nodes in the tree an expression stands for (its printed form has about as many tokens)
MAX_NODES = 5_000
#: levels of nesting (``floor(floor(...)/2)`` after many strided layers)
MAX_DEPTH = 60
#: bits of any integer inside an expression
MAX_INT_BITS = 4096
#: terms an expansion may produce
MAX_EXPANDED_TERMS = 5_000
#: factoring is tried only up to this degree in any one size (it is exponential beyond)
MAX_FACTOR_DEGREE = 24


class TooLarge(SymparamsError):
    """An expression or number would cost more than a stated limit."""


def _fold(expr: sympy.Basic, combine):
    """``combine(node, child_values)`` over the distinct subexpressions of ``expr``, children first.

    Iterative, and each shared subtree is visited once, so neither time nor
    stack grows with the (possibly exponential) size of the tree it stands for.
    """
    value: dict[int, object] = {}
    stack: list[tuple[sympy.Basic, bool]] = [(expr, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in value:
            continue
        if done:
            value[key] = combine(node, [value[id(a)] for a in node.args])
            continue
        stack.append((node, True))
        stack.extend((a, False) for a in node.args if id(a) not in value)
    return value[id(expr)]


@lru_cache(maxsize=16384)
def _cost(expr: sympy.Basic) -> tuple[int, int, int, int]:
    """Node count, depth, a bound on the expanded terms and the largest number's bits, in one
    walk (cached: a model repeats the same sizes layer after layer)."""
    cap = MAX_EXPANDED_TERMS + 1

    def combine(node, parts):
        nodes = 1 + sum(p[0] for p in parts)
        depth = 1 + max((p[1] for p in parts), default=0)
        bits = max([p[3] for p in parts] + [_bits(node) if node.is_Rational else 0])
        terms = [p[2] for p in parts]
        if node.is_Add:
            bound = min(cap, sum(terms))
        elif node.is_Mul:
            bound = 1
            for t in terms:
                bound = min(cap, bound * t)
        elif node.is_Pow and node.exp.is_Integer and node.exp > 0:
            bound = _power_bound(terms[0], int(node.exp), cap)
        else:
            bound = 1
        return nodes, depth, bound, bits
    return _fold(expr, combine)


def measure(expr) -> tuple[int, int]:
    """The node count and depth of the tree ``expr`` stands for, shared subtrees counted each time."""
    if not isinstance(expr, sympy.Basic):
        return 1, 1
    return _cost(expr)[:2]


def check(expr, what: str = "an expression") -> None:
    """Refuse an expression too large, too deep, or holding too large a number."""
    if not isinstance(expr, sympy.Basic):
        return
    if expr.is_Atom:  # the common case, a number or a size name: nothing to walk
        if expr.is_Rational and _bits(expr) > MAX_INT_BITS:
            raise TooLarge(f"{what} holds a number of more than {MAX_INT_BITS:,} bits (the limit)")
        return
    nodes, depth, _, bits = _cost(expr)
    if depth > MAX_DEPTH:
        raise TooLarge(f"{what} nests {depth} levels deep (the limit is {MAX_DEPTH}); "
                       "give the free sizes values with --subs")
    if nodes > MAX_NODES:
        raise TooLarge(f"{what} has grown to about {nodes:,} terms (the limit is {MAX_NODES:,}); "
                       "give the free sizes values with --subs")
    if bits > MAX_INT_BITS:
        raise TooLarge(f"{what} holds a number of more than {MAX_INT_BITS:,} bits (the limit)")


def _bits(number: sympy.Rational) -> int:
    return max(abs(int(number.p)).bit_length(), abs(int(number.q)).bit_length())


def expanded_terms(expr) -> int:
    """An upper bound on how many terms ``sympy.expand(expr)`` produces (capped past the limit)."""
    if not isinstance(expr, sympy.Basic) or expr.is_Atom:
        return 1
    return _cost(expr)[2]


def _power_bound(terms: int, exponent: int, cap: int) -> int:
    if terms <= 1:
        return 1
    value = 1
    for _ in range(min(exponent, 64)):
        value *= terms
        if value >= cap:
            return cap
    return value if exponent <= 64 else cap


def check_product(left, right, power: bool = False, what: str = "this size") -> None:
    """Refuse ``left * right`` (or ``left ** right``) of sizes before sympy builds it.

    Sympy looks into the factors of a product as it builds it (signs,
    assumptions), which takes time exponential in how deeply powers of sums
    nest, so the bound on the expanded result is checked first: an
    expression that could never be expanded is never built.
    """
    if not isinstance(left, sympy.Basic) or left.is_number:
        if not (isinstance(right, sympy.Basic) and not right.is_number and not power):
            return
    cap = MAX_EXPANDED_TERMS
    if power:
        exponent = int(right) if isinstance(right, (int, sympy.Integer)) else None
        if exponent is None or exponent <= 1:
            return
        terms = _power_bound(expanded_terms(left), exponent, cap + 1)
    else:
        terms = expanded_terms(left) * expanded_terms(right)
    if terms > cap:
        raise TooLarge(f"{what} would grow past {cap:,} terms when multiplied out (the limit); "
                       "give the free sizes values with --subs")


def expand(expr, what: str = "an expression"):
    """``sympy.expand``, refused when the result would be larger than the limits."""
    if not isinstance(expr, sympy.Basic) or expr.is_Atom:
        return expr
    check(expr, what)
    if expanded_terms(expr) > MAX_EXPANDED_TERMS:
        raise TooLarge(f"{what} would expand to more than {MAX_EXPANDED_TERMS:,} terms "
                       "(the limit); give the free sizes values with --subs")
    return sympy.expand(expr)


def check_power(base, exponent, what: str = "a power") -> None:
    """Refuse ``base ** exponent`` before computing it when the result would be too large."""
    base = _as_plain(base)
    exponent = _as_plain(exponent)
    if isinstance(exponent, float) or isinstance(base, float):
        return  # floats overflow to an error, never to a hang
    if not isinstance(exponent, int):
        return  # a symbolic exponent stays unevaluated
    if isinstance(base, int):
        if abs(base) > 1 and abs(exponent) * base.bit_length() > MAX_INT_BITS:
            raise TooLarge(f"{what} is a number of more than {MAX_INT_BITS:,} bits (the limit)")
        return
    if abs(exponent) > 1024:
        raise TooLarge(f"{what} has an exponent of {exponent:,} (the limit is 1,024)")


def _as_plain(value):
    if isinstance(value, sympy.Basic) and value.is_Integer:
        return int(value)
    if isinstance(value, sympy.Basic) and value.is_Rational:
        return value  # a fraction: not an int
    return value


def int_bits(value) -> Optional[int]:
    """The bit length of an integer (Python or sympy), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value.bit_length()
    if isinstance(value, sympy.Integer):
        return int(value).bit_length()
    return None


def factor(expr):
    """``sympy.factor``, or ``expr`` as it is where factoring would take too long.

    A factored form is a presentation of the same value, so above
    ``MAX_FACTOR_DEGREE`` (or ``MAX_EXPANDED_TERMS``) the expression is shown
    as it is instead.
    """
    if not isinstance(expr, sympy.Basic) or expr.is_number:
        return expr
    if expanded_terms(expr) > MAX_EXPANDED_TERMS or max_degree(expr) > MAX_FACTOR_DEGREE:
        return expr
    return sympy.factor(expr)


def max_degree(expr) -> int:
    """The highest power any one size is raised to, with an unknown power counted as unbounded."""
    worst = 1
    for power in expr.atoms(sympy.Pow):
        if not power.exp.is_Integer:
            return 10 ** 9
        worst = max(worst, abs(int(power.exp)))
    return worst
