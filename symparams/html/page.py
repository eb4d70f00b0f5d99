"""One self-contained HTML page for a model: its diagram, its summary and its worked
solution (``symparams html``), and the parts of it a notebook shows.

The page is a template (``html/page.html.j2``); this module gathers what it shows: the
summary, the derivation and the diagram of one model, and the SVG Graphviz draws of
the diagram and of each folded block. Every link goes to a layer's derivation; a layer
worked out elsewhere (a copy of a repeated block, a module without parameters of its
own) links to the step that covers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from ..keras.derivation import Derivation
from .diagram import Diagram
from ..results import Result, result_of
from ..core.units import bytes_per_param


@dataclass(frozen=True)
class Page:
    """What the page of one model shows."""

    name: str
    framework: str                  # its framework's name, as the page's title says it
    summary: Any                    # the summary its framework prints
    derivation: Derivation
    diagram: Diagram
    #: the model as counted: the page's links go to the steps it anchors them to
    result: Result
    source: str = ""
    about: tuple = ()

    def target(self) -> Callable[[str], Optional[str]]:
        """For a layer's name, the layer whose derivation covers it (None: none does)."""
        covers: dict = {}
        names = [l.name for l in self.derivation.layers]
        for sec in self.derivation.sections():
            if getattr(sec, "is_repeat", False):
                for first, last in sec.copies:
                    for n in names[names.index(first):names.index(last) + 1]:
                        covers[n] = sec.copies[0][0]
            elif getattr(sec, "is_brief", False):
                for l in sec.layers:
                    covers[l.name] = l.name
            else:
                covers[sec.name] = sec.name
        return lambda name: covers.get(self.result.anchor(name)) if name else None


def page_of(model, trace=None, dtype: str = "float32", detail: str = "standard",
            assume_divisible: bool = False, source: str = "", about: tuple = (),
            derivation: Optional[Derivation] = None) -> Page:
    """The page of a model (a :class:`~symparams.results.Result`, or a model symparams read
    or built: a Keras model, or a PyTorch module with the ``trace`` of the forward pass
    followed with ``--input-size``)."""
    result = result_of(model, trace)
    d = derivation or result.derive(detail=detail, dtype=dtype, assume_divisible=assume_divisible)
    summary = result.summary.assume_divisible() if assume_divisible else result.summary
    return Page(result.name, result.framework, summary, d, result.diagram(d), result, source,
                tuple(about) or result.about)


def _pieces(page: Page, templates: Optional[str], thousands: str, diagram: bool):
    """What the page and the notebook share: the format, the link targets, the SVG of the
    diagram and of each folded block (None without Graphviz, and its reason), the table."""
    from ..render import Fmt, _environment, default_templates, load_names, render_template
    from ..render.diagrams import GraphvizMissing, layout_svg, render_dot

    directory = Path(templates) if templates else default_templates()
    fmt = Fmt("html", load_names(directory, "html"), thousands)
    target = page.target()
    svg, parts, warning = None, [], None
    if diagram:
        try:
            svg = _svg(layout_svg(render_dot(page.diagram, templates, thousands, target)), "the model")
            parts = [(b, _svg(layout_svg(render_dot(b.inside, templates, thousands, target)), b.name))
                     for b in page.diagram.expandable()]
        except GraphvizMissing as exc:
            warning = str(exc)
    env = _environment(directory)
    table = render_template(env, directory, "html/summary.html.j2", {
        "s": page.summary, "fmt": fmt, "target": target, "dtype": page.derivation.dtype,
        "bytes_per": bytes_per_param(page.derivation.dtype)})
    return directory, env, fmt, svg, parts, warning, table


def notebook_html(model, templates: Optional[str] = None, thousands: str = ",") -> str:
    """A model's ``text/html`` in a notebook: its diagram (when Graphviz is installed) and
    its summary table."""
    from ..render import render_template

    page = page_of(model)
    directory, env, fmt, svg, _, _, table = _pieces(page, templates, thousands, diagram=True)
    return render_template(env, directory, "html/notebook.html.j2", {
        "title": page.name, "framework": page.framework, "svg": svg, "summary_table": table, "fmt": fmt})


def render_page(page: Page, templates: Optional[str] = None, thousands: str = ",",
                diagram: bool = True, generator: str = "symparams") -> tuple[str, Optional[str]]:
    """The page as HTML, and a warning when the diagram could not be drawn (no Graphviz)."""
    from ..render import render, render_template

    directory, env, fmt, svg, parts, warning, summary_table = _pieces(page, templates, thousands, diagram)
    s = page.summary
    solution = render(page.derivation, "html", templates=templates, thousands=thousands)
    bound = sorted(page.derivation.bindings.items(), key=lambda kv: str(kv[0]))
    html = render_template(env, directory, "html/page.html.j2", {
        "title": page.name, "framework": page.framework, "source": page.source or page.name,
        "about": page.about, "s": s, "g": page.diagram, "svg": svg, "parts": parts,
        "no_diagram": f"No diagram: {warning}." if warning else "",
        "summary_table": summary_table, "solution": solution, "fmt": fmt,
        "bound": [(str(k), v) for k, v in bound], "generator": generator})
    return html, warning


def _svg(svg: str, what: str) -> str:
    """Graphviz's SVG as an image with a name for screen readers (its words follow in the page)."""
    return svg.replace("<svg ", f'<svg role="img" aria-label="Diagram of {_attr(what)}" ', 1)


def _attr(text: str) -> str:
    from ..render.printers import html_escape
    return html_escape(text)


def model_view(model) -> dict:
    """A model's display in a notebook: the diagram and table as HTML, the summary as text."""
    return {"text/html": notebook_html(model), "text/plain": result_of(model).summary.to_text()}

