"""Rich display in Jupyter: a result object's MIME bundle, from ``templates/display/``.

Each public result (a model, its summary, compute, a sweep, a crossover, a scaling
report, an exam variant) has a ``_repr_mimebundle_`` that calls :func:`mimebundle`
with its kind. The templates decide how it looks: Markdown shows sizes and counts as
math (``$d_{\\text{model}}^{2}$``, which Jupyter's MathJax and KaTeX render), HTML
shows tables with counts in plain Unicode (``d_model²``), which needs no math
renderer. A kind has whichever of ``KIND.md.j2``, ``KIND.html.j2`` and
``KIND.tex.j2`` exist.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Optional

from . import Fmt, _environment, default_templates, load_names, render_template

MIMES = (("text/markdown", "md"), ("text/html", "html"), ("text/latex", "tex"))



@lru_cache(maxsize=1)
def _setting():
    """The templates, their environment and the size names per format, read once."""
    directory = default_templates()
    names = {f: load_names(directory, f) for f in ("latex", "text", "markdown")}
    return directory, _environment(directory), names


def mimebundle(kind: str, obj: Any, plain: Optional[str] = None, **context: Any) -> dict[str, str]:
    """``{"text/plain": plain, "text/markdown": ..., ...}`` for ``obj`` as a ``kind``
    (``plain`` from ``KIND.txt.j2`` when not given)."""
    directory, env, names = _setting()
    values = {
        "x": obj,
        # math for Markdown and LaTeX (KaTeX-safe: no document environments)
        "math": Fmt("latex", names["latex"], ",", profile="notebook"),
        # plain Unicode for HTML cells and plain text
        "text": Fmt("text", names["text"], ","),
        # Markdown prose with inline math, as the exam's and the derivation's Markdown
        "mdfmt": Fmt("markdown", names["markdown"], ","),
        **context,
    }
    out = {}
    for mime, ext in (("text/plain", "txt"),) + MIMES:
        if mime == "text/plain" and plain is not None:
            out[mime] = plain
            continue
        name = f"display/{kind}.{ext}.j2"
        if (directory / name).is_file():
            out[mime] = render_template(env, directory, name, values).strip("\n").rstrip() + "\n"
    out.setdefault("text/plain", repr(obj))
    return out
