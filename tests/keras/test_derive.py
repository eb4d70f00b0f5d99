"""Worked solutions: the seeds' arithmetic, formulas that equal the weights, every format
rendered by its real consumer (pdflatex, KaTeX), and template errors as one line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import sympy

from keras_api import FIXTURES, fixture_names, load_fixture, model_source
from symparams import summarize
from symparams.cli import main
from symparams.keras.derivation import derive
from symparams.readers import read_file, read_source
from symparams.render import render
from symparams.results import results_of
from symparams.keras.summary import json_size
from tools import katex_render, math_fragments, pdflatex

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
DIALECTS = FIXTURES / "dialects"
MODELS = FIXTURES / "models"


def model_of(stem, run=0):
    return read_source(model_source(stem), f"{stem}.py", load_fixture(stem)["runs"][run]["bindings"]).model


def text_of(model, **kw):
    return render(derive(model), "text", thousands="", **kw)


def line_with(text: str, needle: str) -> str:
    """The equation that contains ``needle``, its continuation lines (``  = ...``) joined."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if needle in line:
            joined = line.rstrip()
            for more in lines[i + 1:]:
                if not more.lstrip().startswith("= "):
                    break
                joined += " " + more.strip()
            return joined
    raise AssertionError(f"{needle!r} not in derivation")


# ---- the seeds' arithmetic, with Keras's numbers ------------------------------------


def test_seed_dense_784():
    run = load_fixture("seed_dense784")["runs"][0]
    text = text_of(model_of("seed_dense784"))
    assert line_with(text, "784·10 + 10").endswith(f"= {run['layers'][0]['params']}")
    assert f"= {run['total']}" in line_with(text, "Total =")


def test_seed_dense_514():
    run = load_fixture("seed_dense514")["runs"][0]
    text = text_of(model_of("seed_dense514"))
    assert line_with(text, "514·514 + 514").endswith(f"= {run['layers'][0]['params']}")
    assert line_with(text, "514·257 + 257").endswith(f"= {run['layers'][1]['params']}")


def test_seed_51264():
    run = load_fixture("seed_cnn_004")["runs"][0]
    text = text_of(read_file(str(DIALECTS / "keras1_cnn_004.py")).model)
    conv = next(l for l in run["layers"] if l["name"] == "conv2d_1")
    block = text[text.index("conv2d_1 (Conv2D)"):]
    assert "(5·5·32 + 1)·64 = (800 + 1)·64" in block
    assert f"801·64 = {conv['params']}" in block
    assert "pooling" in text.lower() and "no parameters" in text
    dropout = text[text.index("dropout (Dropout)"):]
    assert "removes no weights" in dropout.splitlines()[1]     # seed 004's second question


def test_seed_conv_chain_896():
    run = load_fixture("seed_conv_chain")["runs"][0]
    text = text_of(model_of("seed_conv_chain"))
    assert line_with(text, "(3·3·3 + 1)·32").endswith(f"= {run['layers'][0]['params']}")


def test_seed_conv1d_chain():
    """Seed 003: Conv1D, pooling ⌊(41 − 2)/2⌋ + 1 = 20, Flatten 20·64 = 1280, Dense 163,968."""
    run = load_fixture("seed_conv1d")["runs"][0]
    shapes = {l["name"]: l["output_shapes"][0] for l in run["layers"]}
    params = {l["name"]: l["params"] for l in run["layers"]}
    text = text_of(read_file(str(DIALECTS / "keras1_conv1d.py")).model)
    assert line_with(text, "(3·1 + 1)·64").endswith(f"= {params['conv1d']}")
    pool = line_with(text, "⌊(41 − 2)/2⌋ + 1")
    assert shapes["max_pooling1d"][1] == 20 and text.count("= 20") >= 1
    assert line_with(text, "20·64").endswith(f"= {shapes['flatten'][1]}")
    assert line_with(text, "(1280 + 1)·128").endswith(f"= {params['dense']}")
    assert f"= {run['total']}" in line_with(text, "Total =")
    assert "L_out = ⌊(L_in − p)/s⌋ + 1" in pool


