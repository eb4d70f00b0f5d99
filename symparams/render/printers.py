"""Printers for formulas, sizes and shapes: LaTeX, MathML Core and Unicode text.

Dispatch is sympy's: ``_print_<Class>`` for each formula node. A printer
keeps the order a formula was built in and puts parentheses only where
precedence needs them. Named sizes print through a names table
(``C_in`` → ``C_{\\mathrm{in}}``) that templates can override.
"""

from __future__ import annotations

import re
from typing import Mapping, Optional

import sympy
from sympy.printing.latex import LatexPrinter as _SympyLatex
from sympy.printing.mathml import MathMLPresentationPrinter as _SympyMathML
from sympy.printing.str import StrPrinter as _SympyStr

from ..core.parse import as_expr
from ..core.units import SCIENTIFIC_FROM, scientific_parts
from ..core.formula import Ceil, Difference, Floor, Formula, Group, Name, Num, Power, Product, Quotient, Sum

SUM, PRODUCT, ATOM = 1, 2, 3

_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                  "#": r"\#", "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}",
                  # Unicode math that text may carry (feedback lines, names): pdflatex has no glyphs.
                  "−": r"$-$", "·": r"$\cdot$", "×": r"$\times$", "⌊": r"$\lfloor$", "⌋": r"$\rfloor$",
                  "⌈": r"$\lceil$", "⌉": r"$\rceil$", "²": r"$^2$", "³": r"$^3$", "…": r"\ldots{}",
                  "γ": r"$\gamma$", "β": r"$\beta$", "α": r"$\alpha$", "→": r"$\to$", "≤": r"$\le$",
                  "≥": r"$\ge$", "—": "---", "–": "--"}


def latex_escape(text: str) -> str:
    """Text for LaTeX text mode: layer and model names such as ``conv2d_1``."""
    return "".join(_LATEX_SPECIAL.get(c, c) for c in str(text))


def _precedence_of_value(value) -> int:
    if isinstance(value, sympy.Basic):
        if value.is_Add:
            return SUM
        if value.is_Mul or value.is_Pow or (value.is_Integer and value < 0) or value.is_Rational and not value.is_Integer:
            return PRODUCT
    return ATOM


def precedence(f: Formula) -> int:
    if isinstance(f, (Sum, Difference)):
        return SUM
    if isinstance(f, Product):
        return PRODUCT
    if isinstance(f, Num):
        return _precedence_of_value(f.value)
    return ATOM


class BasePrinter:
    """What both printers share: dispatch, precedence, grouping of digits."""

    times = "·"
    minus = "−"
    plus = " + "

    def __init__(self, names: Optional[Mapping[str, str]] = None, thousands: str = ","):
        self.names = dict(names or {})
        self.thousands = thousands

    def doprint(self, f) -> str:
        if isinstance(f, Formula):
            method = getattr(self, "_print_" + type(f).__name__)
            return method(f)
        if f is None:
            return self.none()
        return self.value(as_expr(f))

    def group(self, child: Formula, parent_prec: int, strict: bool = False) -> str:
        text = self.doprint(child)
        p = precedence(child)
        if p < parent_prec or (strict and p == parent_prec):
            return self.parens(text)
        return text

    def _print_Num(self, f: Num) -> str:
        return self.value(f.value)

    def _print_Name(self, f: Name) -> str:
        return self.name(f.key)

    def _print_Sum(self, f: Sum) -> str:
        return self.plus.join(self.group(t, SUM) for t in f.terms)

    def _print_Difference(self, f: Difference) -> str:
        return f"{self.group(f.left, SUM)} {self.minus} {self.group(f.right, SUM, strict=True)}"

    def _print_Product(self, f: Product) -> str:
        return self.times.join(self.group(t, PRODUCT) for t in f.factors)

    def _print_Power(self, f: Power) -> str:
        base = self.doprint(f.base)
        if precedence(f.base) < ATOM or (isinstance(f.base, Num) and not f.base.value.is_Integer):
            base = self.parens(base)
        return self.power(base, f.exponent)

    def _print_Group(self, f: Group) -> str:
        text = self.doprint(f.arg)
        return self.parens(text) if precedence(f.arg) < ATOM else text

    def plain(self, size) -> str:
        """A size inside a shape: no digit grouping, as Keras prints shapes."""
        saved, self.thousands = self.thousands, ""
        try:
            return self.doprint(size)
        finally:
            self.thousands = saved

    def large(self, n: int) -> Optional[str]:
        """A count from 10¹⁵ on as ``7.088 × 10²¹``, else None: 22 digits are not read but
        counted (JSON keeps them exact; shapes, printed plain, keep them too)."""
        if abs(n) < SCIENTIFIC_FROM or not self.thousands:
            return None
        return self.scientific(*scientific_parts(n))

    def scientific(self, mantissa: str, exponent: int) -> str:
        return f"{mantissa} × 10{str(exponent).translate(_SUPERSCRIPT)}"

    def digits(self, n: int) -> str:
        text = f"{abs(n):,}".replace(",", "\x00")
        return ("-" if n < 0 else "") + text.replace("\x00", self.digit_separator())

    def digit_separator(self) -> str:
        return self.thousands


