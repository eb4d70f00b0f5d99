"""Scaling: how a model's size and compute grow with its free sizes.

Everything works on exact sympy totals: expanded, factored and collected
forms; the degree and leading term in a size; each layer's share of the
total and its share as a size grows without bound; the ratio of two models
and where one overtakes the other; the largest size within a budget; sweeps;
and log-log plots (matplotlib, an optional extra).

Leading-order analysis treats ``floor(x)`` and ``ceiling(x)`` as ``x``: they
differ by less than one, which never changes a leading term.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional, Sequence

import sympy

from ..core import bounds
from ..core.dims import substitute
from ..core.errors import SymparamsError
from ..core.parse import as_expr

OO = sympy.oo


class ScalingError(SymparamsError):
    pass


def _named(symbols, name: str) -> Optional[sympy.Symbol]:
    """The symbol among ``symbols`` called ``name``, or None."""
    return next((x for x in symbols if x.name == name), None)


def size_symbol(expr: sympy.Expr, name: str) -> sympy.Symbol:
    """The free symbol of ``expr`` named ``name`` (the user names sizes by their names)."""
    for s in expr.free_symbols:
        if s.name == name:
            return s
    names = ", ".join(sorted(s.name for s in expr.free_symbols)) or "none"
    raise ScalingError(f"the total does not depend on {name!r}; its free sizes are {names}")


def smooth(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with floors and ceilings replaced by their arguments (for leading orders)."""
    expr = as_expr(expr)
    if not expr.has(sympy.floor, sympy.ceiling):
        return expr
    return bounds.expand(expr.replace(sympy.floor, lambda x: x).replace(sympy.ceiling, lambda x: x))


def expanded(expr) -> sympy.Expr:
    return bounds.expand(expr)


def factored(expr) -> sympy.Expr:
    return bounds.factor(expr)


def collected(expr, name: str) -> sympy.Expr:
    return sympy.collect(bounds.expand(expr), size_symbol(expr, name))


def polynomial(expr, s: sympy.Symbol) -> sympy.Poly:
    """``expr`` (floors read as their arguments) as a polynomial in ``s``, or a one-line error."""
    smoothed = smooth(expr)
    if not smoothed.is_polynomial(s):
        raise ScalingError(f"the total is not a polynomial in {s.name} ({smoothed}); degrees and "
                           f"leading terms need one: give {s.name} or the sizes in its exponents "
                           "values with --subs")
    return sympy.Poly(smoothed, s)


def degree(expr, name: str) -> int:
    """The degree in ``name`` (0 when ``expr`` does not depend on it)."""
    s = _named(as_expr(expr).free_symbols, name)
    if s is None:
        return 0
    return int(polynomial(expr, s).degree())


def leading_term(expr, name: str) -> sympy.Expr:
    """The terms of highest degree in ``name`` (``12*d_model**2*n_layer``)."""
    s = size_symbol(expr, name)
    poly = polynomial(expr, s)
    n = poly.degree()
    return bounds.expand(poly.coeff_monomial(s ** n) * s ** n)


def leading_terms(expr) -> dict[str, sympy.Expr]:
    return {s.name: leading_term(expr, s.name) for s in sorted(as_expr(expr).free_symbols,
                                                                key=lambda s: s.name)}


def shares(rows: Sequence, total) -> list[tuple[str, sympy.Expr]]:
    """Each layer's share of the total (rows with parameters only)."""
    total = as_expr(total)
    return [(r.name, sympy.cancel(r.params / total)) for r in rows if r.params != 0]


def limit_shares(rows: Sequence, total, name: str) -> list[tuple[str, sympy.Expr]]:
    """Each layer's share of the total as ``name`` grows without bound."""
    s = size_symbol(total, name)
    total = smooth(total)
    return [(r.name, sympy.limit(smooth(r.params) / total, s, OO)) for r in rows if r.params != 0]


def ratio(a, b) -> sympy.Expr:
    """``a/b`` in its shorter form: one fraction, or a sum of simple ones (1/N + 1/D_K²)."""
    r = sympy.cancel(as_expr(a) / as_expr(b))
    split = bounds.expand(r)
    return split if sympy.count_ops(split) < sympy.count_ops(r) else r


@dataclass(frozen=True)
class Crossover:
    size: str
    value: Optional[int]       # the first integer from which the lead no longer changes
    leader: str                # "first" or "second": which model is larger from there on

    def __str__(self) -> str:
        return _display("crossover", self)["text/plain"].strip()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _display("crossover", self)


