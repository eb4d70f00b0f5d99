"""What templates print math, names, numbers and tables with: one class for each format.

:class:`Fmt` holds what every format shares (the totals table's rows, a count's bytes, and,
from :class:`~symparams.render.equations.EquationLines`, an equation broken into lines that
fit); each format's class spells it: :class:`TextFmt` (Unicode), :class:`HtmlFmt` (MathML
Core, which browsers render without a script), and :class:`TexFmt`'s TeX math, written by
:class:`LatexFmt` and :class:`MarkdownFmt` (and the learning systems'
:class:`~symparams.render.lms.LmsFmt`). ``Fmt("latex", ...)`` makes the format's class
(:data:`FORMATTERS`).
"""
from __future__ import annotations

import re
from typing import Mapping, Optional

import sympy

from ..core.parse import as_expr
from ..core.units import readable_size
from .environment import TemplateError
from .equations import EquationLines
from .printers import LatexPrinter, MathMLPrinter, TextPrinter, html_escape, latex_escape
from .tables import column_shares, html_table


class Fmt(EquationLines):
    """What templates use to print math, names and numbers in their format."""

    #: TeX math: LaTeX, Markdown and the learning systems' HTML
    latex = False
    #: HTML with MathML Core math, which browsers render without a script
    html = False
    #: the printer of the format's math
    printer_class: type = TextPrinter
    #: between an equation's steps
    _equals = " = "
    #: around a long sum whose terms go on lines of their own
    _brackets = ("(", ")")
    #: between a kernel's extents
    _times = "×"
    #: after a symbolic count of bytes
    _bytes_unit = " B"
    #: how much wider than its letters a typeset name is, in characters
    _name_margin = 0

    def __new__(cls, fmt: str = "", *args, **kwargs):
        """``Fmt(fmt, ...)`` is the format's own class (``Fmt("latex", ...)``: a :class:`LatexFmt`)."""
        if cls is Fmt:
            if fmt not in FORMATTERS:
                raise TemplateError(f"unknown format {fmt!r}; use one of {', '.join(FORMATTERS)}")
            cls = FORMATTERS[fmt]
        return super().__new__(cls)

    def __init__(self, fmt: str, names: Mapping[str, str], thousands: str, width: int = 64,
                 text_names: Optional[Mapping[str, str]] = None, profile: str = "document"):
        self.format = fmt
        #: LaTeX for notebooks (KaTeX/MathJax: tables are math arrays) or for documents
        self.profile = profile
        self.p = self.printer_class(names, thousands)
        self.width = width
        # Line widths are judged on the plain-text spelling of each piece.
        self._text = TextPrinter(text_names if text_names is not None else names, thousands)

    # ---- what each format spells its own way ------------------------------------
    def _wrap(self, body: str) -> str:
        """Inline math in the format: ``$…$``, a ``<math>`` element, or the text itself."""
        raise NotImplementedError

    def display(self, lines) -> str:
        """Equation lines (from :meth:`equation` or :meth:`chain`) as one displayed block."""
        raise NotImplementedError

    def table(self, header: list, rows: list, align: str) -> str:
        """A table in the format: aligned text, a Markdown pipe table, a LaTeX longtable
        (documents) or a math array (notebooks, which KaTeX renders)."""
        raise NotImplementedError

    def text(self, s) -> str:
        raise NotImplementedError

    def code(self, s) -> str:
        """A layer or model name."""
        raise NotImplementedError

    def greek(self, letter: str) -> str:
        raise NotImplementedError

    def _decimal(self, text: str) -> str:
        """A decimal (``1,234.50``) as the body of inline math."""
        raise NotImplementedError

    def _negative(self, value) -> str:
        """A negative difference, given its size."""
        raise NotImplementedError

    def _equation_line(self, i: int, op: Optional[str], body: str, left: str, pad: str) -> str:
        """Line ``i`` of an equation: a continuation led by ``op``, or a step (the first
        after the name ``left``); ``pad`` is the name's width in spaces."""
        raise NotImplementedError

    def _times_ten(self, mantissa: str, power: int) -> str:
        raise NotImplementedError

    # ---- math -----------------------------------------------------------
    def math(self, x) -> str:
        return self.p.doprint(x)

    def inline(self, x) -> str:
        return self._wrap(self.math(x))

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
            return self._wrap(self._decimal(f"{float(value):,.2f}"))
        return self.n(value)

    def times(self, sizes) -> str:
        """A kernel's extent: ``5×5``."""
        return self._wrap(self._times.join(self.math(s) for s in sizes))

    def n(self, value) -> str:
        return self.inline(as_expr(value))

    def signed(self, value) -> str:
        """A difference: ``+512``, ``−256``, ``0`` (a symbolic one as it is)."""
        value = sympy.expand(as_expr(value))
        if value.is_number and value > 0:
            return "+" + self.n(value)
        if value.is_number and value < 0:
            return self._negative(-value)
        return self.n(value)

    # ---- tables ---------------------------------------------------------------
    def layer_rows(self, layers, trainable: bool = True) -> list[list[str]]:
        """The totals table's rows: each layer with parameters, then the rest counted in one row.

        Without ``trainable`` (every parameter is) the trainable column is left out.
        """
        rows = self._layer_rows(layers)
        return rows if trainable else [r[:-1] for r in rows]

    def _layer_rows(self, layers) -> list[list[str]]:
        rows, others = [], 0
        for l in layers:
            if l.params == 0:
                others += 1
                continue
            if getattr(l, "is_repeat", False):
                rows.append(self._repeat_row(l))
                continue
            rows.append(self._layer_row(l))
        if others:
            rows.append(self._others_row(f"{others} other layer{'s' if others > 1 else ''}, no parameters"))
        return rows

    def _layer_row(self, l) -> list[str]:
        return [self.link(l.name), self.text(l.type), self.shapes(l.output_shapes),
                self.n(l.params), self.n(l.trainable)]

    def _others_row(self, label: str) -> list[str]:
        """The row that counts the layers without parameters."""
        return [self.text(label), "", "", self.n(0), self.n(0)]

    def _repeat_row(self, r) -> list[str]:
        """Copies of a repeated block in one row: their span, how many, their count."""
        n = len(r.copies)
        kind = f"{n} × block" if n > 1 else "block"
        name, kind = self.code(r.copies[0][0]) + " … " + self.code(r.copies[-1][1]), self.text(kind)
        return [name, kind, self.shapes(r.output_shapes), self.n(r.params), self.n(r.trainable)]

    def weight_rows(self, weights) -> list[list[str]]:
        """A weight check's rows: name, shape, and the count its shape multiplies to."""
        return [self._weight_row(w.name + ("" if w.trainable else " (not trainable)"), w) for w in weights]

    def _weight_row(self, name: str, w) -> list[str]:
        return [self.code(name), self.shape(w.shape), self.n(w.working.value)]

    # ---- text ---------------------------------------------------------------
    def bytes(self, value) -> str:
        value = as_expr(value)
        if not value.is_number:
            return self.inline(value) + self._bytes_unit
        return readable_size(value)

    def anchor(self, name: str) -> str:
        """The HTML id of a layer's derivation, which the diagram and the table link to."""
        return anchor(name)

    def link(self, name: str) -> str:
        """A layer's name; in HTML, a link to its derivation."""
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
        return self._times_ten(mantissa, int(exponent))

    def is_number(self, value) -> bool:
        return as_expr(value).is_number