class LatexPrinter(BasePrinter):
    times = r" \cdot "
    minus = "-"
    #: how a long line's pieces join, and the operator a continuation line starts with
    JOIN = {"+": " + ", "-": " - ", "*": r" \cdot "}
    LEAD = {"+": "+", "-": "-", "*": r"\cdot"}

    def parens(self, text: str) -> str:
        return f"\\left({text}\\right)" if "\\frac" in text else f"({text})"

    def digit_separator(self) -> str:
        return {",": "{,}", " ": r"\,", "": "", ".": "{.}", "'": "'"}.get(self.thousands, self.thousands)

    def none(self) -> str:
        return r"\mathrm{None}"

    def name(self, key: str) -> str:
        if key in self.names:
            return self.names[key]
        base, _, sub = key.partition("_")
        base = base if len(base) == 1 else r"\mathrm{%s}" % base
        if not sub:
            return base
        parts = [p if len(p) == 1 else r"\mathrm{%s}" % p for p in sub.split("_")]
        return f"{base}_{{{','.join(parts)}}}"

    def symbol(self, name: str) -> str:
        """A free size of the user's model (``num_classes``)."""
        if name in self.names:
            return self.names[name]
        if len(name) == 1:
            return name
        if name in _GREEK:
            return "\\" + name
        m = re.fullmatch(r"([A-Za-z])_?(\d+)", name)
        if m:
            return f"{m.group(1)}_{{{m.group(2)}}}"
        # Textbook notation: d_model is d with the subscript "model", n_layer is n_{layer}.
        m = re.fullmatch(r"([A-Za-z])_([A-Za-z0-9_]+)", name)
        if m:
            return r"%s_{\text{%s}}" % (m.group(1), latex_escape(m.group(2)))
        return r"\mathit{%s}" % latex_escape(name)

    def value(self, v) -> str:
        if v.is_Integer:
            return self.large(int(v)) or self.digits(int(v))
        names = {s: self.symbol(s.name) for s in v.free_symbols}
        printer = _GroupingLatex(self, symbol_names=names, mul_symbol="dot")
        return printer.doprint(v)

    def _print_Quotient(self, f: Quotient) -> str:
        return r"\frac{%s}{%s}" % (self.doprint(f.numerator), self.doprint(f.denominator))

    def power(self, base: str, exponent: int) -> str:
        return "%s^{%d}" % (base, exponent)

    def scientific(self, mantissa: str, exponent: int) -> str:
        return r"%s \times 10^{%d}" % (mantissa, exponent)

    def _print_Floor(self, f: Floor) -> str:
        return r"\left\lfloor %s \right\rfloor" % self.doprint(f.arg)

    def _print_Ceil(self, f: Ceil) -> str:
        return r"\left\lceil %s \right\rceil" % self.doprint(f.arg)

    def shape(self, shape) -> str:
        # No \left(…\right): inline, a long shape may break after its commas.
        return "(" + r",\allowbreak ".join(self.plain(s) for s in shape) + ")"

    def text(self, s: str) -> str:
        return latex_escape(s)


