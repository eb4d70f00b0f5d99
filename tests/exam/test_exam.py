"""Exams: variants, answers checked against the engine and real Keras, and every output format
checked by its real consumer (pdflatex, a GIFT parser, text2qti, an XML parser, KaTeX)."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from keras_api import load_fixture
from symparams import exam, summarize
from symparams.cli import main
from symparams.readers import read_source
from tools import gift_parse, katex_render, math_fragments, pdflatex, require

ROOT = Path(__file__).resolve().parents[2]
# Specs are TOML files, read with the standard library's tomllib (Python 3.11+);
# Spec.from_dict works everywhere and is tested below on every version.
needs_toml = pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11+")
KERAS_SPECS = {name: ROOT / "templates" / "exam" / f"{name}.toml"
               for name in ("cnn", "rnn", "batchnorm", "shapes", "layers", "compute", "cloze", "attention", "recurrent", "separable", "formulas")}
TORCH_SPECS = {name: ROOT / "templates" / "exam" / f"{name}.toml" for name in ("torch_cnn", "torch_rnn")}
SPECS = {**KERAS_SPECS, **TORCH_SPECS}


@pytest.fixture(scope="module")
def cnn100():
    spec = exam.Spec.from_toml(SPECS["cnn"])
    variants, report = exam.draw(spec, 100, seed=1)
    return spec, variants, report


def engine_answer(spec, v, q):
    """The answer, recomputed from scratch: read the variant's own filled-in source."""
    from symparams.keras.compute import compute
    if q.framework == "pytorch":
        return engine_torch_answer(v, q)
    model = read_source(v.source, "variant.py").model
    s = summarize(model)
    if q.kind == "total_params":
        return int(s.total)
    if q.kind == "trainable_params":
        return int(s.trainable)
    if q.kind == "non_trainable_params":
        return int(s.non_trainable)
    if q.kind in ("layer_params", "formula"):
        return int(s.row(q.layer).params)
    if q.kind == "flatten_size":
        return int(next(r for r in s.rows if r.type == "Flatten").output_shapes[0][1])
    if q.kind == "output_shape":
        return tuple(None if d is None else int(d) for d in s.row(q.layer).output_shapes[0])
    if q.kind == "largest_layer":
        return max(s.rows, key=lambda r: int(r.params)).name
    if q.kind == "param_free_layers":
        return tuple(r.name for r in s.rows if int(r.params) == 0)
    if q.kind == "compute":
        c = compute(model)
        macs = int(next(r.macs for r in c.rows if r.name == q.layer)) if q.layer else int(c.macs)
        return 2 * macs if q.spec.measure == "flops" else macs
    if q.kind == "cloze":
        return int(s.total)
    if q.kind == "find_bug":
        return q.facts["wrong_row"]
    return q.answer


def engine_torch_answer(v, q):
    """A PyTorch version's answer from the summary of its own source's forward pass."""
    from symparams.pytorch.summary import summarize_module
    result = read_source(v.source, "variant.py")
    s = summarize_module(result.module, trace=result.trace_of(result.module))
    rows = {r.name: r for r in s.rows if r.name}
    first = lambda out: out[0] if isinstance(out[0], tuple) else out   # noqa: E731 - an LSTM's (output, state)
    if q.kind == "total_params":
        return int(s.total)
    if q.kind in ("layer_params", "formula"):
        return int(rows[q.layer].own)
    if q.kind == "output_shape":
        return tuple(int(d) for d in first(rows[q.layer].output_shape))
    if q.kind == "flatten_size":
        return int(next(r for r in s.rows if r.type == "Flatten").output_shape[1])
    if q.kind == "largest_layer":
        return max(rows.values(), key=lambda r: int(r.own)).name
    if q.kind == "compute":
        macs = int(rows[q.layer].macs if q.layer else s.macs)
        return 2 * macs if q.spec.measure == "flops" else macs
    if q.kind == "cloze":
        return int(s.total)
    if q.kind == "find_bug":
        return q.facts["wrong_row"]
    return q.answer


@needs_toml
def test_hundred_cnn_variants(cnn100):
    spec, variants, report = cnn100
    assert len(variants) == 100 == report.variants
    # pairwise distinct: a different answer, not just a different order
    assert len({tuple(q.answer for q in v.questions) for v in variants}) == 100 == report.distinct_answers
    for v in variants:
        for q in v.questions:
            assert q.answer == engine_answer(spec, v, q)
            assert spec.answer_min <= q.answer <= spec.answer_max
            assert len(q.choices) == 4 and sum(c.correct for c in q.choices) == 1
            values = [c.value for c in q.choices]
            assert len(set(values)) == 4
            assert all(c.misconception in exam.MISCONCEPTIONS for c in q.choices if not c.correct)
    # the answer stands in each position equally often
    for qi in range(len(spec.questions)):
        counts = Counter(v.questions[qi].answer_position for v in variants)
        assert set(counts) == {0, 1, 2, 3} and max(counts.values()) - min(counts.values()) <= 1


@needs_toml
@pytest.mark.parametrize("seed", range(8))
def test_one_version_spreads_its_answers_over_the_positions(seed):
    """A single version does not put every right answer in one place: its multiple-choice
    questions' answers stand in different positions (as many as there are questions, up to
    the number of choices)."""
    spec = exam.Spec.from_toml(SPECS["cnn"])
    (variant,), _ = exam.draw(spec, 1, seed=seed)
    positions = [q.answer_position for q in variant.questions if q.choices]
    assert len(positions) >= 2
    assert len(set(positions)) == min(len(positions), 4)


def keras_answer(q, run):
    """What real Keras says the answer is, from its recorded summary (None: Keras cannot say)."""
    rows = {l["name"]: l for l in run["layers"]}
    if q.kind in _MODEL_WIDE:
        return _model_wide_answer(q, run)
    if q.kind in ("layer_params", "formula"):
        return rows[q.layer]["params"]
    if q.kind == "flatten_size":
        return next(l for l in run["layers"] if l["type"] == "Flatten")["output_shapes"][0][1]
    if q.kind == "output_shape":
        return tuple(rows[q.layer]["output_shapes"][0])
    if q.kind == "largest_layer":
        return max(run["layers"], key=lambda l: l["params"])["name"]
    if q.kind == "param_free_layers":
        return tuple(l["name"] for l in run["layers"] if l["params"] == 0)
    return None     # MACs: Keras has no counter; find_bug and budgets: checked below


_MODEL_WIDE = ("total_params", "trainable_params", "non_trainable_params", "cloze",
               "weight_memory", "training_memory")


def _model_wide_answer(q, run):
    """An answer made from the framework's totals alone (the same keys in both recordings)."""
    from symparams.exam.spec import UNITS
    if q.kind in ("total_params", "cloze"):
        return run["total"]
    if q.kind in ("trainable_params", "non_trainable_params"):
        return run[q.kind[:-len("_params")]]
    if q.kind == "weight_memory":
        from symparams.core.units import DTYPE_BYTES
        v = Fraction(run["total"]) * Fraction(int(DTYPE_BYTES[q.spec.dtype])) / UNITS[q.spec.unit]
    else:
        from symparams.scaling.memory import training_memory
        m = training_memory(run["trainable"], run["non_trainable"], q.spec.optimizer, q.spec.precision)
        v = Fraction(int(m.total)) / UNITS[q.spec.unit]
    return v.numerator if v.denominator == 1 else v


@needs_toml
@pytest.mark.parametrize("name", list(KERAS_SPECS))
def test_sampled_variants_confirmed_by_real_keras(name):
    recorded = load_fixture(f"exam_{name}")
    spec = exam.Spec.from_toml(SPECS[name])
    variants, _ = exam.draw(spec, recorded["variants"], seed=recorded["seed"])
    by_number = {v.number: v for v in variants}
    confirmed = 0
    for run in recorded["sample"]:
        v = by_number[run["number"]]
        assert v.sizes == {k: tuple(x) if isinstance(x, list) else x for k, x in run["sizes"].items()}
        rows = {l["name"]: l for l in run["layers"]}
        for q in v.questions:
            expected = keras_answer(q, run)
            if expected is not None:
                assert q.answer == expected, (q.kind, v.number)
                confirmed += 1
            if q.kind == "find_bug":
                # every row but the wrong one says what Keras says; the wrong one does not
                for c in q.facts["claims"]:
                    real = (rows[c["name"]]["params"] if q.facts["column"] == "params"
                            else tuple(rows[c["name"]]["output_shapes"][0]))
                    claimed = c[q.facts["column"]]
                    assert (claimed == real) == (c["name"] != q.answer), (c, real)
                confirmed += 1
            for b in q.blanks:
                if b.column == "params":
                    assert b.answer == rows[b.row]["params"]
                elif b.column == "shape":
                    assert b.answer == tuple(rows[b.row]["output_shapes"][0])
    assert len(recorded["sample"]) >= 8 and confirmed >= len(recorded["sample"])


