"""Render derivations through the jinja2 templates in ``templates/``.

Formats: ``latex`` (profiles ``notebook`` — ``$$\\begin{aligned}…$$`` blocks that
KaTeX and MathJax render — and ``document`` — ``align`` environments, optional
numbering, ``standalone`` documents), ``markdown`` (``$…$``/``$$…$$`` for GitHub,
Jupyter and MkDocs) and ``text`` (Unicode). Templates use LaTeX-safe delimiters:
``((* block *))``, ``((( expression )))``, ``((= comment =))``.

The package's modules: ``environment`` (the templates, their names table and jinja2
sandbox), ``fmt`` (what templates print with, one class for each format; ``equations``
breaks their working into lines, ``tables`` holds shared table markup), ``documents``
(:func:`render`, :func:`render_study`, :func:`render_comparison`), ``printers``,
``lms``, ``display``, ``diagrams`` and ``sandbox``. The names below are imported from here.
"""

from __future__ import annotations

from .documents import (ENTRY, FORMATS, PROFILES, REQUIRED, STANDALONE, check_templates, render,
                        render_checkpoint, render_comparison, render_config_comparison, render_reconciliation,
                        render_study)
from .environment import (TemplateError, _environment, default_templates, load_names, render_template,
                          template_macro)
from .fmt import FORMATTERS, Fmt, HtmlFmt, LatexFmt, MarkdownFmt, TexFmt, TextFmt, anchor
from .tables import html_table

__all__ = ["ENTRY", "FORMATS", "PROFILES", "REQUIRED", "STANDALONE", "check_templates", "render",
           "render_checkpoint", "render_comparison", "render_config_comparison", "render_reconciliation", "render_study", "TemplateError", "_environment", "default_templates",
           "load_names", "render_template", "template_macro", "FORMATTERS", "Fmt", "HtmlFmt", "LatexFmt",
           "MarkdownFmt", "TexFmt", "TextFmt", "anchor", "html_table"]
