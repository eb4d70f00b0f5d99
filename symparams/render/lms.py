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

from .fmt import TexFmt
from .printers import html_escape
from .tables import html_table


def _align(a: str) -> str:
    return f'style="text-align:{"right" if a == "r" else "left"}"'


def _tex(body: str) -> str:
    # MathJax, unlike LaTeX and KaTeX, has no \allowbreak: it would print the macro's name.
    return html_escape(body.replace("\\allowbreak ", "").replace("\\allowbreak", ""))


class LmsFmt(TexFmt):
    """HTML text with TeX math in ``\\( \\)`` and ``\\[ \\]``."""

    def __init__(self, names: Mapping[str, str], thousands: str = ",",
                 text_names: Optional[Mapping[str, str]] = None):
        super().__init__("markdown", names, thousands, text_names=text_names)
        self.format = "lms"

    def _wrap(self, body: str) -> str:
        return "\\(" + _tex(body) + "\\)"

    def display(self, lines) -> str:
        return "<p>\\[\\begin{aligned}\n" + _tex(" \\\\\n".join(lines)) + "\n\\end{aligned}\\]</p>"

    def text(self, s) -> str:
        return html_escape(str(s))

    def code(self, s) -> str:
        return f"<code>{html_escape(str(s))}</code>"

    def table(self, header: list, rows: list, align: str) -> str:
        return html_table(header, rows, align, _align, _align)

    def bytes(self, value) -> str:
        return html_escape(super().bytes(value).replace("~B", " B"))