class TextFmt(Fmt):
    """Unicode text: math as it reads, equations padded so their ``=`` signs line up."""

    def _wrap(self, body: str) -> str:
        return body

    def display(self, lines) -> str:
        return "\n".join(lines)

    def table(self, header: list, rows: list, align: str) -> str:
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

        def line(cells):
            return "  ".join(str(c).rjust(w) if a == "r" else str(c).ljust(w)
                             for c, w, a in zip(cells, widths, align)).rstrip()
        return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])

    def text(self, s) -> str:
        return str(s)

    def code(self, s) -> str:
        return str(s)

    def greek(self, letter: str) -> str:
        return {"gamma": "γ", "beta": "β", "alpha": "α"}.get(letter, letter)

    def _decimal(self, text: str) -> str:
        return text

    def _negative(self, value) -> str:
        return "−" + self.n(value)

    def _equation_line(self, i: int, op: Optional[str], body: str, left: str, pad: str) -> str:
        if op is not None:
            return f"{pad}     {op} {body}"
        if i == 0:
            return f"{left} = {body}" if left else body
        return f"{pad} = {body}"

    def _times_ten(self, mantissa: str, power: int) -> str:
        return f"{mantissa} × 10^{power}"

    def sci(self, value: float) -> str:
        """``1.00 × 10²¹``: the power as text reads it (superscript digits), as counts read."""
        from ..core.units import scientific
        return scientific(value, 3)


