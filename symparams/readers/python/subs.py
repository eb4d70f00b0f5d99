"""``--subs`` values as a file's code will see them (shared by the Keras and PyTorch readers)."""

from __future__ import annotations

from ...core import bounds
from ...core.errors import SymparamsError
from ...core.parse import as_expr, parse_text


def binding_value(name: str, value):
    """A ``--subs`` value as the file will see it: int, float, bool, tuple, or a sympy expression.

    Text is parsed by :func:`symparams.parse.parse_text`, never evaluated.
    """
    what = f"--subs {name}"
    if isinstance(value, bool):
        return value  # an exam's switch, tested with ``if pool:``
    if isinstance(value, (list, tuple)):
        return tuple(binding_value(name, v) for v in value)
    if isinstance(value, str):
        value = parse_text(value, what)
        if isinstance(value, tuple):
            return tuple(binding_value(name, v) for v in value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise SymparamsError(f"{what}: {value} is not a size")
        return value
    expr = as_expr(value, what)
    bounds.check(expr, what)
    return int(expr) if expr.is_Integer else expr
