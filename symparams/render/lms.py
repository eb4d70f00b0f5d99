"""HTML with TeX math, as learning systems show it.

Moodle's MathJax filter, Canvas and Blackboard typeset TeX written between ``\\(`` ``\\)``
(inline) and ``\\[`` ``\\]`` (display) inside the question's HTML; they do not all keep
MathML through their editors. :class:`LmsFmt` gives the HTML templates
(``templates/html/blocks.html.j2``, ``templates/exam/*.html.j2``) that mix: text and
names escaped for HTML, math printed as LaTeX and escaped once more, since a browser
reads ``&`` and ``<`` inside it as HTML before MathJax sees it.
"""

from __future__ import annotations

from typing import Mapping, Optional

from .printers import html_escape
from . import Fmt


def _html_table(header: list, rows: list, align: str) -> str:
    head = "".join(f'<th style="text-align:{"right" if a == "r" else "left"}">{html_escape(h)}</th>'
                   for h, a in zip(header, align))
    body = "\n".join("<tr>" + "".join(f'<td style="text-align:{"right" if a == "r" else "left"}">{c}</td>'
                                      for c, a in zip(r, align)) + "</tr>" for r in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


class LmsFmt(Fmt):
    """HTML text with TeX math in ``\\( \\)`` and ``\\[ \\]``."""

    def __init__(self, names: Mapping[str, str], thousands: str = ",",
                 text_names: Optional[Mapping[str, str]] = None):
        super().__init__("markdown", names, thousands, text_names=text_names)
        self.format = "lms"

    def _wrap(self, body: str) -> str:
        # MathJax, unlike LaTeX and KaTeX, has no \allowbreak: it would print the macro's name.
        return "\\(" + html_escape(body.replace("\\allowbreak ", "").replace("\\allowbreak", "")) + "\\)"

    def display(self, lines) -> str:
        body = " \\\\\n".join(lines).replace("\\allowbreak ", "").replace("\\allowbreak", "")
        return "<p>\\[\\begin{aligned}\n" + html_escape(body) + "\n\\end{aligned}\\]</p>"

    def times(self, sizes) -> str:
        return self._wrap(r" \times ".join(self.math(s) for s in sizes))

    def greek(self, letter: str) -> str:
        return self._wrap("\\" + letter)

    def text(self, s) -> str:
        return html_escape(str(s))

    def code(self, s) -> str:
        return f"<code>{html_escape(str(s))}</code>"

    def link(self, name: str) -> str:
        return self.code(name)

    def table(self, header: list, rows: list, align: str) -> str:
        return _html_table(header, rows, align)

    def bytes(self, value) -> str:
        return html_escape(super().bytes(value).replace("~B", " B"))