def torch_answer(q, run):
    """What real PyTorch says the answer to a question is (None: it cannot say)."""
    rows = {m["name"]: m for m in run["modules"] if m["params"] or not m["children"]}
    if q.kind in _MODEL_WIDE:
        return _model_wide_answer(q, run)
    if q.kind == "layer_params":
        return rows[q.layer]["params"]
    if q.kind == "output_shape":
        out = rows[q.layer]["output_shape"]
        return tuple(out[0] if isinstance(out[0], list) else out)
    if q.kind == "flatten_size":
        return next(m for m in run["modules"] if m["class"] == "Flatten")["output_shape"][1]
    if q.kind == "largest_layer":
        return max(rows.values(), key=lambda m: m["params"])["name"]
    if q.kind == "compute":
        flops = rows[q.layer]["flops"] if q.layer else run["flops"]
        return flops if q.spec.measure == "flops" else flops // 2      # the counter's FLOPs are 2·MACs
    return None


@needs_toml
@pytest.mark.parametrize("name", list(TORCH_SPECS))
def test_sampled_variants_confirmed_by_real_pytorch(name):
    """A PyTorch spec's answers, shapes, compute and every row of a find-the-bug table and a
    cloze, against what real PyTorch reported of the same versions
    (tools/record_torch_fixtures.py --exam)."""
    from torch_api import load_torch_fixture
    recorded = load_torch_fixture(f"exam_{name}")
    spec = exam.Spec.from_toml(SPECS[name])
    variants, _ = exam.draw(spec, recorded["variants"], seed=recorded["seed"])
    by_number = {v.number: v for v in variants}
    confirmed = 0
    for run in recorded["sample"]:
        v = by_number[run["number"]]
        assert v.sizes == run["sizes"]
        rows = {m["name"]: m for m in run["modules"]}
        for q in v.questions:
            expected = torch_answer(q, run)
            if expected is not None:
                assert q.answer == expected, (q.kind, v.number)
                confirmed += 1
            if q.kind == "find_bug":
                for c in q.facts["claims"]:
                    real = rows[c["name"]]["params"] if q.facts["column"] == "params" \
                        else tuple(rows[c["name"]]["output_shape"])
                    assert (c[q.facts["column"]] == real) == (c["name"] != q.answer), (c, real)
                confirmed += 1
            for b in q.blanks:
                if b.column == "params":
                    assert b.answer == rows[b.row]["params"]
                elif b.column == "shape":
                    assert b.answer == tuple(rows[b.row]["output_shape"])
    assert len(recorded["sample"]) >= 8 and confirmed >= 3 * len(recorded["sample"])


@needs_toml
def test_same_seed_same_files():
    spec = exam.Spec.from_toml(SPECS["rnn"])
    a = exam.write(spec, exam.draw(spec, 10, seed=7)[0], "json", seed=7)
    b = exam.write(spec, exam.draw(spec, 10, seed=7)[0], "json", seed=7)
    c = exam.write(spec, exam.draw(spec, 10, seed=8)[0], "json", seed=8)
    assert a == b and a != c


@needs_toml
def test_misconception_values_are_the_wrong_derivations():
    spec = exam.Spec.from_toml(SPECS["cnn"])
    v = exam.draw(spec, 1, seed=3)[0][0]
    layer_q = next(q for q in v.questions if q.kind == "layer_params")
    layer = next(l for l in v.model.layers if l.name == layer_q.layer)
    wrong = {c.misconception: c.value for c in layer_q.distractors}
    kernel, bias = (int(w.count) for w in layer.weights)
    assert wrong["forgot_bias"] == kernel
    c_in = int(layer._inbound_nodes[0].inputs[0].shape[-1])
    assert wrong["forgot_input_channels"] == kernel // c_in + bias


@needs_toml
def test_largest_width_answer_is_within_budget():
    spec = exam.Spec.from_toml(SPECS["batchnorm"])
    for v in exam.draw(spec, 10, seed=2)[0]:
        q = next(q for q in v.questions if q.kind == "largest_width")
        sizes = {**v.sizes}
        sizes["width"] = q.answer
        at = summarize(read_source(spec.source, "s.py", sizes).model).total
        sizes["width"] = q.answer + 1
        past = summarize(read_source(spec.source, "s.py", sizes).model).total
        assert at <= q.spec.budget < past


def test_api_from_a_dict():
    spec = exam.Spec.from_dict({
        "source": "model = Sequential([Input((n,)), Dense(w), Dense(3)])",
        "sizes": {"n": {"min": 10, "max": 40, "step": 10}, "w": [8, 16, 32]},
        "questions": [{"kind": "total_params", "choices": 3}],
    })
    variants, report = exam.draw(spec, 5, seed=1)
    assert len(variants) == 5 and report.distinct_answers == 5


@pytest.mark.slow
def test_output_shape_questions_in_every_format(tmp_path):
    spec = exam.Spec.from_dict({
        "source": ("model = Sequential([Input((size, size, 3)), Conv2D(8, kernel, strides=stride), "
                   "MaxPooling2D(2), Flatten(), Dense(4)])"),
        "sizes": {"size": {"min": 20, "max": 60}, "kernel": [3, 5], "stride": [1, 2]},
        "questions": [{"kind": "output_shape", "layer": "max_pooling2d", "choices": 3}],
    }, "shape.toml")
    variants, _ = exam.draw(spec, 6, seed=4)
    for v in variants:
        q = v.questions[0]
        s = summarize(read_source(v.source, "v.py").model)
        assert q.answer == tuple(s.row("max_pooling2d").output_shapes[0])
        assert all(isinstance(c.value, tuple) for c in q.choices)
    for fmt in ("latex", "markdown", "moodle", "gift", "canvas", "json"):
        assert exam.write(spec, variants, fmt)
    pdflatex(exam.write(spec, variants, "latex", key=True), tmp_path, "shapes")
    parsed = [q for q in gift_parse(exam.write(spec, variants, "gift")) if q["type"] != "Category"]
    assert [c["text"]["text"] for c in parsed[0]["choices"]] == \
        [html.escape("(" + ", ".join("None" if d is None else str(d) for d in c.value) + ")")
         for c in variants[0].questions[0].choices]


# ---- formats and their consumers ---------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    out = {}
    for name, path in SPECS.items():
        spec = exam.Spec.from_toml(path)
        out[name] = (spec, exam.draw(spec, 4, seed=5)[0])
    return out


def test_prompt_prose_is_safe_in_every_format():
    """The words of ``prompts.j2`` go into LaTeX, Markdown, HTML, GIFT and Canvas
    unchanged, so a name like ``batch_first`` must go through ``fmt.code``: a bare
    ``_`` stops pdflatex, and ``{ } ~ = # :`` mean something to GIFT."""
    from jinja2 import nodes
    from symparams.render import _environment

    env = _environment(ROOT / "templates" / "exam")
    tree = env.parse(env.loader.get_source(env, "prompts.j2")[0])
    unsafe = set("_%&#$^~\\{}<>`*=")
    found = [(d.lineno, d.data.strip()) for d in tree.find_all(nodes.TemplateData)
             if unsafe & set(d.data) and d.data.strip()]
    strings = [(c.lineno, c.value) for c in tree.find_all(nodes.Const)
               if isinstance(c.value, str) and " " in c.value and unsafe & set(c.value)]
    assert not found + strings, found + strings


@pytest.mark.slow
@needs_toml
def test_latex_sheet_and_key_compile(small, tmp_path):
    for name, (spec, variants) in small.items():
        sheet = exam.write(spec, variants, "latex")
        key = exam.write(spec, variants, "latex", key=True)
        assert "\\printanswers" not in sheet and "\\printanswers" in key
        assert sheet.replace("\n", "") == key.replace("\\printanswers\n", "").replace("Answer key", "").replace("\n", "") \
            or "\\documentclass[11pt,addpoints]{exam}" in sheet
        pdflatex(sheet, tmp_path, f"{name}-sheet")
        pdflatex(key, tmp_path, f"{name}-key")


