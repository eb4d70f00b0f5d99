"""An exam's answers written as text: for a reader (:func:`number`: 1,234, a shape, a name)
and for a learning system's importer (:func:`plain`: no thousands separator)."""

from __future__ import annotations

from fractions import Fraction


def number(value) -> str:
    """An answer as text: 1,234, 12.35 (a fraction to two decimals), (None, 26, 26, 32), a name."""
    if isinstance(value, tuple):
        return "(" + ", ".join("None" if v is None else str(v) for v in value) + ")"
    if isinstance(value, Fraction):
        return f"{float(value):,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def plain(value) -> str:
    """A number as an LMS reads it (no thousands separator; two decimals for a fraction)."""
    if isinstance(value, Fraction):
        return f"{float(value):.2f}"
    return str(value)
