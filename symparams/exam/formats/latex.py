"""LaTeX: the ``exam`` class, a student sheet and an answer key from one template."""

from __future__ import annotations

from ..context import Context


def latex(ctx: Context, key: bool) -> str:
    """The LaTeX sheet (templates/exam/exam.tex.j2), the answer key with ``key``."""
    return ctx.render("exam/exam.tex.j2", key=key)
