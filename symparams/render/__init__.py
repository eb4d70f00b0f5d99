"""Render derivations through the jinja2 templates in ``templates/``.

Formats: ``latex`` (profiles ``notebook`` — ``$$\\begin{aligned}…$$`` blocks that
KaTeX and MathJax render — and ``document`` — ``align`` environments, optional
numbering, ``standalone`` documents), ``markdown`` (``$…$``/``$$…$$`` for GitHub,
Jupyter and MkDocs) and ``text`` (Unicode). Templates use LaTeX-safe delimiters:
``((* block *))``, ``((( expression )))``, ``((= comment =))``.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Mapping, Optional

import sympy

from ..errors import SymparamsError
from ..parse import as_expr
from ..units import scaled
from .printers import LatexPrinter, MathMLPrinter, TextPrinter, html_escape, latex_escape

FORMATS = ("latex", "markdown", "text", "html")
PROFILES = ("notebook", "document")
ENTRY = {
    ("latex", "notebook"): "latex/notebook.tex.j2",
    ("latex", "document"): "latex/document.tex.j2",
    ("markdown", None): "markdown/derivation.md.j2",
    ("text", None): "text/derivation.txt.j2",
    ("html", None): "html/derivation.html.j2",
}
STANDALONE = "latex/standalone.tex.j2"
# A copy of templates/ made before the HTML page still renders the other formats; for
# HTML, a missing html/ template is named when it is needed.
REQUIRED = ("prose.j2", "symbols.json", *{v for k, v in ENTRY.items() if k[0] != "html"}, STANDALONE,
            "latex/blocks.tex.j2", "markdown/blocks.md.j2")


class TemplateError(SymparamsError):
    pass


def default_templates() -> Path:
    """The templates shipped with symparams (inside the package when installed)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "prose.j2").is_file():
            return candidate
    raise TemplateError("the symparams templates are missing from this installation")


def check_templates(directory: Path) -> None:
    if not directory.is_dir():
        raise TemplateError(f"{directory}: no such template directory")
    for rel in REQUIRED:
        if not (directory / rel).is_file():
            raise TemplateError(f"{directory}: missing template {rel} "
                                f"(copy it from {default_templates() / rel})")


def load_names(directory: Path, fmt: str) -> dict[str, str]:
    path = directory / "symbols.json"
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TemplateError(f"{path}: cannot read it as JSON: {exc}") from None
    # MathML spells names from their plain-text form (C_in → C with the subscript in)
    key = "latex" if fmt in ("latex", "markdown") else "text"
    return {name: spec[key] for name, spec in table.items() if isinstance(spec, dict) and key in spec}


