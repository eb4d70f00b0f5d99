"""What the learning systems' formats (Moodle XML, GIFT, Canvas, QTI) fill the same way: a
question's title and points, text escaped for HTML, and the grade fractions Moodle accepts
(GIFT is Moodle's format too)."""

from __future__ import annotations

import html

from ..context import Context
from ..draw import Variant


def question_name(ctx: Context, v: Variant, q) -> str:
    """The title a learning system lists a question by: the spec, the version, the question."""
    return f"{ctx.spec.title} — version {v.number}, question {q.index}"


def points(q) -> str:
    """The question's points, a whole number without its ``.0``."""
    p = q.spec.points
    return str(int(p)) if float(p).is_integer() else str(p)


def html_text(text: str) -> str:
    """Text escaped for HTML (quotes kept: it is never an attribute)."""
    return html.escape(text, quote=False)


def grade_fraction(value: float) -> str:
    """A Moodle grade fraction: Moodle accepts only its own list (100, 50, 33.33333, 25, ...)."""
    return f"{value:.5f}".rstrip("0").rstrip(".")