@needs_toml
def test_moodle_xml(small):
    spec, variants = small["rnn"]
    text = exam.write(spec, variants, "moodle")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text.encode("utf-8"))
    questions = [q for q in root.findall("question") if q.get("type") != "category"]
    assert len(questions) == sum(len(v.questions) for v in variants)
    for q in questions:
        assert q.find("generalfeedback/text").text.strip().startswith("<")
        assert "\\(" in q.find("generalfeedback/text").text or "\\[" in q.find("generalfeedback/text").text
        answers = q.findall("answer")
        if q.get("type") == "numerical":
            assert answers[0].get("fraction") == "100"
            assert all(a.find("tolerance").text == "0" for a in answers)
            assert all(a.get("fraction") == "0" and a.find("feedback/text").text for a in answers[1:])
            assert len(answers) > 1
        else:
            assert q.find("single").text == "true"
            assert sorted(a.get("fraction") for a in answers).count("100") == 1
    assert "<![CDATA[" in text
    # math as Moodle's MathJax filter reads it: never wrapped in stray dollars
    assert "$\\(" not in text and "\\)$" not in text and "$$" not in text
    # feedback names the value, not a letter Moodle's shuffling would make wrong
    assert "option A" not in text and "(option" not in text
    for q in questions:
        if q.get("type") == "multichoice":
            assert q.find("shuffleanswers").text == "1"
            feedback = q.find("generalfeedback/text").text
            assert "<ul>" in feedback and "<li>" in feedback


@pytest.mark.slow
@needs_toml
def test_gift_parses_with_a_real_gift_parser(small):
    for name, (spec, variants) in small.items():
        if any(q.blanks for v in variants for q in v.questions):
            continue    # a cloze table becomes one question per blank (tested below)
        text = exam.write(spec, variants, "gift")
        parsed = [q for q in gift_parse(text) if q["type"] != "Category"]
        assert len(parsed) == sum(len(v.questions) for v in variants)
        # the file holds one bank per question: question 1 of every version, then question 2...
        posed = [v.questions[i] for i in range(len(variants[0].questions)) for v in variants]
        for p, q in zip(parsed, posed):
            assert p["type"] == ("Numerical" if not q.choices else "MC")
            # escaping round-trips: the stem reads back as the HTML we meant, code lines intact
            assert html.escape(spec.source.splitlines()[0]) in p["stem"]["text"]
            assert "\n" in p["stem"]["text"]
            assert "\\(" in p["globalFeedback"]["text"] or "\\[" in p["globalFeedback"]["text"]
            if q.choices and q.multiple:
                assert [(c.get("weight") or 0) > 0 for c in p["choices"]] == [c.correct for c in q.choices]
            elif q.choices:
                assert [c["isCorrect"] for c in p["choices"]] == [c.correct for c in q.choices]
            else:
                assert p["choices"][0]["text"]["number"] == q.answer
                assert [c["text"]["number"] for c in p["choices"][1:]] == [c.value for c in q.distractors]


@pytest.mark.slow
@needs_toml
def test_canvas_converts_with_text2qti(small, tmp_path):
    exe = shutil.which("text2qti") or str(Path(sys.executable).parent / "text2qti")
    require("text2qti", Path(exe).exists())
    for name, (spec, variants) in small.items():
        path = tmp_path / f"{name}.txt"
        path.write_text(exam.write(spec, variants, "canvas"))
        result = subprocess.run([exe, "--latex-render-url", "/equation_images/", str(path)],
                                capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-1500:]
        with zipfile.ZipFile(tmp_path / f"{name}.zip") as z:
            names = z.namelist()
            assert any(n.endswith(".xml") and "assessment" in z.read(n).decode() for n in names)


@pytest.mark.slow
@needs_toml
def test_markdown_math_renders_in_katex(small):
    fragments = []
    for name, (spec, variants) in small.items():
        for key in (False, True):
            fragments += math_fragments(exam.write(spec, variants, "markdown", key=key), f"{name}-{key}")
    code, out = katex_render(fragments)
    assert code == 0, out


@needs_toml
def test_json_has_keras_sources(small):
    import ast
    spec, variants = small["cnn"]
    data = json.loads(exam.write(spec, variants, "json", seed=5))
    assert data["seed"] == 5 and len(data["variants"]) == 4
    for v in data["variants"]:
        ast.parse(v["source"])
        assert "import keras" in v["source"]
        for q in v["questions"]:
            assert q["answer"] in [c["value"] for c in q["choices"]]
            assert all(d["misconception"] and d["feedback"] for d in q["distractors"])


# ---- the command and bad input ----------------------------------------------------------------


def run_exam(capsys, *args):
    code = main(["exam", *args])
    return (code, *capsys.readouterr())


@needs_toml
def test_cli_latex_writes_sheet_and_key(tmp_path, capsys):
    code, out, err = run_exam(capsys, str(SPECS["cnn"]), "--variants", "3", "--seed", "2",
                              "--format", "latex", "-o", str(tmp_path / "quiz"), "--report")
    assert code == 0
    # NAME-exam.tex, never NAME.tex, which symparams derive -o NAME.tex writes
    assert (tmp_path / "quiz-exam.tex").exists() and (tmp_path / "quiz-key.tex").exists()
    assert not (tmp_path / "quiz.tex").exists()
    assert "answer positions" in err and "distinct answer sets: 3" in err
    assert f"wrote {tmp_path / 'quiz-exam.tex'}" in err and f"wrote {tmp_path / 'quiz-key.tex'}" in err


def one_error(code, err):
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err.strip()


BAD = {
    "unknown key": ("title = 'x'\nsourse = 'a'\n", "unknown key 'sourse'"),
    "unknown question key": ("source = 'model = Sequential([Input((n,)), Dense(3)])'\n[sizes]\nn = [4]\n"
                             "[[questions]]\nkind = 'total_params'\nchoice = 4\n", "unknown key 'choice'"),
    "unknown kind": ("source = 'model = Sequential([Input((n,)), Dense(3)])'\n[sizes]\nn = [4]\n"
                     "[[questions]]\nkind = 'flops'\n", "kind 'flops' is not one of"),
    "empty range": ("source = 'model = Sequential([Input((n,)), Dense(3)])'\n[sizes]\nn = {min = 9, max = 3}\n"
                    "[[questions]]\nkind = 'total_params'\n", "sizes.n: the range is empty"),
    "size not used": ("source = 'model = Sequential([Input((n,)), Dense(3)])'\n[sizes]\nn = [4, 5]\nm = [1, 2]\n"
                      "[[questions]]\nkind = 'total_params'\nchoices = 0\n", "sizes.m is not used by the source"),
    "no valid draw": ("source = 'model = Sequential([Input((n,)), Dense(3)])'\n[sizes]\nn = {min = 4, max = 9}\n"
                      "[[questions]]\nkind = 'total_params'\nchoices = 0\n[constraints]\nanswer_min = 1000\n",
                      "only 0 distinct variants"),
    "fewer variants than possible": ("source = 'model = Sequential([Input((n,)), Dense(3)])'\n[sizes]\nn = [4, 5]\n"
                                     "[[questions]]\nkind = 'total_params'\nchoices = 0\n", "allow only 2 different draws"),
    "invalid toml": ("source = \n", "not valid TOML"),
    "largest layer always tied": ("source = 'model = Sequential([Input((n,)), Dense(n), Dense(n)])'\n[sizes]\n"
                                  "n = [4, 5, 6]\n[[questions]]\nkind = 'largest_layer'\nchoices = 2\n",
                                  "question 1 (largest_layer) has 2 choices"),
    "pytorch without a forward pass, short of mistakes": (
        'source = "import torch.nn as nn\\nmodel = nn.Sequential(nn.Linear(n, 8), nn.Dropout(0.1))"\n'
        "[sizes]\nn = [4, 5, 6]\n[[questions]]\nkind = 'total_params'\nchoices = 4\n",
        "or end the source with a forward pass on an input"),
    "pytorch source never run": ('source = "import torch.nn as nn\\nmodel = nn.Sequential(nn.Linear(n, 3))"\n'
                                 "[sizes]\nn = [4, 5, 6]\n[[questions]]\nkind = 'output_shape'\nlayer = '0'\n"
                                 "choices = 2\n", "the source never calls the model"),
    "numeric shape": ("source = 'model = Sequential([Input((n,)), Dense(3)])'\n[sizes]\nn = [4, 5]\n"
                      "[[questions]]\nkind = 'output_shape'\nlayer = 'dense'\nchoices = 0\n",
                      "the answer to output_shape is not a number"),
    "misspelt name in a prompt": ("source = 'model = Sequential([Input((n,)), Dense(3)])'\n[sizes]\nn = [4, 5]\n"
                                  "[[questions]]\nkind = 'total_params'\nchoices = 0\n"
                                  "prompt = 'With {m} inputs, how many parameters?'\n",
                                  "questions[1].prompt: {m} is neither a size nor a field of this total_params "
                                  "question; it may name {n}"),
    "memory unit in a count's prompt": ("source = 'model = Sequential([Input((n,)), Dense(3)])'\n[sizes]\n"
                                        "n = [4, 5]\n[[questions]]\nkind = 'layer_params'\nlayer = 'dense'\n"
                                        "choices = 0\nprompt = 'How many {unit} does {layer} hold?'\n",
                                        "{unit} is neither a size nor a field of this layer_params question; "
                                        "it may name {layer}, {n}"),
}