class Fmt:
    """What templates use to print math, names and numbers in their format."""

    def __init__(self, fmt: str, names: Mapping[str, str], thousands: str, width: int = 64,
                 text_names: Optional[Mapping[str, str]] = None, profile: str = "document"):
        self.format = fmt
        #: LaTeX for notebooks (KaTeX/MathJax: tables are math arrays) or for documents
        self.profile = profile
        self.latex = fmt in ("latex", "markdown")
        #: HTML with MathML Core math, which browsers render without a script
        self.html = fmt == "html"
        printer_cls = LatexPrinter if self.latex else MathMLPrinter if self.html else TextPrinter
        self.p = printer_cls(names, thousands)
        self.width = width
        # Line widths are judged on the plain-text spelling of each piece.
        self._text = TextPrinter(text_names if text_names is not None else names, thousands)

    # ---- math -----------------------------------------------------------
    def math(self, x) -> str:
        return self.p.doprint(x)

    def inline(self, x) -> str:
        return self._wrap(self.math(x))

    def _wrap(self, body: str) -> str:
        """Inline math in the format: ``$…$``, a ``<math>`` element, or the text itself."""
        if self.latex:
            return f"${body}$"
        if self.html:
            return f"<math>{body}</math>"
        return body

    def name(self, key: str) -> str:
        return self.p.name(key)

    def eq(self, key: str, value) -> str:
        """``C_in = 32`` as inline math; a size that is its own name is just the name
        (``V``, not ``V = V``), so a sentence can still say where it comes from."""
        name, shown = self.p.name(key), self.math(value)
        body = name if shown == name else f"{name}{self._equals}{shown}"
        return self._wrap(body)

    def binding(self, name: str, value) -> str:
        """A size the user bound, ``d_model = 768``, as inline math."""
        body = f"{self.p.symbol(name)}{self._equals}{self.math(value)}"
        return self._wrap(body)

    def shape(self, shape) -> str:
        return self._wrap(self.p.shape(shape))

    def shapes(self, shapes) -> str:
        return ", ".join(self.shape(s) for s in shapes)

    def answer(self, value) -> str:
        """An exam answer: a count, a shape, a decimal (to two places) or a layer's name."""
        from fractions import Fraction
        if isinstance(value, tuple):
            return self.shape(value)
        if isinstance(value, str):
            return self.code(value)
        if isinstance(value, Fraction):
            text = f"{float(value):,.2f}"
            if self.latex:
                return self._wrap(text.replace(",", "{,}"))
            return self._wrap(f"<mn>{text}</mn>") if self.html else self._wrap(text)
        return self.n(value)

    def times(self, sizes) -> str:
        """A kernel's extent: ``5×5``."""
        if self.latex:
            return "$" + r" \times ".join(self.math(s) for s in sizes) + "$"
        if self.html:
            return self._wrap("<mo>×</mo>".join(self.math(s) for s in sizes))
        return "×".join(self.math(s) for s in sizes)

    def greek(self, letter: str) -> str:
        if self.latex:
            return f"$\\{letter}$"
        if self.html:
            return self._wrap(self.p.symbol(letter))
        return {"gamma": "γ", "beta": "β", "alpha": "α"}.get(letter, letter)

    def n(self, value) -> str:
        return self.inline(as_expr(value))

    def signed(self, value) -> str:
        """A difference: ``+512``, ``−256``, ``0`` (a symbolic one as it is)."""
        value = sympy.expand(as_expr(value))
        if value.is_number and value > 0:
            return "+" + self.n(value)
        if value.is_number and value < 0:
            if self.html:
                return self._wrap("<mo>−</mo>" + self.math(-value))
            return ("−" if not self.latex else "-") + self.n(-value)
        return self.n(value)

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
                # nothing to work out: the expression alone
                return [self._row("", None, left) if self.html else left if not self.latex else f"&{left}"]
            if left_width > self.width and steps:
                # The formula itself is too wide: it becomes the first step after its own name-less start.
                steps.insert(0, (first, left, left_width))
                left, left_width = "", 0
        # Typeset, a LaTeX name (d_model in italics) is wider than its letters: keep a margin.
        budget = self.width - 8 if self.latex else self.width
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
        out = []
        pad = " " * left_width
        for i, (op, items) in enumerate(r for r in rows if r[1]):
            body = self._equals.join(items)
            if self.html:
                out.append(self._row(left if i == 0 and op is None else "", op,
                                     body if op is not None or (i == 0 and not left) else self._equals + body))
            elif self.latex:
                if op is not None:
                    out.append(f"&\\quad {op} {body}")
                elif i == 0:
                    out.append(f"{left} &= {body}" if left else f"&{body}")
                else:
                    out.append(f"&= {body}")
            elif op is not None:
                out.append(f"{pad}     {op} {body}")
            elif i == 0:
                out.append(f"{left} = {body}" if left else body)
            else:
                out.append(f"{pad} = {body}")
        return out

    def axes(self, worked_axes) -> list[str]:
        """The output-size working of every axis, as one list of equation lines."""
        return [line for a in worked_axes for line in self.equation(a.working, a.label)]

    def display(self, lines) -> str:
        """Equation lines (from :meth:`equation` or :meth:`chain`) as one displayed block."""
        lines = list(lines)
        if self.html:
            return '<math display="block" class="working"><mtable>\n' + "\n".join(lines) + "\n</mtable></math>"
        if self.latex:
            return "$$\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n$$"
        return "\n".join(lines)

    @property
    def _equals(self) -> str:
        return "<mo>=</mo>" if self.html else " = "

    def _row(self, left: str, op: Optional[str], body: str) -> str:
        """One line of a MathML equation: the name in the first cell, the working in the
        second (a continuation indented and led by its operator)."""
        if op is not None:
            body = f'<mspace width="1em"></mspace><mo form="prefix">{op}</mo>{body}'
        return f"<mtr><mtd>{left}</mtd><mtd>{body}</mtd></mtr>"

    def _bracketed(self, inner: list, op: str) -> list:
        """A long sum's terms, to go on lines of their own, inside brackets that need no
        partner on the same line (``\\bigl(`` … ``\\bigr)``); ``op`` joins it to what precedes."""
        opening, closing = (r"\bigl(", r"\bigr)") if self.latex else \
            ("<mo>(</mo>", "<mo>)</mo>") if self.html else ("(", ")")
        out = list(inner)
        out[0] = (op, opening + out[0][1], out[0][2] + 1)
        out[-1] = (out[-1][0], out[-1][1] + closing, out[-1][2] + 1)
        return out

    def split(self, piece) -> list[tuple[str, str, int]]:
        """A step's outermost terms or factors: ``[(operator before it, text, plain width)]``.

        Empty when the step is not a sum or a product (it then stays whole).
        """
        from ..formula import Group, Num, Product, Sum
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
        from ..formula import Num
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
        from ..formula import Num
        from types import SimpleNamespace
        return self.equation(SimpleNamespace(formula=None, lines=[Num(as_expr(v)) for v in values]), lhs)

    # ---- tables ---------------------------------------------------------------
    def layer_rows(self, layers, trainable: bool = True) -> list[list[str]]:
        """The totals table's rows: each layer with parameters, then the rest counted in one row.

        Without ``trainable`` (every parameter is) the trainable column is left out.
        """
        rows = self._layer_rows(layers)
        return rows if trainable else [r[:-1] for r in rows]

    def _layer_rows(self, layers) -> list[list[str]]:
        in_math = self.format == "latex" and self.profile == "notebook"
        rows, others = [], 0
        for l in layers:
            if l.params == 0:
                others += 1
                continue
            if getattr(l, "is_repeat", False):
                rows.append(self._repeat_row(l, in_math))
                continue
            if in_math:
                rows.append([r"\texttt{%s}" % latex_escape(l.name), r"\text{%s}" % latex_escape(l.type),
                             ", ".join(self.p.shape(s) for s in l.output_shapes),
                             self.math(l.params), self.math(l.trainable)])
            else:
                # \hspace{0pt} lets TeX hyphenate a cell's first word (GroupedQuery-Attention).
                kind = r"\hspace{0pt}" + self.text(l.type) if self.format == "latex" else self.text(l.type)
                rows.append([self.link(l.name), kind, self.shapes(l.output_shapes),
                             self.n(l.params), self.n(l.trainable)])
        if others:
            label = f"{others} other layer{'s' if others > 1 else ''}, no parameters"
            rows.append([r"\text{%s}" % label if in_math else self.text(label), "", "",
                         self.math(0) if in_math else self.n(0), self.math(0) if in_math else self.n(0)])
        return rows

    def _repeat_row(self, r, in_math: bool) -> list[str]:
        """Copies of a repeated block in one row: their span, how many, their count."""
        n = len(r.copies)
        span = f"{r.copies[0][0]} … {r.copies[-1][1]}"
        kind = f"{n} × block" if n > 1 else "block"
        if in_math:
            return [r"\texttt{%s}" % latex_escape(span).replace("…", r"}\ldots\texttt{"),
                    r"\text{%s}" % latex_escape(kind).replace("×", r"$\times$"),
                    ", ".join(self.p.shape(s) for s in r.output_shapes),
                    self.math(r.params), self.math(r.trainable)]
        if self.format == "latex":
            name = self.code(r.copies[0][0]) + r" \ldots{} " + self.code(r.copies[-1][1])
            kind = self.text(f"{n} ") + r"$\times$ block" if n > 1 else "block"
        else:
            name, kind = self.code(r.copies[0][0]) + " … " + self.code(r.copies[-1][1]), self.text(kind)
        return [name, kind, self.shapes(r.output_shapes), self.n(r.params), self.n(r.trainable)]

    def weight_rows(self, weights) -> list[list[str]]:
        """A weight check's rows: name, shape, and the count its shape multiplies to."""
        in_math = self.format == "latex" and self.profile == "notebook"
        rows = []
        for w in weights:
            name = w.name + ("" if w.trainable else " (not trainable)")
            if in_math:
                rows.append([r"\texttt{%s}" % latex_escape(name), self.p.shape(w.shape),
                             self.math(w.working.value)])
            else:
                rows.append([self.code(name), self.shape(w.shape), self.n(w.working.value)])
        return rows

    def table(self, header: list, rows: list, align: str) -> str:
        """A table in the format: aligned text, a Markdown pipe table, a LaTeX longtable
        (documents) or a math array (notebooks, which KaTeX renders)."""
        if self.format == "text":
            widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

            def line(cells):
                return "  ".join(str(c).rjust(w) if a == "r" else str(c).ljust(w)
                                 for c, w, a in zip(cells, widths, align)).rstrip()
            return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])
        if self.html:
            def cls(a):
                return f'class="{"num" if a == "r" else "txt"}"'
            return html_table(header, rows, align, lambda a: f'scope="col" {cls(a)}', cls)
        if self.format == "markdown":
            rule = "|" + "|".join(" ---: " if a == "r" else " --- " for a in align) + "|"
            return "\n".join(["| " + " | ".join(header) + " |", rule,
                              *("| " + " | ".join(r) + " |" for r in rows)])
        if self.profile == "notebook":
            head = " & ".join(r"\textbf{%s}" % latex_escape(h) for h in header)
            body = " \\\\\n".join(" & ".join(r) for r in rows)
            return "$$\n\\begin{array}{%s}\n%s \\\\ \\hline\n%s\n\\end{array}\n$$" % (align, head, body)
        head = " & ".join(r"\textbf{%s}" % latex_escape(h) for h in header)
        body = " \\\\\n".join(" & ".join(r) for r in rows)
        # Paragraph columns that share the line's width, so a long symbolic count wraps
        # (at + and ·) inside its cell instead of running off the page.
        shares = _column_shares(header, rows)
        columns = "".join(
            r">{\%s\arraybackslash}p{\dimexpr %.3f\linewidth-2\tabcolsep\relax}"
            % ("raggedleft" if a == "r" else "raggedright", share) for a, share in zip(align, shares))
        return ("{\\small\n\\begin{longtable}{@{}%s@{}}\n%s \\\\ \\hline\n\\endhead\n%s \\\\\n"
                "\\end{longtable}}" % (columns, head, body))

    # ---- text ---------------------------------------------------------------
    def text(self, s) -> str:
        s = str(s)
        if self.format == "latex":
            return latex_escape(s)
        if self.format == "markdown":
            return "".join("\\" + c if c in "\\`*_{}[]<>#|" else c for c in s)
        if self.html:
            return html_escape(s)
        return s

    def code(self, s) -> str:
        """A layer or model name."""
        s = str(s)
        if self.format == "latex":
            escaped = latex_escape(s)
            if self.profile == "document":
                # Long names may break after _, / and . (conv5_block3_3_bn, query/kernel,
                # PyTorch's layer1.0.conv1).
                escaped = escaped.replace(r"\_", r"\_\allowbreak{}").replace("/", r"/\allowbreak{}") \
                    .replace(".", r".\allowbreak{}")
            return r"\texttt{%s}" % escaped
        if self.format == "markdown":
            return "`" + s.replace("`", "'") + "`"
        if self.html:
            return f"<code>{html_escape(s)}</code>"
        return s

    def bytes(self, value) -> str:
        value = as_expr(value)
        if not value.is_number:
            return self.inline(value) + (r"~B" if self.latex else " B")
        size, unit = scaled(float(value))
        return f"{size:.2f} {unit}"

    def anchor(self, name: str) -> str:
        """The HTML id of a layer's derivation, which the diagram and the table link to."""
        return anchor(name)

    def link(self, name: str) -> str:
        """A layer's name; in HTML, a link to its derivation."""
        if self.html:
            return f'<a href="#{anchor(name)}">{self.code(name)}</a>'
        return self.code(name)

    def label(self, name: str) -> str:
        """A LaTeX label for a layer's equation."""
        import re
        return "eq:" + re.sub(r"[^A-Za-z0-9:.-]", "-", str(name))

    def groups(self, sizes) -> list:
        """Consecutive sizes with the same origin, so a sentence can name it once."""
        out: list = []
        for s in sizes:
            key = (s.kind, s.argument, s.from_layer, s.input_index if hasattr(s, "input_index") else 0)
            if out and out[-1][0] == key and s.kind == "argument":
                out[-1][1].append(s)
            else:
                out.append((key, [s]))
        return [members for _, members in out]

    def sci(self, value: float) -> str:
        """A large measured number in scientific notation, three figures: 1.00 × 10²¹."""
        mantissa, exponent = f"{float(value):.2e}".split("e")
        power = int(exponent)
        if self.latex:
            return f"{mantissa} \\times 10^{{{power}}}"
        if self.html:
            return f"<mn>{mantissa}</mn><mo>×</mo><msup><mn>10</mn><mn>{power}</mn></msup>"
        return f"{mantissa} × 10^{power}"

    def is_number(self, value) -> bool:
        return as_expr(value).is_number