_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "lambda", "mu", "sigma", "tau", "theta", "rho"}


class _GroupingLatex(_SympyLatex):
    """sympy's LaTeX printer with digit grouping in integers."""

    def __init__(self, outer: LatexPrinter, **settings):
        super().__init__(settings)
        self._outer = outer

    def _print_Integer(self, expr):
        return self._outer.digits(int(expr))


class TextPrinter(BasePrinter):
    """Plain Unicode: ``(5·5·32 + 1)·64``, ``⌊(41 − 2)/2⌋ + 1``."""

    JOIN = {"+": " + ", "-": " − ", "*": "·"}
    LEAD = {"+": "+", "-": "−", "*": "·"}

    def parens(self, text: str) -> str:
        return f"({text})"

    def none(self) -> str:
        return "None"

    def name(self, key: str) -> str:
        return self.names.get(key, key)

    def symbol(self, name: str) -> str:
        return self.names.get(name, name)

    def value(self, v) -> str:
        if v.is_Integer:
            return self.large(int(v)) or self.digits(int(v))
        printer = _UnicodeStr(self)
        return printer.doprint(v)

    def _print_Quotient(self, f: Quotient) -> str:
        return f"{self.group(f.numerator, ATOM)}/{self.group(f.denominator, ATOM)}"

    def power(self, base: str, exponent: int) -> str:
        return base + str(exponent).translate(_SUPERSCRIPT)

    def _print_Floor(self, f: Floor) -> str:
        return f"⌊{self.doprint(f.arg)}⌋"

    def _print_Ceil(self, f: Ceil) -> str:
        return f"⌈{self.doprint(f.arg)}⌉"

    def shape(self, shape) -> str:
        return "(" + ", ".join(self.plain(s) for s in shape) + ")"

    def text(self, s: str) -> str:
        return str(s)


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class _UnicodeStr(_SympyStr):
    """sympy's str printer with ``·``, superscript powers, ``−`` and grouped digits."""

    def __init__(self, outer: TextPrinter):
        super().__init__({"order": "grlex"})
        self._outer = outer

    def _print_Integer(self, expr):
        return self._outer.digits(int(expr))

    def _print_Symbol(self, expr):
        return self._outer.symbol(expr.name)

    def _print_Mul(self, expr):
        return super()._print_Mul(expr).replace("*", "·")

    def _print_Pow(self, expr):
        if expr.exp.is_Integer and expr.exp > 1:
            return self.parenthesize(expr.base, 60) + str(int(expr.exp)).translate(_SUPERSCRIPT)
        if expr.exp.is_Integer and expr.exp < 0:
            # 1/(128·x + 5), not 1/128·x + 5: the denominator is parenthesized like a power's base
            return "1/" + self.parenthesize(sympy.Pow(expr.base, -expr.exp), 60, strict=True)
        return super()._print_Pow(expr)

    def _print_Add(self, expr, order=None):
        return super()._print_Add(expr, order).replace(" - ", " − ")

    def _print_floor(self, expr):
        return f"⌊{self.doprint(expr.args[0])}⌋"

    def _print_ceiling(self, expr):
        return f"⌈{self.doprint(expr.args[0])}⌉"


