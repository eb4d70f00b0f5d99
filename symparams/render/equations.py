"""Working broken into lines that fit the page: at ``=``, and a step too wide for one line
again at its outermost ``+`` or ``·``, in every format.

:class:`EquationLines` is that part of :class:`~symparams.render.fmt.Fmt`: it reads the
format's printers (``p``, and ``_text`` for widths), ``width``, and how the format spells
a line (``_equation_line``, ``_equals``, ``_brackets``, ``_name_margin``).
"""

from __future__ import annotations

from typing import Optional

import sympy

from ..core.parse import as_expr
from .printers import TextPrinter


class EquationLines:
    """A formatter's equations: :meth:`equation`, :meth:`axes`, :meth:`chain` and :meth:`wrapped`."""

    def equation(self, working, lhs: Optional[str] = None, lhs_is_name: bool = True) -> list[str]:
        """The working as lines that fit the page: broken at ``=``, and a step too wide
        for one line broken again at its outermost ``+`` or ``·``.

        LaTeX lines carry the ``&=`` alignment marks (a continuation starts
        ``&\\quad +``), which both pdflatex's ``align`` and KaTeX's ``aligned``
        accept; text lines are padded so the ``=`` signs line up.
        """
        pieces = []
        if working.formula is not None:
            pieces.append(working.formula)
        pieces.extend(working.lines)
        steps, shown = [], []
        for p in pieces:
            text = self.math(p)
            # A step that changes nothing a reader can see (129·n evaluated to
            # 129·n) is not shown twice.
            if shown and text == shown[-1]:
                continue
            shown.append(text)
            steps.append((p, text, len(self._text.doprint(p))))
        if lhs is not None:
            left = self.p.name(lhs) if lhs_is_name else lhs
            left_width = len(self._text.name(lhs)) if lhs_is_name else len(lhs)
        else:
            first, left, left_width = steps.pop(0)
            if not steps:
                # nothing to work out: the expression alone, as a first line without a name
                return [self._equation_line(0, None, left, "", "")]
            if left_width > self.width and steps:
                # The formula itself is too wide: it becomes the first step after its own name-less start.
                steps.insert(0, (first, left, left_width))
                left, left_width = "", 0
        # Typeset, a LaTeX name (d_model in italics) is wider than its letters: keep a margin.
        budget = self.width - self._name_margin
        room = max(budget - left_width - 3, 16)
        # Each row: (the operator a continuation starts with, or None for a step row; its texts).
        rows: list[tuple[Optional[str], list[str]]] = [(None, [])]
        used = 0
        for piece, text, w in steps:
            parts = self.split(piece) if w > room else []
            if parts:
                lines = _pack(parts, room, self.p)
                if rows[-1][1]:
                    rows.append((None, []))
                rows[-1][1].append(lines[0])
                rows.extend((op, [line]) for op, line in lines[1:])
                rows.append((None, []))
                used = 0
                continue
            if rows[-1][1] and used + 3 + w > room + 3:
                rows.append((None, []))
                used = 0
            rows[-1][1].append(text)
            used += 3 + w
        pad = " " * left_width
        return [self._equation_line(i, op, self._equals.join(items), left, pad)
                for i, (op, items) in enumerate(r for r in rows if r[1])]

    def axes(self, worked_axes) -> list[str]:
        """The output-size working of every axis, as one list of equation lines."""
        return [line for a in worked_axes for line in self.equation(a.working, a.label)]

    def _bracketed(self, inner: list, op: str) -> list:
        """A long sum's terms, to go on lines of their own, inside brackets that need no
        partner on the same line (``\\bigl(`` … ``\\bigr)``); ``op`` joins it to what precedes."""
        opening, closing = self._brackets
        out = list(inner)
        out[0] = (op, opening + out[0][1], out[0][2] + 1)
        out[-1] = (out[-1][0], out[-1][1] + closing, out[-1][2] + 1)
        return out

    def split(self, piece) -> list[tuple[str, str, int]]:
        """A step's outermost terms or factors: ``[(operator before it, text, plain width)]``.

        Empty when the step is not a sum or a product (it then stays whole).
        """
        from ..core.formula import Group, Num, Product, Sum
        from .printers import PRODUCT, SUM, precedence

        if isinstance(piece, Group):
            return self.split(piece.arg)
        if isinstance(piece, Sum):
            parts = []
            for t in piece.terms:
                text, width = self.p.group(t, SUM), len(self._text.group(t, SUM))
                inner = self.split(t) if width > self.width // 2 else []
                if inner and all(op in "+-" for op, _, _ in inner[1:]):
                    parts.extend(self._bracketed(inner, "+"))
                else:
                    parts.append(("+", text, width))
            return parts
        if isinstance(piece, Product):
            parts = []
            for t in piece.factors:
                text, width = self.p.group(t, PRODUCT), len(self._text.group(t, PRODUCT))
                inner = self.split(t) if width > self.width // 2 and precedence(t) < PRODUCT else []
                if inner and all(op in "+-" for op, _, _ in inner[1:]):
                    parts.extend(self._bracketed(inner, "*"))
                else:
                    parts.append(("*", text, width))
            return parts
        if isinstance(piece, Num) and isinstance(piece.value, sympy.Add):
            parts = []
            for term in piece.value.as_ordered_terms():
                negative = term.could_extract_minus_sign()
                shown = -term if negative else term
                parts.append(("-" if negative else "+", self.p.value(shown), len(self._text.value(shown))))
            return parts
        return []

    def wrapped(self, value, width: int = 34) -> list[str]:
        """A count as lines of at most about ``width`` characters, broken before its
        outermost ``+`` (a diagram's box holds a long symbolic count this way)."""
        from ..core.formula import Num
        piece = Num(as_expr(value))
        text = self.math(piece)
        if len(self._text.doprint(piece)) <= width:
            return [text]
        parts = self.split(piece)
        if not parts:
            return [text]
        lines = _pack(parts, width, self.p)
        return [lines[0]] + [f"{op} {line}" for op, line in lines[1:]]

    def chain(self, lhs: str, values) -> list[str]:
        """``lhs = v1 = v2`` as equation lines (the expanded and factored totals)."""
        from ..core.formula import Num
        from types import SimpleNamespace
        return self.equation(SimpleNamespace(formula=None, lines=[Num(as_expr(v)) for v in values]), lhs)


def _pack(parts: list, room: int, printer) -> list:
    """Terms or factors packed into lines of at most ``room`` plain characters.

    The first line is its text; each later line is ``(leading operator, text)``.
    """
    lines: list = []
    text, used, lead = "", 0, None
    for i, (op, part, w) in enumerate(parts):
        width = len(TextPrinter.JOIN[op])
        if i and used + width + w > room:
            lines.append(text if not lines else (lead, text))
            text, used, lead = part, w, printer.LEAD[op]
            continue
        text = text + printer.JOIN[op] + part if i else part
        used += width + w if i else w
    lines.append(text if not lines else (lead, text))
    return lines