def test_where_sizes_come_from():
    text = text_of(read_file(str(DIALECTS / "keras1_cnn_004.py")).model)
    block = text[text.index("conv2d_1 (Conv2D)"):]
    assert "C_in = 32 (axis 3 of max_pooling2d's output (None, 12, 12, 32))" in block


def test_memory_and_symbolic_totals():
    run = load_fixture("seed_dense784")["runs"][0]
    text = text_of(model_of("seed_dense784"))
    assert f"Memory = {run['total']}·4 = {4 * run['total']}" in text
    symbolic = render(derive(read_source(model_source("mlp_symbolic"), "m.py").model), "text")
    assert "Total = (d·w + w) + (w² + w) + (k·w + k)" in symbolic
    assert "= d·w + k·w + w² + k + 2·w" in symbolic


def test_trainable_split_and_frozen_and_shared():
    run = load_fixture("frozen")["runs"][0]
    d = derive(model_of("frozen"))
    assert d.trainable.value == run["trainable"] and d.non_trainable.value == run["non_trainable"]
    text = render(d, "text", thousands="")
    assert "frozen (trainable = False)" in text
    shared = render(derive(model_of("shared_layer")), "text")
    assert "called 2 times" in shared and "counted once" in shared
    bn = render(derive(model_of("batchnorm")), "text")
    assert "P_non-trainable = 2·C" in bn


# ---- every fixture: formula = weights = Keras ---------------------------------------

ALL_RUNS = [(stem, i) for stem in fixture_names() for i in range(len(load_fixture(stem)["runs"]))]
NO_TEXTBOOK = {"Attention", "AdditiveAttention", "Sequential", "Functional"}


@pytest.mark.parametrize("stem,run_index", ALL_RUNS, ids=[f"{s}-{i}" for s, i in ALL_RUNS])
def test_textbook_formula_equals_weights_equals_keras(stem, run_index):
    run = load_fixture(stem)["runs"][run_index]
    d = derive(model_of(stem, run_index))
    assert [l.name for l in d.layers] == [l["name"] for l in run["layers"]]
    for mine, theirs in zip(d.layers, run["layers"]):
        assert mine.params == theirs["params"]
        if mine.formula is not None:
            assert mine.formula.value == theirs["params"]
        elif theirs["params"] and mine.type not in NO_TEXTBOOK:
            pytest.fail(f"{mine.type} has weights but no textbook formula")
        if mine.weight_sum is not None:
            assert mine.weight_sum.value == theirs["params"]
        for a in mine.axes:
            assert a.working.value == theirs["output_shapes"][0][a.axis], (mine.name, a.label)
    assert d.total.value == run["total"]


@pytest.mark.parametrize("stem", fixture_names())
def test_every_format_renders(stem):
    d = derive(model_of(stem))
    for fmt, kw in [("text", {}), ("markdown", {}), ("latex", {"profile": "notebook"}),
                    ("latex", {"profile": "document", "numbered": True})]:
        out = render(d, fmt, **kw)
        assert d.name in out.replace("\\allowbreak{}", "").replace("\\_", "_")


# ---- real consumers ------------------------------------------------------------------

def _compile_targets(detail: str = "standard"):
    targets = [(f"fixture-{s}", lambda s=s: derive(model_of(s), detail=detail)) for s in fixture_names()]
    # the examples are Keras and PyTorch files: each derived by its own framework's rules
    targets += [(f"example-{p.stem}", lambda p=p: results_of(read_file(str(p))).derive(detail=detail))
                for p in EXAMPLES if p.stem != "api_quickstart"]
    return targets


@pytest.mark.slow
def test_standalone_documents_compile(tmp_path):
    """Every fixture and example, numbered and not, at the default detail: nothing off the page."""
    for name, make in _compile_targets():
        for numbered in (False, True):
            tex = render(make(), "latex", standalone=True, numbered=numbered)
            pdflatex(tex, tmp_path, f"{name}-{int(numbered)}", max_overfull=1.0)


