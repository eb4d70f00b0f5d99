"""Write exam variants in the formats teachers import.

Every format comes from the jinja2 templates in ``templates/exam/``: LaTeX (the ``exam``
class: a student sheet and an answer key from one source), Markdown, the HTML that Moodle
XML, GIFT and QTI carry (TeX math in ``\\( \\)`` and ``\\[ \\]``, which Moodle's MathJax
filter, Canvas and Blackboard typeset; :class:`~symparams.render.lms.LmsFmt`), and the
QTI 1.2 package's XML. This module chooses the format: each is written by its module in
:mod:`symparams.exam.formats` from a :class:`~symparams.exam.context.Context`, which holds
the run's templates, printer and derivations.
"""

from __future__ import annotations

from typing import Optional

from ..core.errors import SymparamsError
from .context import Context
from .formats.canvas import canvas
from .formats.gift import gift
from .formats.json import json_text
from .formats.latex import latex
from .formats.markdown import markdown
from .formats.moodle import moodle_xml
from .formats.qti import qti_zip
from .spec import Spec

FORMATS = ("latex", "markdown", "moodle", "gift", "canvas", "qti", "json")
#: formats written as bytes (a zip)
BINARY = ("qti",)

def write(spec: Spec, variants: list, fmt: str, key: bool = False, templates: Optional[str] = None,
          seed: Optional[int] = None, jobs: Optional[int] = None):
    """The variants in one format (LaTeX and Markdown: the key with ``key=True``); QTI is bytes (a zip).

    ``jobs``: how many processes write the worked solutions (None: one for each CPU, for
    many versions); the output is the same for any number."""
    if fmt not in FORMATS:
        raise SymparamsError(f"unknown exam format {fmt!r}; use one of {', '.join(FORMATS)}")
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        raise SymparamsError(f"jobs must be a whole number of at least 1, got {jobs!r}")
    if fmt == "json":
        return json_text(Context(spec, variants, "text", templates, jobs), seed)
    if fmt == "latex":
        return latex(Context(spec, variants, "latex", templates, jobs), key)
    if fmt == "markdown":
        return markdown(Context(spec, variants, "markdown", templates, jobs), key)
    if fmt == "canvas":
        return canvas(Context(spec, variants, "markdown", templates, jobs))
    ctx = Context(spec, variants, "lms", templates, jobs)
    return {"moodle": moodle_xml, "gift": gift, "qti": qti_zip}[fmt](ctx)
