"""The Markdown sheet: every version with its worked solutions folded away, or the answer key."""

from __future__ import annotations

from ..context import Context


def markdown(ctx: Context, key: bool) -> str:
    """The Markdown sheet (templates/exam/exam.md.j2): each version written by its ``version``
    macro (across processes), then the sheet around them."""
    if ctx.macro("exam/exam.md.j2", "version", key=key) is None:
        return ctx.render("exam/exam.md.j2", key=key, written=None)   # a copy of the template without it
    written = ctx.each_version(lambda c, v: c.macro("exam/exam.md.j2", "version", key=key)(v))
    return ctx.render("exam/exam.md.j2", key=key, written=written)
