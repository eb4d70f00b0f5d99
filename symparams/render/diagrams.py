"""A :class:`~symparams.diagram.Diagram` as Graphviz DOT (from ``diagram/graph.dot.j2``)
and as SVG, laid out by Graphviz's ``dot``.

Graphviz is the layout engine because layered drawing of a data-flow graph (Sugiyama's
method: ranks, crossing reduction, spline routing) is what ``dot`` has done well for
thirty years, and it is what Keras's ``plot_model`` and torchview use. It is a program,
not a Python package: Debian's ``graphviz``, Homebrew's ``graphviz``, conda's
``graphviz``. Without it, ``--format dot`` still works and the HTML page says how to
get the diagram.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Callable, Optional

from ..core.errors import SymparamsError
from . import Fmt, _environment, default_templates, load_names, render_template
from .printers import html_escape

#: how long dot may take on one diagram (a folded diagram takes well under a second)
DOT_SECONDS = 60

INSTALL = ("Graphviz's dot is not installed, and it lays out the diagram: install Graphviz "
           "(apt install graphviz, brew install graphviz or conda install graphviz), or write "
           "the diagram as DOT with --format dot")


class GraphvizMissing(SymparamsError):
    pass


def render_dot(diagram, templates: Optional[str] = None, thousands: str = ",",
               target: Optional[Callable[[str], Optional[str]]] = None) -> str:
    """The diagram as Graphviz DOT; with ``target`` (a layer's name → the layer whose
    derivation covers it), each box links to that derivation on the HTML page."""
    directory = Path(templates) if templates else default_templates()
    fmt = Fmt("text", load_names(directory, "text"), thousands)
    return render_template(_environment(directory), directory, "diagram/graph.dot.j2",
                           {"g": diagram, "fmt": fmt, "esc": html_escape,
                            "target": target or (lambda name: None)})


def dot_program() -> Optional[str]:
    return shutil.which("dot")


def layout_svg(dot_text: str) -> str:
    """SVG from DOT, laid out by Graphviz's dot: the ``<svg>`` element alone (no XML
    prolog or comments), so it can stand inside an HTML page."""
    program = dot_program()
    if program is None:
        raise GraphvizMissing(INSTALL)
    try:
        done = subprocess.run([program, "-Tsvg"], input=dot_text.encode("utf-8"), capture_output=True,
                              timeout=DOT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise SymparamsError(f"Graphviz's dot took more than {DOT_SECONDS} s to lay out the diagram; "
                             "write it with --format dot and lay it out yourself") from None
    if done.returncode != 0:
        first = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[0]
        raise SymparamsError(f"Graphviz's dot could not lay out the diagram: {first}")
    svg = done.stdout.decode("utf-8")
    svg = svg[svg.index("<svg"):]
    return re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)


def render_svg(diagram, templates: Optional[str] = None, thousands: str = ",") -> str:
    """The diagram as a standalone SVG file."""
    svg = layout_svg(render_dot(diagram, templates, thousands))
    return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + svg