def html_table(header: list, rows: list, align: str, head_attrs, cell_attrs) -> str:
    """An HTML table; ``head_attrs(a)`` and ``cell_attrs(a)`` give a column's attributes from
    its alignment (``r`` or ``l``): classes for the page's style sheet, inline styles where a
    learning system keeps no style sheet."""
    head = "".join(f"<th {head_attrs(a)}>{html_escape(h)}</th>" for h, a in zip(header, align))
    body = "\n".join("<tr>" + "".join(f"<td {cell_attrs(a)}>{c}</td>" for c, a in zip(r, align)) + "</tr>"
                     for r in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def anchor(name: str) -> str:
    """``layer-`` and the name with anything but letters, digits, ``-``, ``_`` and ``.``
    spelled as ``-XX-`` (its code point), so two names never share an id."""
    return "layer-" + re.sub(r"[^A-Za-z0-9_.-]", lambda m: "-%x-" % ord(m.group()), str(name))


#: how a table's columns share the line (layer tables: 5 columns; weight checks: 3)
def _column_shares(header: list, rows: list) -> list[float]:
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


def _environment(directory: Path):
    import jinja2
    from .sandbox import Sandbox

    return Sandbox(
        loader=jinja2.FileSystemLoader(str(directory)),
        block_start_string="((*", block_end_string="*))",
        variable_start_string="(((", variable_end_string=")))",
        comment_start_string="((=", comment_end_string="=))",
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined, autoescape=False,
        # An environment serves one run: a template is read once, not checked on disk
        # again at every render (1,000 exam versions render thousands of times).
        auto_reload=False,
    )


def render(derivation, format: str = "latex", profile: str = "notebook", standalone: bool = False,
           numbered: bool = False, templates: Optional[str] = None, thousands: str = ",",
           names: Optional[Mapping[str, str]] = None, width: int = 64) -> str:
    """Render a :class:`~symparams.derivation.Derivation` in a format."""
    if format not in FORMATS:
        raise TemplateError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    if format == "latex" and (standalone or numbered):
        profile = "document"
    if profile not in PROFILES:
        raise TemplateError(f"unknown profile {profile!r}; use notebook or document")
    directory = Path(templates) if templates else default_templates()
    check_templates(directory)
    table = {**load_names(directory, format), **(names or {})}
    fmt = Fmt(format, table, thousands, width, text_names=load_names(directory, "text"),
              profile=profile if format == "latex" else "document")
    entry = ENTRY[(format, profile if format == "latex" else None)]
    env = _environment(directory)
    context = {"d": derivation, "fmt": fmt, "numbered": numbered}
    body = render_template(env, directory, entry, context)
    if standalone:
        body = render_template(env, directory, STANDALONE, {**context, "body": body})
    return body


def render_template(env, directory: Path, name: str, context: Mapping) -> str:
    """One template rendered, its failures (a teacher's edits, say) turned into one line."""
    with _one_line(directory, name):
        return env.get_template(name).render(context)


def template_macro(env, directory: Path, name: str, macro: str, context: Mapping):
    """The macro ``macro`` of template ``name`` made with ``context``, as a function whose
    failures are one line like :func:`render_template`'s; None if the template has no such
    macro (a copy made before it had one)."""
    with _one_line(directory, name):
        found = getattr(env.get_template(name).make_module(dict(context)), macro, None)
    if found is None:
        return None

    def call(*args):
        with _one_line(directory, name):
            return str(found(*args))
    return call


@contextmanager
def _one_line(directory: Path, name: str):
    import jinja2

    try:
        yield
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"{directory}: missing template {exc.name} "
                            f"(copy it from {default_templates() / exc.name})") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.exceptions.SecurityError:
        raise TemplateError(f"{directory / name}: the template reaches for Python internals "
                            "(an attribute starting with _), which templates may not use") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{directory / name}: template failed: {exc}") from None
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise TemplateError(f"{directory / name}: template failed: {type(exc).__name__}: {exc}") from None


