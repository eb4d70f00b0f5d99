"""Rich display in notebooks: every public result object's MIME bundle, checked by its
consumers (KaTeX in strict mode for the math, Python's HTML parser for the tables)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import sympy

from keras_api import load_fixture, model_path
from symparams.scaling import algebra as scaling
from symparams.keras.compute import compute
from symparams.keras.derivation import derive
from symparams.exam import Spec, draw
from symparams.readers import read_file
from symparams.scaling.report import build_report
from tools import ROOT, katex_render, math_fragments


def _model(stem: str):
    return read_file(str(model_path(stem))).model


class _Table(HTMLParser):
    """Counts rows and cells, and checks that every tag opened is closed in order."""

    def __init__(self):
        super().__init__()
        self.stack, self.rows, self.cells = [], 0, []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        if tag == "tr":
            self.rows += 1

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "td":
            self.cells.append(data)


def _html(text: str) -> _Table:
    parser = _Table()
    parser.feed(text)
    parser.close()
    assert not parser.stack, parser.stack
    return parser


def _objects():
    """Every kind of public result, each as (label, object)."""
    gpt = _model("gpt_decoder")
    w = sympy.Symbol("w", positive=True, integer=True)
    variants, _ = draw(Spec.from_toml(ROOT / "templates" / "exam" / "cnn.toml"), 1, seed=3)
    return [
        ("model", _model("mlp_symbolic")),
        ("functional model", _model("multi_io")),
        ("summary", _model("mlp_symbolic").summarize()),
        ("derivation", derive(_model("mlp_symbolic"))),
        ("compute", compute(gpt)),
        ("scale report", build_report(gpt, flops=True, memory=True, sweep_size="d_model",
                                      sweep_values=[256, 512])),
        ("sweep", scaling.sweep(w ** 2 + 3 * w, "w", [16, 32], {"flops": 2 * w ** 2})),
        ("crossover", scaling.crossover(w ** 2, 100 * w, "w")),
        ("exam variant", variants[0]),
    ]


def test_every_result_displays_itself_with_markdown_and_plain_text():
    for label, obj in _objects():
        bundle = obj._repr_mimebundle_()
        assert bundle["text/plain"].strip(), label
        markdown = bundle["text/markdown"]
        # math is math: no count or size in a code span
        assert not re.search(r"`[^`\n]*(\*\*|\d\*|\*\w)[^`\n]*`", markdown), (label, markdown)
        assert "$" in markdown, label


def test_tables_are_html_where_a_table_reads_better():
    summary = _model("mlp_symbolic").summarize()
    table = _html(summary._repr_mimebundle_()["text/html"])
    assert table.rows == 1 + len(summary.rows)
    assert "w² + w" in table.cells and "d·w + w" in table.cells
    run = load_fixture("multi_io")["runs"][0]
    html = _model("multi_io")._repr_mimebundle_()["text/html"]
    assert f"{run['total']:,}" in html and "concatenate[0][0]" in html
    gpt = compute(_model("gpt_decoder"))
    assert _html(gpt._repr_mimebundle_()["text/html"]).rows == 1 + len(gpt.rows)
    w = sympy.Symbol("w", positive=True, integer=True)
    sweep = _html(scaling.sweep(w ** 2, "w", [16, 32, 64])._repr_mimebundle_()["text/html"])
    assert sweep.rows == 4 and sweep.cells[:2] == ["16", "256"]


def test_a_sweep_is_still_a_list_of_dicts():
    w = sympy.Symbol("w", positive=True, integer=True)
    rows = scaling.sweep(w ** 2, "w", [16, 32])
    assert isinstance(rows, list) and rows == [{"w": 16, "total": 256}, {"w": 32, "total": 1024}]
    assert str(rows).splitlines()[-1].split() == ["32", "1,024"]


@pytest.mark.slow
def test_every_notebook_fragment_renders_in_katex():
    fragments = []
    for label, obj in _objects():
        bundle = obj._repr_mimebundle_()
        fragments += math_fragments(bundle["text/markdown"], f"{label}/markdown")
        if "text/latex" in bundle:
            fragments += math_fragments(bundle["text/latex"], f"{label}/latex")
    assert len(fragments) > 60
    code, out = katex_render(fragments)
    assert code == 0, out


def test_every_template_is_installed_with_the_package():
    """pyproject's package-data globs cover every file under templates/ (an installed
    symparams has no display otherwise, and no error says why)."""
    import fnmatch
    tomllib = pytest.importorskip("tomllib")
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = data["tool"]["setuptools"]["package-data"]["symparams.templates"]
    files = [p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*")
             if p.is_file()]
    missing = [f for f in files if not any(fnmatch.fnmatch(f, g) and f.count("/") == g.count("/")
                                           for g in globs)]
    assert not missing, missing


def test_every_package_is_installed():
    """pyproject lists every package under symparams/ (an installed symparams without one
    fails with an internal error, as it did for symparams.pytorch)."""
    tomllib = pytest.importorskip("tomllib")
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "symparams").rglob("__init__.py")}
    assert found <= listed, found - listed