class Sweep(list):
    """The rows of :func:`sweep` (a list of dicts), which display as a table in notebooks."""

    def __str__(self) -> str:
        return _display("sweep", self)["text/plain"].rstrip()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _display("sweep", self)


def _display(kind: str, obj) -> dict:
    from ..render.display import mimebundle
    from ..keras.tables import md_escape
    return mimebundle(kind, obj, md=md_escape)


def crossover(a, b, name: str) -> Crossover:
    """Where the first total overtakes the second (or the reverse), in the size ``name``."""
    a, b = as_expr(a), as_expr(b)
    s = _named(a.free_symbols | b.free_symbols, name)
    if s is None:
        raise ScalingError(f"neither total depends on {name!r}")
    extra = (a - b).free_symbols - {s}
    if extra:
        raise ScalingError(f"the totals also depend on {', '.join(sorted(x.name for x in extra))}; "
                           "give them values with --subs")
    diff = bounds.expand(a - b)

    def sign(v: int) -> int:
        value = substitute(diff, {name: sympy.Integer(v)})
        return int(sympy.sign(value))

    poly = polynomial(diff, s) if diff.has(s) else None
    if poly is not None and poly.degree() > bounds.MAX_FACTOR_DEGREE:
        raise ScalingError(f"the crossover in {name} needs the roots of a polynomial of degree "
                           f"{poly.degree()}; symparams finds them up to degree "
                           f"{bounds.MAX_FACTOR_DEGREE}: give other sizes values with --subs")
    roots = [r for r in poly.real_roots() if r > 0] if poly is not None else []
    # Past the last root of the smoothed difference the sign no longer changes;
    # floors can move the exact change by a few steps, so read the sign a little
    # further on and walk back to the first integer from which it stays.
    far = (int(math.floor(max(roots))) + 1 if roots else 1) + 64
    final = sign(far)
    if final == 0:
        return Crossover(name, None, "equal")
    v, steps = far, 0
    while v > 1 and sign(v - 1) == final and steps < 10_000:
        v, steps = v - 1, steps + 1
    if steps == 10_000:
        lo, hi = 1, v            # one change below: find it by bisection
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if sign(mid) == final else (mid, hi)
        v = hi if sign(lo) != final else lo
    return Crossover(name, v, "first" if final > 0 else "second")


def multiple_from(conditions, name: str) -> int:
    """What ``name`` must be a multiple of, by the conditions a file asserts: ``n_embd % n_head
    == 0`` with ``n_head`` 12 is ``Eq(Mod(n_embd, 12), 0)``, so 12 (the least common multiple
    of all such divisors; 1 when none speaks of ``name``)."""
    multiple = 1
    for c in conditions:
        if isinstance(c, sympy.Eq) and c.rhs == 0 and isinstance(c.lhs, sympy.Mod):
            x, k = c.lhs.args
            if isinstance(x, sympy.Symbol) and x.name == name and k.is_Integer and k > 0:
                multiple = math.lcm(multiple, int(k))
    return multiple


def solve_budget(total, name: str, budget, multiple: int = 1) -> int:
    """The largest integer value of ``name`` for which the total is at most ``budget``;
    with ``multiple``, the largest multiple of it (a width the head count must divide)."""
    total = as_expr(total)
    s = size_symbol(total, name)
    if multiple != 1:
        if multiple < 1:
            raise ScalingError(f"a size is solved as a multiple of a positive whole number, not {multiple}")
        # solve for k in name = multiple·k: the largest k is the largest valid name
        k = sympy.Symbol(name, integer=True, positive=True)
        scaled = bounds.expand(total.xreplace({s: multiple * k}))
        if not scaled.has(k):
            raise ScalingError(f"the total does not depend on {name!r}")
        return multiple * solve_budget(scaled, name, budget)
    others = total.free_symbols - {s}
    if others:
        raise ScalingError(f"the total also depends on {', '.join(sorted(x.name for x in others))}; "
                           "give them values with --subs")
    budget = as_expr(budget)

    def value(v: int):
        return substitute(total, {name: sympy.Integer(v)})

    smallest = value(1)
    if smallest > budget:
        raise ScalingError(f"the budget {budget} is below the smallest model: {name}=1 gives {smallest}")
    lo, hi = 1, 2
    while value(hi) <= budget:
        lo, hi = hi, hi * 2
        if hi > 2 ** 62:
            raise ScalingError(f"the total stays within the budget for every {name}")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if value(mid) <= budget:
            lo = mid
        else:
            hi = mid
    return lo


