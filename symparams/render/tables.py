"""Tables' markup that more than one format writes: an HTML table (the page's, and a
learning system's with inline styles), and a LaTeX longtable's column widths."""

from __future__ import annotations

import re

from .printers import html_escape


def html_table(header: list, rows: list, align: str, head_attrs, cell_attrs) -> str:
    """An HTML table; ``head_attrs(a)`` and ``cell_attrs(a)`` give a column's attributes from
    its alignment (``r`` or ``l``): classes for the page's style sheet, inline styles where a
    learning system keeps no style sheet."""
    head = "".join(f"<th {head_attrs(a)}>{html_escape(h)}</th>" for h, a in zip(header, align))
    body = "\n".join("<tr>" + "".join(f"<td {cell_attrs(a)}>{c}</td>" for c, a in zip(r, align)) + "</tr>"
                     for r in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


#: how a table's columns share the line (layer tables: 5 columns; weight checks: 3)
def column_shares(header: list, rows: list) -> list[float]:
    """Each column's share of the line, from its widest cell as printed (an estimate in
    points at \\small: code font and the bold header are wider than text). Columns that fit
    get their width; when they do not all fit, the narrow ones keep theirs and the wide ones
    share the rest, wrapping inside their cells."""
    line, gap = 470.0, 12.0         # an A4 line at 2.2 cm margins; two \\tabcolsep

    def printed(cell: str, per_char: float) -> float:
        # A cell that may wrap at an ellipsis (a span of layers) needs only its wider half.
        return max(one_line(part, per_char) for part in str(cell).split(r"\ldots"))

    def one_line(cell: str, per_char: float) -> float:
        text = re.sub(r"\\hspace\{[^}]*\}|\\allowbreak(\{\})?", "", str(cell))
        code, math = r"\texttt" in text, "$" in text
        if code:
            per_char = max(per_char, 5.25)
        elif math:
            per_char = min(per_char, 4.3)     # digits, with thin spaces after commas
        text = re.sub(r"\\[A-Za-z]+\*?", "", text.replace(r"\_", "_")).replace("{", "").replace("}", "")
        # Words (a note such as "38 other layers, no parameters") wrap at their spaces.
        longest = len(text) if code or math else max(len(w) for w in text.split() or [""])
        return longest * per_char + gap
    natural = [max([printed(column[0], 6.2)] + [printed(c, 5.2) for c in column[1:]])
               for column in zip(header, *rows)]
    if sum(natural) <= line:
        spare = (line - sum(natural)) / len(natural)
        return [round((n + spare) / line, 3) for n in natural]
    fair = line / len(natural)
    narrow = [n if n <= fair else None for n in natural]
    rest = line - sum(n for n in narrow if n is not None)
    wide = sum(n for n in natural if n > fair)
    return [round((n if n is not None else rest * natural[i] / wide) / line, 3)
            for i, n in enumerate(narrow)]