@pytest.mark.slow
@pytest.mark.parametrize("detail", ["summary", "full"])
def test_standalone_documents_compile_at_every_detail(tmp_path, detail):
    for name, make in _compile_targets(detail):
        pdflatex(render(make(), "latex", standalone=True), tmp_path, f"{name}-{detail}", max_overfull=1.0)


def test_repeated_blocks_are_derived_once():
    text = render(derive(model_of("resnet50")), "text")
    assert ("The next 4 blocks of 10 layers, from conv4_block3_1_conv to conv4_block6_out, are each "
            "the same as the block before them, conv4_block2_1_conv to conv4_block2_out") in text
    assert "P = 4·1,121,792 = 4,487,168" in text
    full = render(derive(model_of("resnet50"), detail="full"), "text")
    assert "same as the block" not in full and len(full) > 2 * len(text)
    # The totals are a table, and the total is its column's sum, not a hundred-term line.
    run = load_fixture("resnet50")["runs"][0]
    assert f"Total = {run['total']:,}\n" in text
    assert re.search(r"^predictions +Dense +\(None, 1000\) +2,049,000", text, re.M)


def test_the_totals_table_counts_the_copies_of_a_repeated_block_in_one_row():
    run = load_fixture("resnet50")["runs"][0]
    text = render(derive(model_of("resnet50")), "text")
    table = text[text.index("Totals"):text.index("The total is")]
    assert re.search(r"^conv4_block3_1_conv … conv4_block6_out +4 × block +\(None, 14, 14, 1024\) +4,487,168 ",
                     table, re.M)
    assert "conv4_block4_1_conv " not in table and "conv4_block2_1_conv " in table
    column = [int(m.replace(",", "")) for m in re.findall(r"^\S.*?  +([\d,]+) +[\d,]+$", table, re.M)]
    assert sum(column) == run["total"]
    full = render(derive(model_of("resnet50"), detail="full"), "text")
    assert "× block" not in full and "conv4_block4_1_conv " in full[full.index("Totals"):]


def test_a_long_model_checks_the_weights_of_the_first_layer_of_each_kind_only():
    text = render(derive(model_of("resnet50")), "text")
    first, later = _section(text, "conv1_conv"), _section(text, "conv3_block1_2_conv")
    assert "Check with the weights" in first and "(7·7·3 + 1)·64" in first
    assert "Check with the weights" not in later and "(3·3·128 + 1)·128" in later
    assert "P_non-trainable" in _section(text, "conv1_bn")
    assert "P_non-trainable" not in _section(text, "conv2_block1_1_bn")
    # A 1×1 convolution with stride 1 leaves height and width as they were: no working for them.
    assert "H_out" not in _section(text, "conv2_block1_1_conv")
    assert "H_out" in _section(text, "conv3_block1_1_conv")
    # A short model (a textbook exercise) keeps every check.
    seed = render(derive(model_of("seed_dense514")), "text")
    assert seed.count("Check with the weights") == 2 and "514·257 + 257" in seed


def test_axes_worked_out_with_the_same_numbers_are_said_once():
    text = render(derive(model_of("resnet50")), "text")
    conv1 = _section(text, "conv1_conv")
    assert conv1.count("H_out = ") == 1 and "W_out = " not in conv1.replace("gives W_out = 112", "")
    assert "The same working gives W_out = 112." in conv1
    full = _section(render(derive(model_of("resnet50"), detail="full"), "text"), "conv1_conv")
    assert "W_out = ⌊" in full or "W_out = floor" in full or full.count("W_out") == 1


def _section(text: str, layer: str) -> str:
    """A layer's part of a text derivation: from its heading to the next blank line."""
    start = text.index(f"\n{layer} (")
    end = text.find("\n\n", start + 1)
    return text[start:end if end > 0 else None]


