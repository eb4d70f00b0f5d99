"""Render derivations through the jinja2 templates in ``templates/``.

Formats: ``latex`` (profiles ``notebook`` — ``$$\\begin{aligned}…$$`` blocks that
KaTeX and MathJax render — and ``document`` — ``align`` environments, optional
numbering, ``standalone`` documents), ``markdown`` (``$…$``/``$$…$$`` for GitHub,
Jupyter and MkDocs) and ``text`` (Unicode). Templates use LaTeX-safe delimiters:
``((* block *))``, ``((( expression )))``, ``((= comment =))``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping, Optional


from ..errors import SymparamsError
from ..parse import as_expr
from ..units import scaled
from .printers import LatexPrinter, TextPrinter, latex_escape

FORMATS = ("latex", "markdown", "text")
PROFILES = ("notebook", "document")
ENTRY = {
    ("latex", "notebook"): "latex/notebook.tex.j2",
    ("latex", "document"): "latex/document.tex.j2",
    ("markdown", None): "markdown/derivation.md.j2",
    ("text", None): "text/derivation.txt.j2",
}
STANDALONE = "latex/standalone.tex.j2"
REQUIRED = ("prose.j2", "symbols.json", *{v for v in ENTRY.values()}, STANDALONE,
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
    key = "latex" if fmt in ("latex", "markdown") else "text"
    return {name: spec[key] for name, spec in table.items() if isinstance(spec, dict) and key in spec}


class Fmt:
    """What templates use to print math, names and numbers in their format."""

    def __init__(self, fmt: str, names: Mapping[str, str], thousands: str, width: int = 64,
                 text_names: Optional[Mapping[str, str]] = None):
        self.format = fmt
        self.latex = fmt in ("latex", "markdown")
        printer_cls = LatexPrinter if self.latex else TextPrinter
        self.p = printer_cls(names, thousands)
        self.width = width
        # Line widths are judged on the plain-text spelling of each piece.
        self._text = TextPrinter(text_names if text_names is not None else names, thousands)

    # ---- math -----------------------------------------------------------
    def math(self, x) -> str:
        return self.p.doprint(x)

    def inline(self, x) -> str:
        return f"${self.math(x)}$" if self.latex else self.math(x)

    def name(self, key: str) -> str:
        return self.p.name(key)

    def eq(self, key: str, value) -> str:
        """``C_in = 32`` as inline math."""
        body = f"{self.p.name(key)} = {self.math(value)}"
        return f"${body}$" if self.latex else body

    def shape(self, shape) -> str:
        body = self.p.shape(shape)
        return f"${body}$" if self.latex else body

    def shapes(self, shapes) -> str:
        return ", ".join(self.shape(s) for s in shapes)

    def answer(self, value) -> str:
        """An exam answer: a count, or a shape."""
        if isinstance(value, tuple):
            return self.shape(value)
        return self.n(value)

    def times(self, sizes) -> str:
        """A kernel's extent: ``5×5``."""
        if self.latex:
            return "$" + r" \times ".join(self.math(s) for s in sizes) + "$"
        return "×".join(self.math(s) for s in sizes)

    def greek(self, letter: str) -> str:
        if self.latex:
            return f"$\\{letter}$"
        return {"gamma": "γ", "beta": "β", "alpha": "α"}.get(letter, letter)

    def n(self, value) -> str:
        return self.inline(as_expr(value))

    def equation(self, working, lhs: Optional[str] = None, lhs_is_name: bool = True) -> list[str]:
        """The working as lines, broken at ``=`` so nothing runs off the page.

        LaTeX lines carry the ``&=`` alignment marks; text lines are padded
        so the ``=`` signs line up.
        """
        pieces = []
        if working.formula is not None:
            pieces.append(working.formula)
        pieces.extend(working.lines)
        texts, widths = [], []
        for p in pieces:
            text = self.math(p)
            # A step that changes nothing a reader can see (129·n evaluated to
            # 129·n) is not shown twice.
            if texts and text == texts[-1]:
                continue
            texts.append(text)
            widths.append(len(self._text.doprint(p)))
        if lhs is not None:
            left = self.p.name(lhs) if lhs_is_name else lhs
            left_width = len(self._text.name(lhs)) if lhs_is_name else len(lhs)
        else:
            left, left_width = texts.pop(0), widths.pop(0)
        rows: list[list[str]] = [[]]
        used = left_width
        for text, w in zip(texts, widths):
            if rows[-1] and used + 3 + w > self.width:
                rows.append([])
                used = left_width
            rows[-1].append(text)
            used += 3 + w
        if self.latex:
            out = [f"{left} &= " + " = ".join(rows[0])]
            out += ["&= " + " = ".join(r) for r in rows[1:]]
            return out
        pad = " " * left_width
        out = [f"{left} = " + " = ".join(rows[0])]
        out += [f"{pad} = " + " = ".join(r) for r in rows[1:]]
        return out

    # ---- text ---------------------------------------------------------------
    def text(self, s) -> str:
        s = str(s)
        if self.format == "latex":
            return latex_escape(s)
        if self.format == "markdown":
            return "".join("\\" + c if c in "\\`*_{}[]<>#|" else c for c in s)
        return s

    def code(self, s) -> str:
        """A layer or model name."""
        s = str(s)
        if self.format == "latex":
            return r"\texttt{%s}" % latex_escape(s)
        if self.format == "markdown":
            return "`" + s.replace("`", "'") + "`"
        return s

    def bytes(self, value) -> str:
        value = as_expr(value)
        if not value.is_number:
            return self.inline(value) + (r"~B" if self.latex else " B")
        size, unit = scaled(float(value))
        return f"{size:.2f} {unit}"

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

    def is_number(self, value) -> bool:
        return as_expr(value).is_number



def _environment(directory: Path):
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    # Templates are shared and copied like documents, so they are text from
    # outside: the sandbox keeps them from reaching Python internals
    # (``fmt.__init__.__globals__``) while leaving every filter and method open.
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(directory)),
        block_start_string="((*", block_end_string="*))",
        variable_start_string="(((", variable_end_string=")))",
        comment_start_string="((=", comment_end_string="=))",
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined, autoescape=False,
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
    fmt = Fmt(format, table, thousands, width, text_names=load_names(directory, "text"))
    entry = ENTRY[(format, profile if format == "latex" else None)]
    env = _environment(directory)
    context = {"d": derivation, "fmt": fmt, "numbered": numbered}
    body = render_template(env, directory, entry, context)
    if standalone:
        body = render_template(env, directory, STANDALONE, {**context, "body": body})
    return body


def render_template(env, directory: Path, name: str, context: Mapping) -> str:
    """One template rendered, its failures (a teacher's edits, say) turned into one line."""
    import jinja2

    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"{directory}: missing template {exc.name}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.exceptions.SecurityError:
        raise TemplateError(f"{directory / name}: the template reaches for Python internals "
                            "(an attribute starting with _), which templates may not use") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{directory / name}: template failed: {exc}") from None
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise TemplateError(f"{directory / name}: template failed: {type(exc).__name__}: {exc}") from None