def sweep(total, name: str, values: Iterable[int], extra: Optional[Mapping[str, sympy.Expr]] = None
          ) -> Sweep:
    """The total (and any other quantities) at each value of ``name``: a list of dicts
    (a :class:`Sweep`, which notebooks show as a table)."""
    total = as_expr(total)
    size_symbol(total, name)
    rows = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
            raise ScalingError(f"sweep values of {name} must be positive, got {v!r}")
        exact = sympy.Integer(v) if isinstance(v, int) else sympy.Rational(repr(v))
        row = {name: v, "total": _number(substitute(total, {name: exact}))}
        for key, expr in (extra or {}).items():
            row[key] = _number(substitute(as_expr(expr), {name: exact}))
        rows.append(row)
    return Sweep(rows)


def grid(quantities: Mapping[str, sympy.Expr], sizes: Mapping[str, Sequence]) -> Sweep:
    """Every combination of the ``sizes``' values (``n_layer`` × ``d_model``), with each
    quantity at each: the rows of a table."""
    import itertools
    names = list(sizes)
    for name in names:
        if not any(_named(as_expr(q).free_symbols, name) for q in quantities.values()):
            free = sorted({x.name for q in quantities.values() for x in as_expr(q).free_symbols})
            raise ScalingError(f"--grid {name}: the counts do not depend on it; their free sizes are "
                               f"{', '.join(free) or 'none'}")
    rows = []
    for combo in itertools.product(*(sizes[n] for n in names)):
        values = {}
        for n, v in zip(names, combo):
            if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
                raise ScalingError(f"grid values of {n} must be positive whole numbers, got {v!r}")
            values[n] = sympy.Integer(v)
        row = dict(zip(names, combo))
        for label, q in quantities.items():
            row[label] = _number(substitute(as_expr(q), values))
        rows.append(row)
    return Sweep(rows)


def _shown(v) -> str:
    """A held size as a reader writes it: 50,257; (224, 224, 3)."""
    if isinstance(v, (tuple, list)):
        return "(" + ", ".join(_shown(x) for x in v) + ")"
    v = as_expr(v)
    return f"{int(v):,}" if v.is_Integer else str(v)


def _number(v):
    v = as_expr(v)
    return int(v) if v.is_Integer else v


def plot(series: Mapping[str, sympy.Expr], name: str, values: Sequence[int], path: str,
         title: str = "", fixed: Optional[Mapping[str, Any]] = None) -> None:
    """A log-log plot of each series against ``name``, written to PNG or SVG.

    ``fixed`` names the sizes held at a value while ``name`` varies; the plot says them
    under its title, so a figure read on its own says what it shows."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        # An SVG keeps its words as text (searchable, and read by screen readers).
        matplotlib.rcParams["svg.fonttype"] = "none"
        import matplotlib.pyplot as plt
    except ImportError:
        raise ScalingError("plotting needs matplotlib: pip install 'symparams[plot]'") from None
    if not path.lower().endswith((".png", ".svg")):
        raise ScalingError(f"{path}: a plot is written as .png or .svg")
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    for label, expr in series.items():
        ys = [float(substitute(as_expr(expr), {name: as_expr(v)})) for v in values]
        ax.loglog(values, ys, marker="o", markersize=3, label=label)
    # Label the x axis at the swept values; log-scale minor labels would overlap.
    from matplotlib.ticker import NullFormatter
    ax.set_xticks(list(values))
    ax.set_xticklabels([f"{v:,}" if isinstance(v, int) else f"{v:g}" for v in values],
                       rotation=45 if len(values) > 6 else 0)
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(name)
    ax.set_ylabel("count")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    held = ", ".join(f"{k} = {_shown(v)}" for k, v in (fixed or {}).items() if k != name)
    caption = f"{name} varies" + (f"; held: {held}" if held else "")
    import textwrap
    caption = textwrap.fill(caption, 90)
    ax.set_title(f"{title}\n{caption}" if title else caption, fontsize=10)
    fig.tight_layout()
    try:
        fig.savefig(path)
    except OSError as exc:
        raise ScalingError(f"{path}: cannot write the plot: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
