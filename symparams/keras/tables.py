"""Summary tables for people: a Keras-style box table and a Markdown table."""

from __future__ import annotations

import re
import unicodedata

import sympy

from .layers.base import Shape
from ..core.parse import as_expr
from ..core.units import bytes_per_param, readable_bytes, readable_count

_DIGITS = re.compile(r"(?<![\w.])(\d{4,})(?![\w.])")


def format_count(value, thousands: str = ",") -> str:
    """``51264`` as ``51,264``; a symbolic count keeps its numbers grouped too."""
    if value is None:
        return "None"
    value = as_expr(value)
    if value.is_Integer:
        return readable_count(int(value), thousands)
    text = sympy.sstr(value, order="grlex")
    return _DIGITS.sub(lambda m: f"{int(m.group(1)):,}".replace(",", thousands), text) \
        if thousands else text


def format_shape(shape: Shape) -> str:
    return "(" + ", ".join("None" if s is None else sympy.sstr(s) for s in shape) + ")"


def format_shapes(shapes) -> str:
    if len(shapes) == 1:
        return format_shape(shapes[0])
    return "[" + ", ".join(format_shape(s) for s in shapes) + "]"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def _columns(summary, thousands):
    header = ["Layer (type)", "Output Shape", "Param #"]
    if summary.connected:
        header.append("Connected to")
    body = []
    for row in summary.rows:
        cells = [f"{row.name} ({row.type})", format_shapes(row.output_shapes),
                 format_count(row.params, thousands)]
        if summary.connected:
            cells.append(", ".join(row.connections) or "-")
        body.append(cells)
    return header, body


def _totals(summary, thousands, dtype):
    per = bytes_per_param(dtype)
    return [
        ("Total params", summary.total, per),
        ("Trainable params", summary.trainable, per),
        ("Non-trainable params", summary.non_trainable, per),
    ]


def text_table(summary, thousands: str = ",", dtype: str = "float32") -> str:
    header, body = _columns(summary, thousands)
    right = [False, False, True, False]
    widths = [max(_width(c) for c in col) + 2 for col in zip(header, *body)]
    widths = [max(w, 14) for w in widths]

    def line(left, mid, right_, fill):
        return left + mid.join(fill * w for w in widths) + right_

    def cells(values, sep):
        return sep + sep.join(" " + _pad(v, w - 2, right[i]) + " "
                              for i, (v, w) in enumerate(zip(values, widths))) + sep

    out = [f'Model: "{summary.name}"', line("┏", "┳", "┓", "━"), cells(header, "┃"),
           line("┡", "╇", "┩", "━")]
    for i, row in enumerate(body):
        if i:
            out.append(line("├", "┼", "┤", "─"))
        out.append(cells(row, "│"))
    out.append(line("└", "┴", "┘", "─"))
    for label, count, per in _totals(summary, thousands, dtype):
        out.append(f" {label}: {format_count(count, thousands)} ({readable_bytes(count, per)})")
    if summary.divisible:
        out.append(f" {DIVISIBLE_NOTE}")
    return "\n".join(out)


def md_escape(text: str) -> str:
    """Text for a Markdown table cell: ``|``, ``_`` and ``*`` taken literally."""
    return text.replace("|", "\\|").replace("_", "\\_").replace("*", "\\*")


def _md_value(text: str) -> str:
    """Symbolic cells go in code spans, where ``*`` and ``_`` need no escaping."""
    if re.search(r"[A-Za-z*_]", re.sub(r"\bNone\b|\b(?:[KMGTPE]i)?B\b", "", text)):
        return "`" + text.replace("`", "'") + "`"
    return text


DIVISIBLE_NOTE = "Assumed: every floor or ceiling of a division of sizes is exact (--assume-divisible)."


def markdown_table(summary, thousands: str = ",", dtype: str = "float32") -> str:
    header, body = _columns(summary, thousands)
    align = ["---", "---", "---:", "---"][: len(header)]
    out = [f"**Model: {md_escape(summary.name)}**", "",
           "| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    for name_cell, *cells in body:
        row = [md_escape(name_cell)] + [_md_value(c).replace("|", "\\|") for c in cells]
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    for label, count, per in _totals(summary, thousands, dtype):
        out.append(f"- **{label}:** {_md_value(format_count(count, thousands))} "
                   f"({_md_value(readable_bytes(count, per))})")
    if summary.divisible:
        out.append(f"- {_md_value(DIVISIBLE_NOTE)}")
    return "\n".join(out) + "\n"


def latex_table(summary, thousands: str = ",") -> str:
    """The summary as a LaTeX ``array`` in display math, which notebooks render."""
    from ..render.printers import LatexPrinter, latex_escape

    p = LatexPrinter(thousands=thousands)
    rows = [r"\text{%s} & %s & %s" % (latex_escape(f"{r.name} ({r.type})"),
                                       ", ".join(p.shape(s) for s in r.output_shapes), p.doprint(r.params))
            for r in summary.rows]
    body = " \\\\\n".join(rows)
    return ("$$\n\\begin{array}{llr}\n\\text{Layer (type)} & \\text{Output shape} & \\text{Param \\#} \\\\ \\hline\n"
            f"{body} \\\\ \\hline\n"
            f"\\text{{Total}} & & {p.doprint(summary.total)} \\\\\n"
            f"\\text{{Trainable}} & & {p.doprint(summary.trainable)} \\\\\n"
            f"\\text{{Non-trainable}} & & {p.doprint(summary.non_trainable)}\n"
            "\\end{array}\n$$\n")
