"""Sizes as JSON: the number contract of ``--format json``.

A size is a JSON integer when it is a number, else a string that
``symparams.parse.parse_text`` (or ``sympy.sympify``, in the reader's own
program) reads back to the same expression; an unknown size is ``null``.
"""

from __future__ import annotations

from .parse import as_expr


def json_size(value):
    """A JSON integer for a number, else a string ``sympy.sympify`` reads back; ``null`` if unknown."""
    if value is None:
        return None
    if isinstance(value, (int, bool)):
        return value
    value = as_expr(value)
    if value.is_Integer:
        return int(value)
    return str(value)