def render_study(study, format: str = "text", templates: Optional[str] = None, thousands: str = ",") -> str:
    """The scaling papers' arithmetic (:class:`~symparams.configs.arithmetic.Study`) as text or
    Markdown, from ``study/study.txt.j2`` or ``study/study.md.j2``."""
    if format not in ("text", "markdown"):
        raise TemplateError(f"unknown format {format!r} for the arithmetic; use text, markdown or json")
    directory = Path(templates) if templates else default_templates()
    fmt = Fmt(format, load_names(directory, format), thousands)
    name = "study/study.txt.j2" if format == "text" else "study/study.md.j2"
    return render_template(_environment(directory), directory, name, {"st": study, "fmt": fmt})


def render_comparison(comparison, templates: Optional[str] = None, thousands: str = ",",
                      fields: Optional[dict] = None) -> str:
    """A :class:`~symparams.compare.Comparison` as text, from ``compare/compare.txt.j2``;
    ``fields``: for two config files, their names and the fields that differ
    (:func:`symparams.configs.reader.field_differences`)."""
    directory = Path(templates) if templates else default_templates()
    fmt = Fmt("text", load_names(directory, "text"), thousands)
    return render_template(_environment(directory), directory, "compare/compare.txt.j2",
                           {"c": comparison, "fmt": fmt, "fields": fields})