def _xml(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def html_escape(text: str) -> str:
    """Text for HTML: layer and model names, which a user's file may spell with ``<`` or ``&``."""
    return _xml(text)


class MathMLPrinter(BasePrinter):
    """MathML Core, which current browsers render without a script: the inside of a
    ``<math>`` element (``<mn>``, ``<mi>``, ``<mfrac>``...).

    Named sizes print from their plain-text spelling (``C_in`` → C with the subscript
    "in"), so a names table edited for text renames them here too.
    """

    times = "<mo>·</mo>"
    minus = "<mo>−</mo>"
    plus = "<mo>+</mo>"
    JOIN = {"+": "<mo>+</mo>", "-": "<mo>−</mo>", "*": "<mo>·</mo>"}
    LEAD = {"+": "+", "-": "−", "*": "·"}

    def parens(self, text: str) -> str:
        return f"<mrow><mo>(</mo>{text}<mo>)</mo></mrow>"

    def none(self) -> str:
        return "<mi>None</mi>"

    def name(self, key: str) -> str:
        return self._spelled(self.names.get(key, key))

    def symbol(self, name: str) -> str:
        return self._spelled(self.names.get(name, name))

    @staticmethod
    def _spelled(text: str) -> str:
        """``d_model`` → d with the subscript model; ``Total`` → upright text; one
        letter → italic."""
        if text in _GREEK:
            return "<mi>%s</mi>" % _GREEK_LETTERS[text]
        m = re.fullmatch(r"([A-Za-z])_?(\d+)", text) or re.fullmatch(r"([A-Za-z])_(.+)", text)
        if m:
            sub = m.group(2)
            inner = f"<mn>{sub}</mn>" if sub.isdigit() else (
                f"<mi>{_xml(sub)}</mi>" if len(sub) == 1 else f"<mtext>{_xml(sub.replace('_', ','))}</mtext>")
            return f"<msub><mi>{m.group(1)}</mi>{inner}</msub>"
        if len(text) == 1:
            return f"<mi>{_xml(text)}</mi>"
        if "_" in text or text.isidentifier() and text.islower():
            return f"<mi>{_xml(text)}</mi>"      # a free size of the user's (num_classes)
        return f"<mtext>{_xml(text)}</mtext>"

    def digits(self, n: int) -> str:
        return super().digits(n).replace("-", "−")

    def value(self, v) -> str:
        if v.is_Integer:
            shown = self.large(abs(int(v))) or f"<mn>{self.digits(abs(int(v)))}</mn>"
            return f"<mo>−</mo>{shown}" if v < 0 else shown
        return _MathMLValues(self).doprint(v)

    def _print_Quotient(self, f: Quotient) -> str:
        return f"<mfrac><mrow>{self.doprint(f.numerator)}</mrow><mrow>{self.doprint(f.denominator)}</mrow></mfrac>"

    def power(self, base: str, exponent: int) -> str:
        return f"<msup><mrow>{base}</mrow><mn>{exponent}</mn></msup>"

    def scientific(self, mantissa: str, exponent: int) -> str:
        return f"<mn>{mantissa}</mn><mo>×</mo><msup><mn>10</mn><mn>{exponent}</mn></msup>"

    def _print_Floor(self, f: Floor) -> str:
        return f"<mrow><mo>⌊</mo>{self.doprint(f.arg)}<mo>⌋</mo></mrow>"

    def _print_Ceil(self, f: Ceil) -> str:
        return f"<mrow><mo>⌈</mo>{self.doprint(f.arg)}<mo>⌉</mo></mrow>"

    def shape(self, shape) -> str:
        return "<mrow><mo>(</mo>" + "<mo separator=\"true\">,</mo>".join(
            f"<mrow>{self.plain(s)}</mrow>" for s in shape) + "<mo>)</mo></mrow>"

    def text(self, s: str) -> str:
        return _xml(s)


_GREEK_LETTERS = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "lambda": "λ",
                  "mu": "μ", "sigma": "σ", "tau": "τ", "theta": "θ", "rho": "ρ"}


class _MathMLValues(_SympyMathML):
    """sympy's MathML presentation printer with grouped digits and the outer printer's
    size names (sympy's own XML building, so what it writes is well formed; it writes
    characters such as · as numeric references, which HTML reads too)."""

    def __init__(self, outer: MathMLPrinter):
        super().__init__({"mul_symbol": "dot"})
        self._outer = outer

    def _print_Integer(self, expr):
        x = self.dom.createElement("mn")
        x.appendChild(self.dom.createTextNode(self._outer.digits(int(abs(expr)))))
        if expr < 0:
            row = self.dom.createElement("mrow")
            minus = self.dom.createElement("mo")
            minus.appendChild(self.dom.createTextNode("−"))
            row.appendChild(minus)
            row.appendChild(x)
            return row
        return x

    def _print_Symbol(self, sym, style="plain"):
        from xml.dom.minidom import parseString
        return parseString("<mrow>%s</mrow>" % self._outer.symbol(sym.name)).documentElement