def test_summary_detail_keeps_formulas_for_layers_with_parameters():
    text = render(derive(model_of("seed_cnn_004"), detail="summary"), "text")
    assert "(5·5·32 + 1)·64" in text and "Check with the weights" not in text and "H_out" not in text


def test_a_step_too_wide_breaks_at_its_operators():
    from symparams.render import Fmt
    from types import SimpleNamespace
    from symparams.core.formula import Num, Sum
    fmt = Fmt("latex", {}, ",", 40)
    lines = fmt.equation(SimpleNamespace(formula=None, lines=[Sum(tuple(Num(sympy.Integer(10**6 + i))
                                                                         for i in range(12)))]), "Total")
    assert len(lines) > 2 and lines[1].startswith("&\\quad +")
    assert all(len(l) < 80 for l in lines)


@pytest.mark.slow
def test_user_names_are_escaped(tmp_path):
    source = "x = Input((4,), name='in_put#1')\nmodel = Model(x, Dense(3, name='my_dense&$%~^{}')(x), name='net_1')\n"
    d = derive(read_source(source, "m.py").model)
    pdflatex(render(d, "latex", standalone=True), tmp_path, "escaped")
    assert "`my_dense&$%~^{}`" in render(d, "markdown")


@pytest.mark.slow
def test_notebook_latex_and_markdown_render_in_katex():
    fragments = []
    for name, make in _compile_targets():
        d = make()
        notebook = render(d, "latex", profile="notebook")
        for banned in (r"\intertext", r"\label", r"\section", r"\begin{align}", r"\begin{align*}"):
            assert banned not in notebook, (name, banned)
        fragments += math_fragments(notebook, f"{name}/latex")
        fragments += math_fragments(render(d, "markdown"), f"{name}/markdown")
    assert len(fragments) > 500
    code, out = katex_render(fragments)
    assert code == 0, out


# ---- CLI and templates -----------------------------------------------------------------