class HtmlFmt(Fmt):
    """HTML with MathML Core math; a layer's name links to its derivation."""

    html = True
    printer_class = MathMLPrinter
    _equals = "<mo>=</mo>"
    _brackets = ("<mo>(</mo>", "<mo>)</mo>")
    _times = "<mo>×</mo>"

    def _wrap(self, body: str) -> str:
        return f"<math>{body}</math>"

    def display(self, lines) -> str:
        lines = list(lines)
        return '<math display="block" class="working"><mtable>\n' + "\n".join(lines) + "\n</mtable></math>"

    def table(self, header: list, rows: list, align: str) -> str:
        def cls(a):
            return f'class="{"num" if a == "r" else "txt"}"'
        return html_table(header, rows, align, lambda a: f'scope="col" {cls(a)}', cls)

    def text(self, s) -> str:
        return html_escape(str(s))

    def code(self, s) -> str:
        return f"<code>{html_escape(str(s))}</code>"

    def link(self, name: str) -> str:
        return f'<a href="#{anchor(name)}">{self.code(name)}</a>'

    def greek(self, letter: str) -> str:
        return self._wrap(self.p.symbol(letter))

    def _decimal(self, text: str) -> str:
        return f"<mn>{text}</mn>"

    def _negative(self, value) -> str:
        return self._wrap("<mo>−</mo>" + self.math(value))

    def _equation_line(self, i: int, op: Optional[str], body: str, left: str, pad: str) -> str:
        return self._row(left if i == 0 and op is None else "", op,
                         body if op is not None or (i == 0 and not left) else self._equals + body)

    def _row(self, left: str, op: Optional[str], body: str) -> str:
        """One line of a MathML equation: the name in the first cell, the working in the
        second (a continuation indented and led by its operator)."""
        if op is not None:
            body = f'<mspace width="1em"></mspace><mo form="prefix">{op}</mo>{body}'
        return f"<mtr><mtd>{left}</mtd><mtd>{body}</mtd></mtr>"

    def _times_ten(self, mantissa: str, power: int) -> str:
        return f"<mn>{mantissa}</mn><mo>×</mo><msup><mn>10</mn><mn>{power}</mn></msup>"


class TexFmt(Fmt):
    """TeX math, which LaTeX, Markdown (KaTeX, MathJax) and the learning systems typeset;
    equation lines carry ``aligned``'s ``&=`` marks."""

    latex = True
    printer_class = LatexPrinter
    _brackets = (r"\bigl(", r"\bigr)")
    _times = r" \times "
    _bytes_unit = r"~B"
    _name_margin = 8

    def _wrap(self, body: str) -> str:
        return f"${body}$"

    def display(self, lines) -> str:
        lines = list(lines)
        return "$$\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n$$"

    def greek(self, letter: str) -> str:
        return self._wrap("\\" + letter)

    def _decimal(self, text: str) -> str:
        return text.replace(",", "{,}")

    def _negative(self, value) -> str:
        return "-" + self.n(value)

    def _equation_line(self, i: int, op: Optional[str], body: str, left: str, pad: str) -> str:
        if op is not None:
            return f"&\\quad {op} {body}"
        if i == 0:
            return f"{left} &= {body}" if left else f"&{body}"
        return f"&= {body}"

    def _times_ten(self, mantissa: str, power: int) -> str:
        return f"{mantissa} \\times 10^{{{power}}}"