@needs_toml
@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_specs(tmp_path, capsys, case):
    text, needle = BAD[case]
    path = tmp_path / "spec.toml"
    path.write_text(text)
    code, out, err = run_exam(capsys, str(path), "--variants", "3")
    line = one_error(code, err)
    assert needle in line and str(path) in line


# ---- every kind, spec features and what the student sees ----------------------------------------


@needs_toml
@pytest.mark.parametrize("name", list(SPECS))
def test_every_example_spec_draws_and_its_answers_are_the_engines(name):
    spec = exam.Spec.from_toml(SPECS[name])
    variants, report = exam.draw(spec, 12, seed=2)
    assert report.distinct_answers == 12
    for v in variants:
        assert "if " not in v.source.split("model")[-1] or name not in ("cnn",)
        for q in v.questions:
            assert q.answer == engine_answer(spec, v, q), (q.kind, v.number)
            if q.choices:
                assert len(q.choices) == q.spec.choices
                assert len({c.value for c in q.choices}) == len(q.choices)
                assert sum(c.correct for c in q.choices) == (len(q.answer) if q.kind == "param_free_layers" else 1)


def test_the_student_sees_the_model_with_the_values_in_place():
    from symparams.exam.shown import shown_source
    source = ("model = keras.Sequential()\nmodel.add(keras.Input((size, size, 3)))\n"
              "model.add(layers.Conv2D(2 * filters, kernel, padding=pad))\nif pool:\n"
              "    model.add(layers.MaxPooling2D(2))\nelse:\n    model.add(layers.Dropout(0.1))\n")
    shown = shown_source(source, {"size": 32, "filters": 8, "kernel": (3, 5), "pad": "same", "pool": False})
    assert "Conv2D(16, (3, 5), padding='same')" in shown and "Input((32, 32, 3))" in shown
    assert "if" not in shown and "MaxPooling2D" not in shown and "    model.add(layers.Dropout" not in shown
    shown = shown_source(source, {"size": 32, "filters": 8, "kernel": 3, "pad": "valid", "pool": True})
    assert "\nmodel.add(layers.MaxPooling2D(2))" in shown and "Dropout" not in shown


def test_the_shown_source_from_its_plan_is_the_source_filled_anew():
    # shown_source drops branches once per outcome of the tests and fills values from a
    # list of expressions found once; it must say what the direct walk says, including
    # where a value has no literal (a fraction) and the walk looks inside the expression.
    from symparams.exam import shown
    source = ("model = keras.Sequential()\nmodel.add(keras.Input((size, size, 3)))\n"
              "if depth > 1 and pool:\n    model.add(layers.Conv2D(2 * filters, kernel))\n"
              "elif depth > 2:\n    pass\nelse:\n    if pool:\n        model.add(layers.Dropout(0.1))\n"
              "model.add(layers.Dense(units / 3 + size))\nmodel.add(layers.Dense(units // 3))\n")
    for depth in (1, 2, 3):
        for pool in (True, False):
            for units in (30, 31):
                sizes = {"size": 32, "filters": 8, "kernel": (3, 5), "pool": pool, "depth": depth, "units": units}
                text = shown.textwrap.dedent(source).strip("\n") + "\n"
                direct = shown._fill_values(shown._drop_branches(text, sizes), sizes).rstrip() + "\n"
                assert shown.shown_source(source, sizes) == direct, sizes
                assert shown.shown_source(source, sizes) == direct      # the second time, from the caches
    assert "Dense(31 / 3 + 32)" in shown.shown_source(source, {"size": 32, "filters": 8, "kernel": 3, "pool": True,
                                                           "depth": 1, "units": 31})


def test_string_and_tuple_choices_where_prompt_tolerance_and_own_distractors():
    spec = exam.Spec.from_dict({
        "source": ("import keras\nfrom keras import layers\nmodel = keras.Sequential([keras.Input((n, n, 3)), "
                   "layers.Conv2D(f, k, padding=pad), layers.Flatten(), layers.Dense(units // heads)])"),
        "sizes": {"n": [16, 24, 32], "f": [4, 8], "k": [[3, 3], [3, 5]], "pad": ["same", "valid"],
                  "units": [9, 12, 15, 16], "heads": [2, 3, 4]},
        "questions": [{"kind": "total_params", "choices": 4, "points": 2.5,
                       "prompt": "With {heads} heads and padding {pad}, how many parameters?",
                       "distractors": [{"value": "answer + 1", "feedback": "Count again."}]},
                      {"kind": "weight_memory", "dtype": "float16", "unit": "KB", "tolerance": "2%",
                       "choices": 0}],
        "constraints": {"where": "units % heads == 0"},
    }, "features.toml")
    variants, report = exam.draw(spec, 8, seed=1)
    assert report.where > 0
    for v in variants:
        assert v.sizes["units"] % v.sizes["heads"] == 0
        assert "padding=" in v.source and ("'same'" in v.source or "'valid'" in v.source)
        q = v.questions[0]
        assert q.answer + 1 in [c.value for c in q.distractors if c.misconception == "teacher"]
        assert q.questions if False else True
        assert abs(v.questions[1].tolerance - 0.02 * float(v.questions[1].answer)) < 1e-9
    md = exam.write(spec, variants, "markdown", key=True)
    assert "With 2 heads" in md or "With 3 heads" in md or "With 4 heads" in md
    assert "Count again." in md
    xml = exam.write(spec, variants, "moodle")
    root = ET.fromstring(xml.encode())
    grades = {q.find("defaultgrade").text for q in root.findall("question") if q.get("type") != "category"}
    assert "2.5" in grades
    tolerances = [a.find("tolerance").text for q in root.findall("question[@type='numerical']")
                  for a in q.findall("answer") if a.get("fraction") == "100"]
    assert all(float(t) > 0 for t in tolerances)


def test_output_shape_has_six_kinds_of_misconception():
    spec = exam.Spec.from_toml(SPECS["shapes"])
    variants, _ = exam.draw(spec, 40, seed=3)
    seen = {c.misconception for v in variants for c in v.questions[0].distractors}
    assert {"swap_padding", "round_up", "off_by_one", "ignore_dilation", "pool_stride_one",
            "channels_first"} <= seen
    flatten = {c.misconception for v in variants for c in v.questions[1].distractors}
    assert "flatten_without_channels" in flatten


def test_feedback_fits_the_drawn_model():
    """A convolution's positions in the feedback are each convolution's own, named as the
    student's code shows it (one feedback said 256 positions of a convolution with 1,156);
    no feedback gives parameters to layers no student thinks have them."""
    spec = exam.Spec.from_toml(SPECS["cnn"])
    variants, _ = exam.draw(spec, 30, seed=1)
    text = exam.write(spec, variants, "json")
    data = json.loads(text)
    seen = 0
    for v, dv in zip(variants, data["variants"]):
        convs = [r for r in summarize(v.model).rows if r.type == "Conv2D"]
        positions = [int(r.output_shapes[0][1]) * int(r.output_shapes[0][2]) for r in convs]
        for q in dv["questions"]:
            for d in q["distractors"]:
                assert "InputLayer" not in d["feedback"] and "Input," not in d["feedback"]
                if d["misconception"] == "no_weight_sharing" and q["kind"] == "total_params":
                    expected = " and ".join(f"{n:,} for the {w} Conv2D layer"
                                            for n, w in zip(positions, ("first", "second")))
                    assert expected in d["feedback"], (d["feedback"], positions)
                    seen += 1
    assert seen >= 10


def test_a_missing_import_is_named():
    from symparams.core.errors import SymparamsError
    with pytest.raises(SymparamsError, match="add `from keras import layers`"):
        read_source("import keras\nmodel = keras.Sequential([keras.Input((4,)), layers.Dense(3)])", "m.py")


