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


def unused_message(unused, free) -> str:
    """What to say of ``--subs`` names the file never uses: the closest of its free sizes
    for a misspelt one (``widht`` → ``width``), else the free sizes it has."""
    import difflib

    names = sorted(unused)
    text = f"--subs {', '.join(names)}: the file never uses {'this name' if len(names) == 1 else 'these names'}"
    guesses = [g for n in names for g in difflib.get_close_matches(n, sorted(free), n=1, cutoff=0.6)]
    if len(guesses) == len(names):
        return text + f"; did you mean {', '.join(guesses)}?"
    if free:
        return text + f"; its free sizes are {', '.join(sorted(free))}"
    return text + " (every size in it has a value; --symbolic NAMES frees a setting)"
