"""Render derivations, the scaling arithmetic and comparisons through their entry templates.

Formats: ``latex`` (profiles ``notebook`` — ``$$\\begin{aligned}…$$`` blocks that
KaTeX and MathJax render — and ``document`` — ``align`` environments, optional
numbering, ``standalone`` documents), ``markdown`` (``$…$``/``$$…$$`` for GitHub,
Jupyter and MkDocs) and ``text`` (Unicode).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional

from .environment import TemplateError, _environment, default_templates, load_names, render_template
from .fmt import Fmt

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


def check_templates(directory: Path) -> None:
    if not directory.is_dir():
        raise TemplateError(f"{directory}: no such template directory")
    for rel in REQUIRED:
        if not (directory / rel).is_file():
            raise TemplateError(f"{directory}: missing template {rel} "
                                f"(copy it from {default_templates() / rel})")


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


def render_checkpoint(checkpoint, templates: Optional[str] = None, thousands: str = ",") -> str:
    """A safetensors checkpoint's tensors by module (:class:`~symparams.readers.safetensors.Checkpoint`),
    from ``checkpoint/summary.txt.j2``."""
    return _render_text("checkpoint/summary.txt.j2", {"ck": checkpoint}, templates, thousands)


def render_reconciliation(reconciliation, templates: Optional[str] = None, thousands: str = ",") -> str:
    """A config's model against a checkpoint (:class:`~symparams.configs.reconcile.Reconciliation`),
    from ``checkpoint/reconcile.txt.j2``."""
    return _render_text("checkpoint/reconcile.txt.j2", {"r": reconciliation}, templates, thousands)


def _render_text(name: str, context: dict, templates: Optional[str], thousands: str) -> str:
    directory = Path(templates) if templates else default_templates()
    fmt = Fmt("text", load_names(directory, "text"), thousands)
    return render_template(_environment(directory), directory, name, {**context, "fmt": fmt})


def render_config_comparison(context: dict, templates: Optional[str] = None, thousands: str = ",") -> str:
    """Two config files side by side (fields that differ, module groups), from
    ``compare/configs.txt.j2``."""
    return _render_text("compare/configs.txt.j2", context, templates, thousands)