@pytest.mark.slow
def test_multiple_correct_answers_in_every_format(tmp_path):
    spec = exam.Spec.from_toml(SPECS["layers"])
    variants, _ = exam.draw(spec, 3, seed=4)
    root = ET.fromstring(exam.write(spec, variants, "moodle").encode())
    multi = [q for q in root.findall("question[@type='multichoice']") if q.find("single").text == "false"]
    assert len(multi) == 3
    for q in multi:
        fractions = [float(a.get("fraction")) for a in q.findall("answer")]
        assert abs(sum(f for f in fractions if f > 0) - 100) < 0.01 and any(f < 0 for f in fractions)
    parsed = [q for q in gift_parse(exam.write(spec, variants, "gift")) if q["type"] != "Category"]
    assert any(sum(1 for c in p["choices"] if (c.get("weight") or 0) > 0) > 1 for p in parsed)


@pytest.mark.slow
def test_cloze_in_moodle_and_as_numerical_questions_elsewhere():
    spec = exam.Spec.from_toml(SPECS["cloze"])
    variants, _ = exam.draw(spec, 2, seed=1)
    root = ET.fromstring(exam.write(spec, variants, "moodle").encode())
    cloze = root.findall("question[@type='cloze']")
    assert len(cloze) == 2
    text = cloze[0].find("questiontext/text").text
    q = variants[0].questions[0]
    for b in q.blanks:
        if b.column != "shape":
            assert "{1:NUMERICAL:=%d:0#Correct." % b.answer in text
    assert text.count("{1:") == len(q.blanks)
    parsed = [p for p in gift_parse(exam.write(spec, variants, "gift")) if p["type"] != "Category"]
    assert sum(p["type"] == "Numerical" for p in parsed) >= len([b for b in q.blanks if b.column != "shape"])


def test_qti_package(tmp_path):
    spec = exam.Spec.from_toml(SPECS["compute"])
    variants, _ = exam.draw(spec, 2, seed=1)
    data = exam.write(spec, variants, "qti")
    path = tmp_path / "quiz.zip"
    path.write_bytes(data)
    ns = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2", "cp": "http://www.imsglobal.org/xsd/imscp_v1p1"}
    with zipfile.ZipFile(path) as z:
        manifest = ET.fromstring(z.read("imsmanifest.xml"))
        href = manifest.find(".//cp:resource/cp:file", ns).get("href")
        assessment = ET.fromstring(z.read(href))
    items = assessment.findall(".//q:item", ns)
    assert len(items) == sum(len(v.questions) for v in variants)
    kinds = [i.find(".//q:fieldentry", ns).text for i in items]
    assert set(kinds) == {"multiple_choice_question", "numerical_question"}
    for item in items:
        text = item.find("q:presentation/q:material/q:mattext", ns).text
        assert "<pre><code>" in text and "keras" in text
        assert item.find("q:itemfeedback[@ident='general_fb']", ns) is not None
    assert data == exam.write(spec, variants, "qti")     # the same bytes every time
    # a numerical item's range keeps every digit of a large answer
    for item in items:
        low = item.find(".//q:vargte", ns)
        if low is not None:
            high = item.find(".//q:varlte", ns)
            assert float(low.text) <= float(high.text) and "e+" not in low.text + high.text


@pytest.mark.slow
@needs_toml
def test_qti_valid_against_ims_dtd(small):
    """Every spec's QTI package, each of its documents checked by IMS's own QTI 1.2.1
    DTD; and the check itself rejects an item without its ``ident``."""
    from tools import qti_dtd, qti_errors

    dtd = qti_dtd()
    require("lxml and IMS's QTI 1.2.1 DTD (.ci/run fetches it)", dtd is not None)
    checked = 0
    for name, (spec, variants) in small.items():
        with zipfile.ZipFile(io.BytesIO(exam.write(spec, variants, "qti"))) as z:
            for member in z.namelist():
                if member.endswith(".xml") and member != "imsmanifest.xml":
                    # Canvas's points per item sit in selection_extension, the standard's
                    # extension point, which the DTD cannot declare (tests/exam/test_banks.py)
                    xml = re.sub(rb"<selection_extension>.*?</selection_extension>", b"", z.read(member), flags=re.S)
                    assert qti_errors(dtd, xml) == [], f"{name}: {member}"
                    checked += 1
    assert checked >= len(small)
    broken = b'<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2"><item><presentation/></item></questestinterop>'
    assert any("ident" in e for e in qti_errors(dtd, broken))


@pytest.mark.slow
def test_qti_manifest_valid_against_ims_content_packaging(small):
    """Every spec's imsmanifest.xml, checked by IMS Content Packaging 1.1.4's own XSD, and
    naming the one QTI document the package holds; the check itself rejects a misspelt
    element."""
    from tools import imscp_schema

    schema = imscp_schema()
    require("lxml and IMS Content Packaging's XSD (.ci/run fetches it)", schema is not None)
    from lxml import etree
    ns = {"cp": "http://www.imsglobal.org/xsd/imscp_v1p1"}
    for name, (spec, variants) in small.items():
        with zipfile.ZipFile(io.BytesIO(exam.write(spec, variants, "qti"))) as z:
            manifest = etree.fromstring(z.read("imsmanifest.xml"))
            assert schema.validate(manifest), f"{name}: {schema.error_log}"
            hrefs = manifest.xpath("//cp:resource/cp:file/@href", namespaces=ns)
            assert hrefs == [n for n in z.namelist() if n != "imsmanifest.xml"], name
            assert manifest.xpath("//cp:resource/@type", namespaces=ns) == ["imsqti_xmlv1p2"]
    broken = etree.fromstring(etree.tostring(manifest).replace(b"<organizations/>", b"<organisations/>"))
    assert not schema.validate(broken)
    assert "organisations" in str(schema.error_log)


def test_qti_package_with_shape_and_name_choices():
    """A choice question whose answer is a shape or a layer's name has no numerical range."""
    for name in ("shapes", "layers"):
        spec = exam.Spec.from_toml(SPECS[name])
        variants, _ = exam.draw(spec, 2, seed=1)
        with zipfile.ZipFile(io.BytesIO(exam.write(spec, variants, "qti"))) as z:
            href = next(n for n in z.namelist() if n != "imsmanifest.xml")
            items = ET.fromstring(z.read(href)).findall(".//{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}item")
        assert len(items) == sum(len(v.questions) for v in variants)


@pytest.mark.slow
@needs_toml
@pytest.mark.parametrize("name", ["cnn", "torch_cnn"])
def test_moodle_question_renders_in_a_browser_with_mathjax(tmp_path, name):
    """A Moodle question's HTML with MathJax set up as Moodle's filter sets it up: every
    formula typesets, none is an error, and no TeX is left as text. The screenshot is kept
    in tmp_path to look at."""
    import os
    from tools import node_modules_with
    node, modules = shutil.which("node"), node_modules_with("mathjax")
    require("node with mathjax and playwright-core", node is not None and modules is not None
            and (modules / "playwright-core").exists())
    require("Chromium", Path(os.environ.get("CHROMIUM", "/usr/bin/chromium")).exists())
    spec = exam.Spec.from_toml(SPECS[name])
    variants, _ = exam.draw(spec, 1, seed=1)
    root = ET.fromstring(exam.write(spec, variants, "moodle").encode())
    q = root.findall("question[@type='multichoice']")[0]
    answers = "".join(f"<li>{a.find('text').text}</li>" for a in q.findall("answer"))
    page = tmp_path / "moodle.html"
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Moodle question</title>"
        "<script>window.MathJax = {tex: {inlineMath: [['\\\\(', '\\\\)']], displayMath: [['\\\\[', '\\\\]']], "
        # an unknown macro is an error (counted), not its name printed in red
        "packages: {'[-]': ['noundefined']}}};</script>"
        f"<script src='{(modules / 'mathjax' / 'es5' / 'tex-chtml.js').as_uri()}'></script></head>"
        f"<body style='max-width:50em;margin:2em auto;font-family:sans-serif'>{q.find('questiontext/text').text}"
        f"<ol type='a'>{answers}</ol><hr>{q.find('generalfeedback/text').text}</body></html>")
    job = {"url": page.as_uri(), "screenshot": str(tmp_path / "moodle.png"), "width": 1000,
           "ready": "MathJax.startup.promise"}
    done = subprocess.run([node, str(ROOT / "tests" / "browser_check.js")], input=json.dumps(job),
                          capture_output=True, text=True, timeout=300, env={**os.environ, "NODE_PATH": str(modules)})
    assert done.returncode == 0, done.stderr[-1500:]
    report = json.loads(done.stdout)
    assert not report["pageErrors"], report["pageErrors"]
    assert report["mathjax"]["typeset"] > 20, report["mathjax"]
    assert report["mathjax"]["errors"] == 0 and report["mathjax"]["raw"] == 0, report["mathjax"]


