"""symparams html: the page, its diagram (Graphviz), its MathML, and the notebook display.

The browser tests open each page in headless Chromium (tests/browser_check.js, driving
Debian's chromium with playwright-core) and check what a reader meets: nothing loaded
from the network, no console errors, every math element and the diagram drawn with a
size, every link in the diagram landing on a derivation.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from xml.dom.minidom import parseString

import pytest
import sympy

from symparams.cli import main
from symparams.keras.derivation import derive
from symparams.html.diagram import MOST_BOXES, from_derivation
from symparams.html.page import page_of, render_page
from symparams.readers import read_file
from symparams.render import render
from symparams.render.diagrams import render_dot
from symparams.render.printers import MathMLPrinter

from tools import ROOT, node_modules_with, require

MODELS = ROOT / "tests" / "fixtures" / "models"
EXAMPLES = ROOT / "examples"


def read(path, subs=None, **options):
    return read_file(str(path), subs or {}, **options).model


def needs_dot():
    require("Graphviz's dot", shutil.which("dot") is not None)


# ---- MathML ------------------------------------------------------------------------


def test_mathml_printer_writes_mathml_core():
    p = MathMLPrinter()
    d, n = sympy.symbols("d_model num_classes")
    assert p.value(sympy.Integer(51264)) == "<mn>51,264</mn>"
    assert p.value(sympy.Integer(-3)) == "<mo>−</mo><mn>3</mn>"
    assert p.name("C_in") == "<msub><mi>C</mi><mtext>in</mtext></msub>"
    assert p.name("Total") == "<mtext>Total</mtext>"
    assert "<mi>num_classes</mi>" in p.value(d * n)
    assert "<msup>" in p.value(12 * d ** 2)
    assert p.shape((None, 4)) .startswith("<mrow><mo>(</mo>")


def test_every_math_element_of_a_derivation_is_well_formed():
    for path in (EXAMPLES / "cnn_51264.py", MODELS / "transformer_block.py", EXAMPLES / "configs" / "gpt2.json"):
        model = read(path, symbolic=["n_layer"]) if path.suffix == ".json" else read(path)
        page = page_of(model)
        html = render(page.derivation, "html")
        maths = re.findall(r"<math\b.*?</math>", html, re.S)
        assert len(maths) > 10, path
        for m in maths:
            parseString(m.replace("&#x", "&amp;#x"))   # raises on a tag left open


def test_html_derivation_says_what_the_text_one_says():
    d = derive(read(EXAMPLES / "cnn_51264.py"))
    html = render(d, "html")
    assert "<mn>51,264</mn>" in html and "<mn>154,798</mn>" in html
    assert 'id="layer-conv2d_1"' in html
    assert "$" not in html and "\\" not in html        # no LaTeX left over


# ---- the diagram -------------------------------------------------------------------


def test_multi_input_model_draws_every_input_and_output():
    g = from_derivation(derive(read(MODELS / "multi_io.py")))
    names = {b.id: b.name for b in g.boxes}
    inputs = [b.name for b in g.boxes if b.kind == "input"]
    assert sorted(inputs) == ["body", "tags", "title"]
    into = sorted(names[a.tail] for a in g.arrows if names[a.head] == "concatenate")
    assert into == ["lstm", "lstm_1", "tags"]
    out_of = sorted(names[a.head] for a in g.arrows if names[a.tail] == "concatenate")
    assert out_of == ["department", "priority"]


def test_residual_branches_are_arrows():
    g = from_derivation(derive(read(MODELS / "transformer_block.py")))
    names = {b.id: b.name for b in g.boxes}
    edges = {(names[a.tail], names[a.head]) for a in g.arrows}
    assert ("input_layer", "add") in edges and ("multi_head_attention", "add") in edges
    assert ("layer_normalization", "add_1") in edges and ("dense_1", "add_1") in edges
    assert g.symbolic and all(b.share is None for b in g.boxes)


def test_shares_add_up_and_shade_the_largest_layer():
    g = from_derivation(derive(read(EXAMPLES / "cnn_51264.py")))
    assert sum(b.share for b in g.boxes) == pytest.approx(1.0)
    assert max(g.boxes, key=lambda b: b.share).name == "dense"


def test_a_large_model_is_folded_and_says_so():
    d = derive(read(MODELS / "resnet50.py"))
    g = from_derivation(d)
    blocks = [b for b in g.boxes if b.copies is not None]
    assert blocks and all(b.inside is not None and b.copies >= 2 for b in blocks)
    assert len(g.boxes) <= MOST_BOXES
    # Nothing is dropped: every layer is a box, inside a folded block, or folded into an arrow.
    drawn = {b.name for b in g.boxes if b.copies is None}
    folded = sum(int(b.copies) * len([x for x in b.inside.boxes if x.kind != "input"]) for b in blocks)
    note = next(n for n in g.notes if "drawn as part of the arrow" in n)
    on_arrows = int(note.split()[0])
    assert len(drawn & {l.name for l in d.layers}) + folded + on_arrows == len(d.layers)
    assert sum(b.params for b in g.boxes if b.kind != "input") == d.total.value


def test_free_depth_is_one_box_times_n():
    model = read(EXAMPLES / "configs" / "gpt2.json", symbolic=["n_layer"])
    page = page_of(model)
    block = next(b for b in page.diagram.boxes if b.copies is not None)
    assert str(block.copies) == "n_layer" and block.type == "GPT2Block"
    assert {b.name for b in block.inside.boxes} >= {"ln_1", "attn.c_attn", "ln_2", "mlp.c_fc"}
    assert "the order they are registered" in page.diagram.notes[0]


def test_numeric_depth_folds_the_module_list():
    page = page_of(read(EXAMPLES / "configs" / "gpt2.json"))
    block = next(b for b in page.diagram.boxes if b.copies is not None)
    assert block.copies == 12 and block.name == "transformer.h.0 … transformer.h.11"
    assert block.params == 12 * 7087872


def test_pytorch_runs_of_alike_blocks_fold_and_follow_the_forward_pass():
    result = read_file(str(ROOT / "tests" / "fixtures" / "torch_models" / "resnet_torchvision.py"),
                       {"depth": 50}, input_size=[(1, 3, 224, 224)])
    model = result.model
    page = page_of(model, result.traces.get(id(model)))
    names = [b.name for b in page.diagram.boxes]
    assert names[:5] == ["conv1", "bn1", "relu", "maxpool", "layer1.0"]
    run = next(b for b in page.diagram.boxes if b.name == "layer3.1 … layer3.5")
    assert run.copies == 5 and run.type == "Bottleneck" and run.output_shapes == ((1, 1024, 14, 14),)
    assert sum(b.params for b in page.diagram.boxes) == page.summary.total
    assert "the order they are run" in page.diagram.notes[0]


@pytest.mark.slow
def test_dot_escapes_names_a_file_may_spell():
    needs_dot()
    from symparams import Input, Sequential
    from symparams.keras import layers
    model = Sequential([Input((4,)), layers.Dense(3, name='a<b>&"c"')])
    dot = render_dot(from_derivation(derive(model)))
    assert "a&lt;b&gt;&amp;&quot;c&quot;" in dot
    done = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# ---- the command -------------------------------------------------------------------


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
def test_html_command_writes_the_page(tmp_path, capsys):
    needs_dot()
    out_file = tmp_path / "page.html"
    code, out, err = run(["html", str(EXAMPLES / "cnn_51264.py"), "-o", str(out_file)], capsys)
    assert code == 0 and f"wrote {out_file}" in err
    html = out_file.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "<math" in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)     # nothing from the network


@pytest.mark.slow
def test_html_command_default_output_name(tmp_path, capsys, monkeypatch):
    needs_dot()
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["html", str(EXAMPLES / "resnet_block.py"), "--subs", "width=64"], capsys)
    assert code == 0 and (tmp_path / "resnet_block.html").is_file()
    assert "with <math><msub><mi>w</mi>" not in err


@pytest.mark.slow
def test_svg_and_dot_formats(capsys):
    needs_dot()
    code, out, _ = run(["html", str(MODELS / "multi_io.py"), "--format", "dot", "-o", "-"], capsys)
    assert code == 0 and out.startswith('digraph "') and "->" in out
    code, out, _ = run(["html", str(MODELS / "multi_io.py"), "--format", "svg", "-o", "-"], capsys)
    assert code == 0 and out.startswith("<?xml") and "<svg" in out and "concatenate" in out


def test_without_graphviz(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))     # no dot anywhere
    page = tmp_path / "p.html"
    code, _, err = run(["html", str(EXAMPLES / "cnn_51264.py"), "-o", str(page)], capsys)
    assert code == 0 and "the page has no diagram" in err and "apt install graphviz" in err
    assert "No diagram" in page.read_text() and "<math" in page.read_text()
    code, _, err = run(["html", str(EXAMPLES / "cnn_51264.py"), "--format", "svg", "-o", "-"], capsys)
    assert code == 2 and err.count("\n") == 1 and "--format dot" in err
    code, out, _ = run(["html", str(EXAMPLES / "cnn_51264.py"), "--format", "dot", "-o", "-"], capsys)
    assert code == 0 and out.startswith("digraph")


def test_bad_input_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.py"
    bad.write_text("import keras\nmodel = keras.Sequential([keras.layers.Dense(])\n")
    code, _, err = run(["html", str(bad)], capsys)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    code, _, err = run(["html", str(EXAMPLES / "cnn_51264.py"), "-o", str(tmp_path / "no" / "dir.html")], capsys)
    assert code == 2 and "cannot write" in err


# ---- notebooks ---------------------------------------------------------------------


@pytest.mark.slow
def test_notebook_display():
    needs_dot()
    model = read(MODELS / "multi_io.py")
    bundle = model._repr_mimebundle_()
    assert "<svg" in bundle["text/html"] and "<table" in bundle["text/html"]
    assert "text/plain" in bundle
    torch_model = read(EXAMPLES / "configs" / "gpt2.json")
    bundle = torch_model._repr_mimebundle_()
    assert "<svg" in bundle["text/html"] and "GPT2LMHeadModel" in bundle["text/plain"]
    assert "<math" in derive(model)._repr_mimebundle_()["text/html"]


# ---- in a real browser -------------------------------------------------------------


def browser(url: str, screenshot: Path, pdf: Path | None = None) -> dict:
    node, modules = shutil.which("node"), node_modules_with("playwright-core")
    require("node with playwright-core", node is not None and modules is not None)
    require("Chromium", Path(os.environ.get("CHROMIUM", "/usr/bin/chromium")).exists())
    job = {"url": url, "screenshot": str(screenshot), "width": 1000, **({"pdf": str(pdf)} if pdf else {})}
    done = subprocess.run([node, str(ROOT / "tests" / "browser_check.js")], input=json.dumps(job),
                          capture_output=True, text=True, timeout=300, env={**os.environ, "NODE_PATH": str(modules)})
    assert done.returncode == 0, done.stderr[-1500:]
    return json.loads(done.stdout)


PAGES = {
    "resnet_block": [str(EXAMPLES / "resnet_block.py"), "--subs", "width=64"],
    "transformer_block": [str(MODELS / "transformer_block.py")],
    "multi_io": [str(MODELS / "multi_io.py")],
    "gpt2_free_depth": [str(EXAMPLES / "configs" / "gpt2.json"), "--symbolic", "n_layer"],
    "resnet50": [str(MODELS / "resnet50.py")],
    "torch_resnet": [str(ROOT / "tests" / "fixtures" / "torch_models" / "resnet_torchvision.py"),
                     "--input-size", "1,3,224,224", "--subs", "depth=50"],
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_in_chromium(name, tmp_path, capsys):
    needs_dot()
    page = tmp_path / f"{name}.html"
    code, _, err = run(["html", *PAGES[name], "-o", str(page)], capsys)
    assert code == 0, err
    report = browser(page.as_uri(), tmp_path / f"{name}.png")
    assert report["requests"] == [page.as_uri()], "the page loaded something besides itself"
    assert not report["pageErrors"] and not [m for m in report["console"] if m["type"] in ("error", "warning")]
    assert report["math"]["count"] > 10 and report["math"]["empty"] == 0
    # MathML is laid out as math, not as a line of text: a fraction stands taller than text.
    assert all(h > 18 for h in report["math"]["fractions"])
    assert report["diagrams"] and all(d["w"] > 100 and d["h"] > 100 for d in report["diagrams"])
    assert report["boxes"] >= 5
    ids = set(report["targets"])
    links = [l for l in report["links"] if l]
    assert links and all(l[1:] in ids for l in links), "a box links to no derivation"
    assert (tmp_path / f"{name}.png").stat().st_size > 20_000


@pytest.mark.slow
def test_page_prints_to_pdf(tmp_path, capsys):
    needs_dot()
    require("pdftotext", shutil.which("pdftotext") is not None)
    page = tmp_path / "resnet_block.html"
    code, _, err = run(["html", *PAGES["resnet_block"], "-o", str(page)], capsys)
    assert code == 0, err
    browser(page.as_uri(), tmp_path / "shot.png", pdf=tmp_path / "printed.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "printed.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    # The whole page is there in order: the diagram's boxes, the table, every derivation.
    for words in ("conv_a", "Summary", "Total params", "Worked solution", "bn_projection", "relu_out"):
        assert words in text
    assert text.index("Summary") < text.index("Worked solution")
    assert "Contents" not in text and "Inside" not in text      # the screen-only parts are left out


def test_a_recurrent_modules_box_shows_each_tensor_it_returns():
    """An LSTM returns (output, (h, c)): its box shows the three shapes PyTorch recorded, and
    the diagram is drawn (it was refused with an internal error)."""
    from torch_api import SOURCES, load_torch_fixture
    run = load_torch_fixture("lstm_classifier")["runs"][0]
    recorded = {m["name"]: m["output_shape"] for m in run["modules"]}
    result = read_file(str(SOURCES / "lstm_classifier.py"), input_size=[tuple(run["input_size"])])
    page = page_of(result.model, result.trace_of(result.model))
    box = next(b for b in page.diagram.boxes if b.name == "lstm")
    out, (h, c) = recorded["lstm"]
    assert [list(s) for s in box.output_shapes] == [out, h, c]
    assert render_dot(page.diagram).startswith('digraph "')