class LatexFmt(TexFmt):
    """LaTeX: for documents (pdflatex: longtables, names that may break) or for notebooks
    (KaTeX and MathJax: a table is a math array, its cells math)."""

    def table(self, header: list, rows: list, align: str) -> str:
        if self.profile == "notebook":
            head = " & ".join(r"\textbf{%s}" % latex_escape(h) for h in header)
            body = " \\\\\n".join(" & ".join(r) for r in rows)
            return "$$\n\\begin{array}{%s}\n%s \\\\ \\hline\n%s\n\\end{array}\n$$" % (align, head, body)
        head = " & ".join(r"\textbf{%s}" % latex_escape(h) for h in header)
        body = " \\\\\n".join(" & ".join(r) for r in rows)
        # Paragraph columns that share the line's width, so a long symbolic count wraps
        # (at + and ·) inside its cell instead of running off the page.
        shares = column_shares(header, rows)
        columns = "".join(
            r">{\%s\arraybackslash}p{\dimexpr %.3f\linewidth-2\tabcolsep\relax}"
            % ("raggedleft" if a == "r" else "raggedright", share) for a, share in zip(align, shares))
        return ("{\\small\n\\begin{longtable}{@{}%s@{}}\n%s \\\\ \\hline\n\\endhead\n%s \\\\\n"
                "\\end{longtable}}" % (columns, head, body))

    def text(self, s) -> str:
        return latex_escape(str(s))

    def code(self, s) -> str:
        escaped = latex_escape(str(s))
        if self.profile == "document":
            # Long names may break after _, / and . (conv5_block3_3_bn, query/kernel,
            # PyTorch's layer1.0.conv1).
            escaped = escaped.replace(r"\_", r"\_\allowbreak{}").replace("/", r"/\allowbreak{}") \
                .replace(".", r".\allowbreak{}")
        return r"\texttt{%s}" % escaped

    # A notebook's table is a math array: its cells are math.
    def _layer_row(self, l) -> list[str]:
        if self.profile == "notebook":
            return [r"\texttt{%s}" % latex_escape(l.name), r"\text{%s}" % latex_escape(l.type),
                    ", ".join(self.p.shape(s) for s in l.output_shapes),
                    self.math(l.params), self.math(l.trainable)]
        # \hspace{0pt} lets TeX hyphenate a cell's first word (GroupedQuery-Attention).
        kind = r"\hspace{0pt}" + self.text(l.type)
        return [self.link(l.name), kind, self.shapes(l.output_shapes), self.n(l.params), self.n(l.trainable)]

    def _others_row(self, label: str) -> list[str]:
        if self.profile == "notebook":
            return [r"\text{%s}" % label, "", "", self.math(0), self.math(0)]
        return super()._others_row(label)

    def _repeat_row(self, r) -> list[str]:
        n = len(r.copies)
        if self.profile == "notebook":
            span = f"{r.copies[0][0]} … {r.copies[-1][1]}"
            kind = f"{n} × block" if n > 1 else "block"
            return [r"\texttt{%s}" % latex_escape(span).replace("…", r"}\ldots\texttt{"),
                    r"\text{%s}" % latex_escape(kind).replace("×", r"$\times$"),
                    ", ".join(self.p.shape(s) for s in r.output_shapes),
                    self.math(r.params), self.math(r.trainable)]
        name = self.code(r.copies[0][0]) + r" \ldots{} " + self.code(r.copies[-1][1])
        kind = self.text(f"{n} ") + r"$\times$ block" if n > 1 else "block"
        return [name, kind, self.shapes(r.output_shapes), self.n(r.params), self.n(r.trainable)]

    def _weight_row(self, name: str, w) -> list[str]:
        if self.profile == "notebook":
            return [r"\texttt{%s}" % latex_escape(name), self.p.shape(w.shape), self.math(w.working.value)]
        return super()._weight_row(name, w)


class MarkdownFmt(TexFmt):
    """Markdown with TeX math in ``$…$`` (GitHub, Jupyter, MkDocs)."""

    def table(self, header: list, rows: list, align: str) -> str:
        rule = "|" + "|".join(" ---: " if a == "r" else " --- " for a in align) + "|"
        return "\n".join(["| " + " | ".join(header) + " |", rule,
                          *("| " + " | ".join(r) + " |" for r in rows)])

    def text(self, s) -> str:
        return "".join("\\" + c if c in "\\`*_{}[]<>#|" else c for c in str(s))

    def code(self, s) -> str:
        return "`" + str(s).replace("`", "'") + "`"


#: the class that writes each format
FORMATTERS = {"latex": LatexFmt, "markdown": MarkdownFmt, "text": TextFmt, "html": HtmlFmt}


def anchor(name: str) -> str:
    """``layer-`` and the name with anything but letters, digits, ``-``, ``_`` and ``.``
    spelled as ``-XX-`` (its code point), so two names never share an id."""
    return "layer-" + re.sub(r"[^A-Za-z0-9_.-]", lambda m: "-%x-" % ord(m.group()), str(name))