@needs_toml
@pytest.mark.parametrize("name", list(SPECS))
def test_a_version_derived_from_the_one_reading_is_its_own_source_derived(name, monkeypatch):
    """The writer derives each version from the spec's one reading with the version's
    numbers in place (views.Reading.derive_at), sharing layers between versions by their
    keys (row_keys). Each must equal the derivation of the version's own source, read
    afresh; no version's source may be read to make them, and some layers must be shared."""
    from symparams.keras.derivation import derive
    import importlib
    draw_module = importlib.import_module("symparams.exam.draw")
    from symparams.pytorch.derivation import derive_module
    spec = exam.Spec.from_toml(SPECS[name])
    variants, _ = exam.draw(spec, min(40, spec.space), seed=7)
    known: dict = {}
    draw_module._MODELS.clear()
    mine = [v.reading.derivation(v, known) for v in variants]
    assert not draw_module._MODELS, "a version's own source was read to derive it"
    for v, d in zip(variants, mine):
        r = read_source(v.source, "version.py")
        fresh = derive(r.model) if v.reading.framework == "keras" else \
            derive_module(r.module, r.trace_of(r.module), shapes=True)
        assert d == fresh, v.number
    rows = sum(len(d.layers) for d in mine)
    assert len(known) < rows, "no layer was shared between versions: the test shows nothing"


@needs_toml
def test_a_size_drawn_as_1_is_checked_against_its_own_reading(tmp_path):
    """One-hot encoding drops an input axis of length 1, and a free size is never 1 to the
    reader: a draw with a size at 1 is checked against a reading at its numbers, and its
    answers are that reading's."""
    spec_file = tmp_path / "onehot.toml"
    spec_file.write_text(textwrap.dedent('''
        source = """
        import keras
        from keras import layers
        model = keras.Sequential([keras.Input((width,), dtype="int64"),
                                  layers.CategoryEncoding(num_tokens=tokens, output_mode="one_hot"),
                                  layers.Flatten(), layers.Dense(units)])
        """
        [sizes]
        width = [1, 2, 3]
        tokens = [4, 6, 8]
        units = [2, 3, 5]
        [[questions]]
        kind = "total_params"
        choices = 0
    '''))
    spec = exam.Spec.from_toml(spec_file)
    variants, _ = exam.draw(spec, 18, seed=0)
    assert {v.sizes["width"] for v in variants} == {1, 2, 3}
    # the first versions come from the free reading, the rest from readings at their numbers
    assert variants[0].sizes["width"] != 1 and not variants[0].reading.exact
    assert any(v.reading.exact for v in variants)
    for v in variants:
        own = summarize(read_source(v.source, "v.py").model)
        assert v.questions[0].answer == int(own.total), v.sizes
        from symparams.keras.derivation import derive
        assert v.reading.derivation(v, {}) == derive(read_source(v.source, "v.py").model), v.sizes


@needs_toml
@pytest.mark.parametrize("name", list(SPECS))
def test_a_layer_block_rendered_once_is_the_block_rendered_anew(name, monkeypatch):
    """The writer renders each distinct layer's block once and reuses it (context.py's
    block_key); rendering every block afresh must give the same bytes in every format
    that carries worked solutions."""
    from symparams.exam import context as exam_context
    spec = exam.Spec.from_toml(SPECS[name])
    variants, _ = exam.draw(spec, 12, seed=5)
    cached = {fmt: exam.write(spec, variants, fmt) for fmt in ("gift", "moodle", "canvas", "qti")}
    reused = []

    def fresh(self, blocks, layer, level):
        key = exam_context.block_key(layer)
        reused.append(key in self._blocks)
        self._blocks[key] = True
        return str(blocks.layer_block(self.fmt, layer, level))
    monkeypatch.setattr(exam_context.Context, "layer_block", fresh)
    for fmt, text in cached.items():
        assert exam.write(spec, variants, fmt) == text, fmt
    if name not in ("shapes", "layers"):   # one layer a question, a different one in each version
        assert any(reused), "no block was shared between questions or versions: the test shows nothing"


def test_each_splits_the_versions_across_processes_and_keeps_their_order():
    import os
    from symparams.exam import parallel
    got = parallel.each(lambda ctx, item: (ctx, item, os.getpid()), "c", list(range(130)), jobs=2)
    assert [item for _, item, _ in got] == list(range(130)) and {c for c, _, _ in got} == {"c"}
    if parallel._can_fork():
        workers = {pid for _, _, pid in got} - {os.getpid()}
        assert got[0][2] == os.getpid() and workers, "the versions were not split between processes"
    assert parallel.job_count(None, 10) == 1          # too few versions to be worth a second process
    assert parallel.job_count(1, 10_000) == 1


def test_each_in_order_yields_in_order_and_stops_its_workers_when_left():
    """The QTI zip compresses each version's items as they come back: the items come in
    order, and a consumer that stops early (an error while compressing) leaves no worker
    behind."""
    import multiprocessing
    from symparams.exam import parallel
    assert list(parallel.each_in_order(lambda ctx, i: i * 3, None, list(range(130)), jobs=2)) == \
        [i * 3 for i in range(130)]
    stream = parallel.each_in_order(lambda ctx, i: i, None, list(range(130)), jobs=2)
    assert [next(stream) for _ in range(3)] == [0, 1, 2]
    stream.close()
    assert not multiprocessing.active_children()
    assert parallel._SHARED is None


def test_each_writes_a_failed_workers_versions_itself():
    import os
    from symparams.exam import parallel
    parent = os.getpid()

    def make(ctx, item):
        if os.getpid() != parent:
            raise RuntimeError("a worker fails")
        return item * 2
    assert parallel.each(make, None, list(range(120)), jobs=2) == [2 * i for i in range(120)]


@pytest.mark.slow
@needs_toml
def test_versions_written_by_two_processes_are_the_bytes_one_process_writes():
    spec = exam.Spec.from_toml(SPECS["cnn"])
    variants, _ = exam.draw(spec, 120, seed=4)
    for fmt in ("gift", "moodle", "canvas", "qti", "markdown", "latex", "json"):
        assert exam.write(spec, variants, fmt, jobs=2) == exam.write(spec, variants, fmt, jobs=1), fmt
    from symparams.core.errors import SymparamsError
    with pytest.raises(SymparamsError, match="jobs must be"):
        exam.write(spec, variants, "gift", jobs=0)


@needs_toml
def test_a_broken_template_is_reported_once_when_written_by_two_processes(tmp_path):
    from symparams.render import TemplateError
    shutil.copytree(ROOT / "templates", tmp_path / "t")
    path = tmp_path / "t" / "exam" / "solution.html.j2"
    path.write_text(path.read_text() + "((( no_such_name )))\n")
    spec = exam.Spec.from_toml(SPECS["cnn"])
    variants, _ = exam.draw(spec, 120, seed=4)
    with pytest.raises(TemplateError, match="solution.html.j2"):
        exam.write(spec, variants, "gift", templates=str(tmp_path / "t"), jobs=2)


@needs_toml
def test_cli_jobs(tmp_path, capsys):
    code, out, err = run_exam(capsys, str(SPECS["cnn"]), "--variants", "3", "--jobs", "0")
    assert "--jobs 0" in one_error(code, err)
    files = []
    for jobs in ("1", "2"):
        path = tmp_path / f"quiz{jobs}.gift"
        code, out, err = run_exam(capsys, str(SPECS["cnn"]), "--variants", "110", "--format", "gift",
                                  "--jobs", jobs, "-o", str(path))
        assert code == 0, err
        files.append(path.read_bytes())
    assert files[0] == files[1]


BN_SOURCE = ("import keras\nfrom keras import layers\nmodel = keras.Sequential([keras.Input((n, n, 3)), "
             "layers.Conv2D(f, 3), layers.BatchNormalization(), layers.Flatten(), layers.Dense(units)])")