def derive_cli(capsys, *args):
    code = main(["derive", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_layer_filter_and_output_file(tmp_path, capsys):
    target = tmp_path / "out.md"
    code, out, err = derive_cli(capsys, str(DIALECTS / "keras1_cnn_004.py"), "--format", "markdown",
                                "--layer", "conv2d_1", "-o", str(target))
    # stderr says only the file it wrote and which Keras's rules the counts follow
    assert code == 0 and out == "" and err.startswith(f"wrote {target}\n")
    assert err.endswith("note: read as Keras 1 code (Convolution2D, border_mode=, init=, nb_filter=); give "
                        "--keras 3 to read it as Keras 3\n") and err.count("\n") == 2
    text = target.read_text()
    assert "`conv2d_1`" in text and "`dense_1`" not in text
    assert "(5 \\cdot 5 \\cdot 32 + 1) \\cdot 64" in text


def one_line_error(code, err):
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err.strip()


def test_unknown_layer_name(capsys):
    code, out, err = derive_cli(capsys, str(DIALECTS / "keras1_cnn_004.py"), "--layer", "conv9")
    assert "no layer named 'conv9'" in one_line_error(code, err)


def copied_templates(tmp_path) -> Path:
    """A teacher's copy of templates/, to edit."""
    custom = tmp_path / "tpl"
    shutil.copytree(ROOT / "templates", custom)
    return custom


def test_missing_template(tmp_path, capsys):
    custom = copied_templates(tmp_path)
    (custom / "text" / "derivation.txt.j2").unlink()
    code, out, err = derive_cli(capsys, str(DIALECTS / "keras1_cnn_004.py"), "--format", "text",
                                "--templates", str(custom))
    line = one_line_error(code, err)
    assert str(custom) in line and "missing template text/derivation.txt.j2" in line


def test_missing_template_directory(tmp_path, capsys):
    code, out, err = derive_cli(capsys, str(DIALECTS / "keras1_cnn_004.py"), "--templates",
                                str(tmp_path / "none"))
    assert "no such template directory" in one_line_error(code, err)


def test_broken_template(tmp_path, capsys):
    custom = copied_templates(tmp_path)
    path = custom / "text" / "derivation.txt.j2"
    path.write_text(path.read_text() + "\n((* if *))\n")
    code, out, err = derive_cli(capsys, str(DIALECTS / "keras1_cnn_004.py"), "--format", "text",
                                "--templates", str(custom))
    line = one_line_error(code, err)
    assert "derivation.txt.j2" in line and "syntax error" in line


def test_template_that_fails_to_render(tmp_path, capsys):
    custom = copied_templates(tmp_path)
    path = custom / "text" / "derivation.txt.j2"
    path.write_text(path.read_text() + "\n((( d.no_such_field )))\n")
    code, out, err = derive_cli(capsys, str(DIALECTS / "keras1_cnn_004.py"), "--format", "text",
                                "--templates", str(custom))
    line = one_line_error(code, err)
    assert "derivation.txt.j2" in line and "no_such_field" in line


def test_custom_wording(tmp_path, capsys):
    custom = copied_templates(tmp_path)
    prose = custom / "prose.j2"
    prose.write_text(prose.read_text().replace("Dropout sets a random fraction",
                                               "Dropout setzt einen zufälligen Anteil"))
    code, out, err = derive_cli(capsys, str(DIALECTS / "keras1_cnn_004.py"), "--format", "text",
                                "--templates", str(custom))
    assert code == 0 and "Dropout setzt einen zufälligen Anteil" in out


def test_mimebundles():
    model = model_of("seed_dense784")
    bundle = derive(model)._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/markdown", "text/latex", "text/html"}
    assert bundle["text/html"].count("<math") > 5          # the worked solution in MathML
    assert set(summarize(model)._repr_mimebundle_()) == {"text/plain", "text/markdown", "text/latex",
                                                         "text/html"}


def test_assume_divisible_gives_the_textbook_transformer_polynomial(capsys):
    from symparams import symbol
    d_model, d_ff = symbol("d_model"), symbol("d_ff")
    model = read_source(model_source("transformer_block"), "transformer_block.py",
                        {"seq": 64}).model
    summary = summarize(model).assume_divisible()
    assert sympy.expand(summary.total - (4 * d_model**2 + 9 * d_model + 2 * d_ff * d_model + d_ff)) == 0
    for run in load_fixture("transformer_block")["runs"]:
        # heads cancels out of the polynomial: only d_model and d_ff remain to bind.
        values = {k: v for k, v in run["bindings"].items() if k in summary.symbols}
        assert json_size(summary.subs(values).total) == run["total"]  # the sizes divide
    d = derive(model, assume_divisible=True)
    assert d.divisible and "taken as exact" in render(d, "text")
    assert "floor" not in str(d.total.value) and "⌊" not in render(d, "text").split("Totals")[1]
    assert main(["summary", str(MODELS / "transformer_block.py"), "--subs", "seq=64",
                 "--assume-divisible"]) == 0
    assert "Assumed: every floor" in capsys.readouterr().out


def test_faults_seen_by_new_users_stay_fixed():
    source = ("import keras\nx = keras.Input((V,))\n"
              "m = keras.Model(x, keras.layers.Dense(1)(keras.layers.Embedding(V, d)(x)))\n")
    text = render(derive(read_source(source, "m.py").model), "text")
    assert "Each of the 1 units" not in text and "Its one unit has" in text
    assert "V = V" not in text and "d = d;" not in text
    # ... but where such a size comes from is still said
    assert "where V, d (the input_dim argument" not in text
    assert "where V (the input_dim argument); d (the output_dim argument)" in text
    # a single weight's check is shown, not a sentence ending in a colon
    assert "Check with the weights: embeddings (V, d):\n  V·d\n" in text
    assert "no common factor" not in text
    repeat = render(derive(read_source(model_source("mlp_symbolic"), "m.py").model), "text") \
        if "range(" in model_source("mlp_symbolic") else ""
    assert "The block functional" not in repeat


def test_self_attention_names_the_shared_key_value_input():
    text = render(derive(model_of("transformer_block")), "text")
    block = text[text.index("multi_head_attention (MultiHeadAttention)"):]
    block = block[:block.index("Output shape")]
    assert "d_kv" in block and "d_value" not in block


def test_bound_sizes_show_the_closed_form_first():
    model = read_file(str(MODELS / "mlp_symbolic.py")).model
    text = render(derive(model, subs={"w": 64, "d": 32, "k": 10}), "text")
    closed = text.index("Total = d·w + k·w + w² + k + 2·w")
    assert closed < text.index("Total = 2,112 + 4,160 + 650 = 6,922")
    assert "with w = 64, d = 32, k = 10 put in" in text
    # closed form, then the values put in, then the arithmetic to the value
    assert "Total = d·w + k·w + w² + k + 2·w\n      = 32·64 + 10·64 + 64² + 10 + 2·64\n" \
           "      = 2,048 + 640 + 4,096 + 10 + 128 = 6,922\n" in text
    assert "before they are bound" not in render(derive(model), "text")


def test_the_cli_shows_the_closed_form_before_the_numbers_of_subs(capsys):
    run = load_fixture("gpt_decoder")["runs"][0]
    subs = [a for k, v in run["bindings"].items() for a in ("--subs", f"{k}={v}")]
    assert main(["derive", str(ROOT / "examples" / "gpt_decoder.py"), "--format", "text", *subs]) == 0
    text = capsys.readouterr().out
    closed = text.index("Total = 4·d_model·n_heads·n_layer·⌊d_model/n_heads⌋\n          + 8·d_model²·n_layer")
    assert closed < text.index("= 4·768·12·12·⌊768/12⌋ + 8·768²·12") < text.index(f"      = {run['total']:,}\n")
    assert text.index(f"      = {run['total']:,}\n") < text.index(f"Total = {run['total']:,}\n")
    # a shape binding decides the structure: no closed form, the derivation as before
    assert main(["derive", str(MODELS / "seed_cnn_004.py"), "--format", "text",
                 "--subs", "input_shape=(28,28,1)"]) == 0
    assert "before they are bound" not in capsys.readouterr().out


def test_every_size_of_an_output_axis_names_its_source():
    text = render(derive(read_source(
            "import keras\nfrom keras import layers\n"
            "m = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3, strides=2),"
            " layers.MaxPooling2D(2), layers.Conv2D(8, 3, padding='same', strides=2)])\n", "m.py").model), "text")
    conv = _section(text, "conv2d")
    assert "where H_in = 28 (axis 1 of input_layer's output (None, 28, 28, 1)); s_h = 2 (the strides argument)" in conv
    assert "padding valid (none: a window fits only inside the input)" in conv
    pool = _section(text, "max_pooling2d")
    # keras/src/layers/pooling/base_pooling.py: strides=None means strides = pool_size
    assert "p_h = 2 (the pool_size argument); s_h = 2 (strides is not given, so Keras uses pool_size)" in pool
    assert "padding same (zeros pad the input, so a window starts at every stride)" in _section(text, "conv2d_1")


def test_a_recurrent_layer_says_what_its_output_is():
    text = render(derive(model_of("lstm_states")), "text")
    assert "Its output is its state at every time step (return_sequences=True), 9 numbers per step." in text
    assert "Its output is its state after the last time step only (return_sequences=False), 5 numbers per sequence." \
        in text


def test_a_symbolic_weight_check_ends_in_its_value_not_an_equals_sign():
    model = read_file(str(ROOT / "examples" / "mlp_symbolic.py")).model
    for fmt in ("text", "markdown", "latex"):
        out = render(derive(model), fmt)
        lines = [l.rstrip() for l in out.splitlines()]
        assert not any(l.endswith(("=", "&=", "= \\\\")) and set(l) != {"="} for l in lines), fmt
    text = render(derive(model), "text")
    assert "Check with the weights: kernel (n_in, width), bias (width):\n  n_in·width + width\n" in text