def test_too_few_distractors_names_the_question_and_its_fix_works():
    spec = {"source": BN_SOURCE, "sizes": {"n": {"min": 8, "max": 32}, "f": [4, 8, 16], "units": [8, 16, 32]},
            "questions": [{"kind": "total_params"}, {"kind": "non_trainable_params", "choices": 4}]}
    with pytest.raises(exam.SpecError) as got:
        exam.draw(exam.Spec.from_dict(spec, "quiz.toml"), 5, seed=1)
    message = str(got.value)
    assert "question 2 (non_trainable_params) has 4 choices" in message and "set choices = 3 in it" in message
    spec["questions"][1]["choices"] = 3                       # the fix, as the message says it
    variants, _ = exam.draw(exam.Spec.from_dict(spec, "quiz.toml"), 5, seed=1)
    tags = {c.misconception for v in variants for c in v.questions[1].choices if not c.correct}
    assert tags == {"bn_all_non_trainable", "bn_one_statistic"}
    for v in variants:
        bn = next(r for r in summarize(v.model).rows if r.type == "BatchNormalization")
        wrong = {c.misconception: c.value for c in v.questions[1].choices if not c.correct}
        assert wrong["bn_all_non_trainable"] == bn.params and wrong["bn_one_statistic"] == bn.non_trainable // 2


def test_a_prompts_own_fields_win_over_a_size_of_the_same_name():
    spec = exam.Spec.from_dict({
        "source": ("import keras\nfrom keras import layers\nmodel = keras.Sequential([keras.Input((size,)), "
                   "layers.Dense(units), layers.Dense(2)])"),
        "sizes": {"size": [10, 20], "units": [8, 16]},
        "questions": [{"kind": "largest_width", "size": "units", "budget": 5000, "choices": 0,
                       "prompt": "With inputs of {size}?"},
                      {"kind": "total_params", "choices": 0, "prompt": "With {size} inputs?"}]}, "quiz.toml")
    variants, _ = exam.draw(spec, 2, seed=1)
    text = exam.write(spec, variants, "markdown")
    assert "With inputs of `units`?" in text
    assert {f"With {v.sizes['size']} inputs?" in text for v in variants} == {True}


@needs_toml
def test_templates_copied_before_the_version_and_item_macros_still_write(tmp_path):
    # A teacher's copy of exam.md.j2 or qti.xml.j2 from before they had a version(v) or
    # item(it) macro is rendered whole, in one process, as it was.
    shutil.copytree(ROOT / "templates", tmp_path / "t")
    (tmp_path / "t" / "exam" / "exam.md.j2").write_text(
        "# ((( spec.title )))\n((* for v in variants *))\n## Version ((( v.number ))): ((( worked(v, v.questions[0])|length > 0 )))\n((* endfor *))\n")
    (tmp_path / "t" / "exam" / "qti.xml.j2").write_text(
        "<questestinterop>((* for it in items *))<item ident=\"((( it.ident )))\"/>((* endfor *))</questestinterop>\n")
    spec = exam.Spec.from_toml(SPECS["cnn"])
    variants, _ = exam.draw(spec, 110, seed=4)
    text = exam.write(spec, variants, "markdown", templates=str(tmp_path / "t"), jobs=2)
    assert text.count("## Version") == 110 and "## Version 110: True" in text
    package = zipfile.ZipFile(io.BytesIO(exam.write(spec, variants, "qti", templates=str(tmp_path / "t"), jobs=2)))
    xml = next(package.read(n) for n in package.namelist() if n != "imsmanifest.xml").decode()
    assert xml.count("<item ") == 330


TORCH_WINDOWS = '''
import torch
from torch import nn

model = nn.Sequential(
    nn.Conv2d(3, 8, kernel_size=k, stride=s, padding=p, dilation=d),
    nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3),
    nn.Flatten(),
)
model(torch.randn(1, 3, n, n))
'''


def test_pytorch_shape_misconceptions_are_pytorchs_rule_done_wrong():
    """Each shape distractor of a PyTorch model is torch/nn/modules/conv.py's and
    pooling.py's ⌊(L + 2p − d(k − 1) − 1)/s⌋ + 1 with one piece done wrong, worked here
    by hand at every window the input passes through."""
    import math

    def length(n, k, s=1, p=0, d=1, ceil=False, one_less=False):
        span = (n + 2 * p - d * (k - 1) - 1) / s
        return (math.ceil(span) if ceil else math.floor(span)) + 1 - (1 if one_less else 0)

    spec = exam.Spec.from_dict({
        "source": TORCH_WINDOWS,
        "sizes": {"n": [40, 41, 47], "k": [3, 5], "s": [1, 2, 3], "p": [1, 2], "d": [1, 2]},
        "constraints": {"where": "s == 1 or d == 1"},
        "questions": [{"kind": "output_shape", "layer": "2", "choices": 2},
                      {"kind": "flatten_size", "choices": 2}]})
    variants, _ = exam.draw(spec, 12, seed=4)
    checked = Counter()
    for v in variants:
        n, k, s, p, d = (v.sizes[x] for x in "nkspd")

        def chain(conv=dict(), pool=dict(), **each):
            a = length(n, k, s, conv.get("p", p), conv.get("d", d), **each)
            b = a if pool.get("skip") else length(a, 2, pool.get("s", 2), **each)
            return (1, 16, length(b, 3, **each), length(b, 3, **each))
        expected = {"forgot_padding": chain(conv={"p": 0}), "ignore_dilation": chain(conv={"d": 1}),
                    "off_by_one": chain(one_less=True), "round_up": chain(ceil=True),
                    "pool_stride_one": chain(pool={"s": 1}), "ignore_pooling": chain(pool={"skip": True})}
        shape_q, flat_q = v.questions
        assert shape_q.answer == chain()
        for c in shape_q.distractors:
            if c.misconception == "channels_last":
                assert c.value == (1, chain()[2], chain()[3], 16)
            else:
                assert c.value == expected[c.misconception], (c.misconception, v.sizes)
            checked[c.misconception] += 1
        for c in flat_q.distractors:
            if c.misconception == "flatten_without_channels":
                assert c.value == chain()[2] * chain()[3]
            else:
                assert c.value == 16 * expected[c.misconception][2] ** 2, c.misconception
    assert set(checked) == {"forgot_padding", "ignore_dilation", "off_by_one", "round_up", "pool_stride_one",
                            "ignore_pooling", "channels_last"}, checked


@needs_toml
def test_pytorch_weight_misconceptions_read_pytorchs_layouts():
    """PyTorch stores a weight (out, in, k...), BatchNorm's statistics as buffers and two
    biases per gate: each misconception's value is worked from those, by hand here."""
    spec = exam.Spec.from_toml(SPECS["torch_cnn"])
    v = exam.draw(spec, 1, seed=3)[0][0]
    sizes = v.sizes
    q = next(q for q in v.questions if q.kind == "layer_params")          # conv2
    wrong = {c.misconception: c.value for c in q.distractors}
    c_in, c_out = sizes["filters"], 2 * sizes["filters"]
    assert q.answer == c_out * c_in * 9 + c_out
    assert wrong["forgot_bias"] == c_out * c_in * 9
    assert wrong["forgot_input_channels"] == c_out * 9 + c_out
    total = next(q for q in v.questions if q.kind == "total_params")
    assert {c.misconception: c.value for c in total.distractors}["bn_buffers_counted"] == \
        total.answer + 2 * sizes["filters"]

    spec = exam.Spec.from_toml(SPECS["torch_rnn"])
    for v in exam.draw(spec, 6, seed=1)[0]:
        dim, h, depth = v.sizes["dim"], v.sizes["hidden"], v.sizes["depth"]
        q = v.questions[0]                                                 # the LSTM's count
        per_layer = [4 * h * (x + h) + 8 * h for x in [dim] + [h] * (depth - 1)]
        assert q.answer == sum(per_layer)
        wrong = {c.misconception: c.value for c in q.distractors}
        assert wrong["keras_biases"] == q.answer - 4 * h * depth
        assert wrong["lstm_without_gates"] == q.answer // 4
        assert wrong["lstm_without_inputs"] == q.answer - 4 * h * dim - 4 * h * h * (depth - 1)
        shape = v.questions[2]
        assert shape.answer == (1, v.sizes["steps"], h)
        assert {c.misconception: c.value for c in shape.distractors} == {"batch_first": (v.sizes["steps"], 1, h)}


@needs_toml
def test_a_size_the_reader_needs_is_bound_before_reading_not_every_draw_read():
    """``nn.LSTM(num_layers=depth)`` cannot be read with ``depth`` free: the spec is read
    once for each depth (the fewest sizes bound that make it readable), not once for each
    draw, and every answer is still the one the version's own source gives."""
    spec = exam.Spec.from_toml(SPECS["torch_rnn"])
    variants, _ = exam.draw(spec, 60, seed=4)
    readings = {id(v.reading): v.reading for v in variants}.values()
    assert sorted(r.bound["depth"] for r in readings) == [1, 2]
    assert not any(r.exact for r in readings) and all(set(r.bound) == {"depth"} for r in readings)
    for v in variants[:20]:
        for q in v.questions:
            if q.kind in ("layer_params", "total_params"):
                assert q.answer == engine_answer(spec, v, q), (v.number, q.kind)


def _solutions(spec, variants) -> list[str]:
    """Every worked solution of the Moodle XML and the QTI package, as HTML."""
    root = ET.fromstring(exam.write(spec, variants, "moodle").encode())
    out = [q.find("generalfeedback/text").text or "" for q in root.findall("question")
           if q.find("generalfeedback/text") is not None]
    ns = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
    with zipfile.ZipFile(io.BytesIO(exam.write(spec, variants, "qti"))) as z:
        doc = ET.fromstring(z.read(next(n for n in z.namelist() if n != "imsmanifest.xml")))
    for fb in doc.iter(f"{ns}itemfeedback"):
        if fb.get("ident") == "general_fb":
            out.append(fb.find(f".//{ns}mattext").text or "")
    return out


def test_a_solution_never_points_to_a_layer_it_leaves_out(small):
    """The derivation says "as for dense above" of a layer like an earlier one; a question's
    solution that shows only some layers (one layer's count, one blank of a table) explains
    each of them itself unless the layer it points to is shown above it."""
    pointed = 0
    for name, (spec, variants) in small.items():
        for text in _solutions(spec, variants):
            for m in re.finditer(r"As for <code>([^<]+)</code> above", text):
                pointed += 1
                assert f'id="layer-{m.group(1)}"' in text[:m.start()], (name, m.group(1))
    assert pointed, "no solution said 'as for ... above': the test shows nothing"


def test_a_blank_asked_on_its_own_has_its_own_solution():
    """GIFT, Canvas and QTI ask each blank of a cloze table as a question: a row's blank is
    solved by that row's layer, and answered with that row's count alone; the total's blank
    by every layer with weights and the totals."""
    spec = exam.Spec.from_toml(SPECS["cloze"])
    variants, _ = exam.draw(spec, 2, seed=1)
    v = variants[0]
    q = next(q for q in v.questions if q.blanks)
    rows = [b for b in q.blanks if b.column == "params" and b.row]
    total = next(b for b in q.blanks if b.column == "total")
    ns = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
    with zipfile.ZipFile(io.BytesIO(exam.write(spec, variants, "qti"))) as z:
        doc = ET.fromstring(z.read(next(n for n in z.namelist() if n != "imsmanifest.xml")))
    solutions = {}
    for item in doc.iter(f"{ns}item"):
        fb = next(f for f in item.iter(f"{ns}itemfeedback") if f.get("ident") == "general_fb")
        solutions[item.get("ident")] = fb.find(f".//{ns}mattext").text
    for i, b in enumerate(q.blanks, start=1):
        text = solutions.get(f"v{v.number}_q{q.index}_b{i}")
        if b.column == "shape":
            assert text is None
            continue
        layers = re.findall(r'id="layer-([^"]+)"', text)
        if b is total:
            assert set(layers) == {r.row for r in rows if r.answer}, layers
            assert f"<code>total</code> \\({b.answer:,}\\)".replace(",", "{,}") in text
        else:
            assert layers == [b.row], (b.row, layers)
            assert f"<code>{b.row}</code> \\({b.answer:,}\\)".replace(",", "{,}") in text
    gift = exam.write(spec, variants, "gift")
    assert gift.count(f"version {v.number}, question {q.index}, blank") == len(rows) + 1
    canvas = exam.write(spec, variants, "canvas")
    assert f"**Answer:** {rows[0].row} ${rows[0].answer:,}$.".replace(",", "{,}") in canvas


def _torch_net(modules: list, forward: list, example: str) -> str:
    """A spec's PyTorch source: a module with these submodules and forward, run on an input."""
    return "\n".join(["import torch", "from torch import nn", "", "class Net(nn.Module):",
                      "    def __init__(self):", "        super().__init__()",
                      *("        " + m for m in modules), "", "    def forward(self, x):",
                      *("        " + f for f in forward), "", "model = Net()", f"model({example})", ""])


def test_a_budget_on_a_size_bound_before_reading_reads_each_value():
    """The largest depth within a budget, where the depth is bound before reading
    (``num_layers=depth``): each depth the search tries is read with that depth, so the
    answer is the depth whose own source fits, and the next one's does not."""
    source = _torch_net(["self.lstm = nn.LSTM(dim, hidden, num_layers=depth)", "self.head = nn.Linear(hidden, 2)"],
                        ["out, _ = self.lstm(x)", "return self.head(out[-1])"], "torch.randn(5, 1, dim)")
    spec = exam.Spec.from_dict({"source": source, "sizes": {"dim": [8, 16, 32], "hidden": [16, 32, 64],
                                                             "depth": [1, 2]},
                                "questions": [{"kind": "largest_width", "size": "depth", "budget": 60000,
                                               "choices": 0},
                                              {"kind": "total_params", "choices": 0}]}, "budget.toml")
    variants, _ = exam.draw(spec, 6, seed=3)
    assert any(set(v.reading.bound) == {"depth"} for v in variants)

    def total(v, depth):
        # the size asked about is a name in the student's code, given its value once
        assert "num_layers=depth" in v.source
        text = v.source.replace(f"\ndepth = {v.sizes['depth']}\n", f"\ndepth = {depth}\n")
        assert text != v.source or depth == v.sizes["depth"]
        return int(read_source(text, "v.py").module.count())
    for v in variants:
        answer = v.questions[0].answer
        assert total(v, answer) <= 60000 < total(v, answer + 1), (v.sizes, answer)


@pytest.mark.slow
def test_a_module_the_forward_pass_never_calls_has_no_shape_blank_to_fill(tmp_path):
    """``nn.MultiheadAttention`` uses its ``out_proj``'s weights itself and never calls it: a
    cloze table with shapes shows that row's shape as —, asks its parameters as any other
    row's, and every format writes (the whole-table answer once named no shape for it)."""
    source = _torch_net(["self.attn = nn.MultiheadAttention(width, heads, batch_first=True)",
                         "self.head = nn.Linear(width, 3)"],
                        ["x, _ = self.attn(x, x, x)", "return self.head(x[:, -1])"], "torch.randn(1, 5, width)")
    spec = exam.Spec.from_dict({"source": source, "sizes": {"width": [8, 16, 32], "heads": [1, 2]},
                                "questions": [{"kind": "cloze", "columns": ["params", "shape"]}]}, "mha.toml")
    variants, _ = exam.draw(spec, 3, seed=1)
    q = variants[0].questions[0]
    shapes = {b.row: b.answer for b in q.blanks if b.column == "shape"}
    assert shapes["attn.out_proj"] is None and shapes["attn"] is not None
    root = ET.fromstring(exam.write(spec, variants, "moodle").encode())
    text = root.find("question[@type='cloze']/questiontext/text").text
    assert text.count("{1:") == sum(b.answer is not None for b in q.blanks)
    assert "<td>—</td>" in text
    for fmt in ("gift", "canvas", "qti", "markdown", "latex", "json"):
        exam.write(spec, variants, fmt)
    assert "| `attn.out_proj` | — |" in exam.write(spec, variants, "markdown", key=True)
    for key in (False, True):
        pdflatex(exam.write(spec, variants, "latex", key=key), tmp_path, f"mha{int(key)}", max_overfull=1.0)


def test_every_layers_misconception_is_in_the_catalogue():
    """A tag on a layer or module class that no misconception has would do nothing: each is
    in exam.MISCONCEPTIONS (the one no student makes, invented_params, is gone from both)."""
    from symparams.keras import layers as keras_layers
    from symparams.pytorch import layers as torch_layers
    import inspect
    tags = set()
    for module in (keras_layers, torch_layers):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            found = inspect.getattr_static(cls, "misconceptions", frozenset())
            if isinstance(found, frozenset):
                tags |= found
    assert tags and tags <= set(exam.MISCONCEPTIONS), tags - set(exam.MISCONCEPTIONS)
    assert "invented_params" not in tags
