"""Exams: variants, answers checked against the engine and real Keras, and every output format
checked by its real consumer (pdflatex, a GIFT parser, text2qti, an XML parser, KaTeX)."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from keras_api import load_fixture
from symparams import exam, summarize
from symparams.cli import main
from symparams.readers import read_source
from tools import gift_parse, katex_render, math_fragments, pdflatex, require

ROOT = Path(__file__).resolve().parents[1]
# Specs are TOML files, read with the standard library's tomllib (Python 3.11+);
# Spec.from_dict works everywhere and is tested below on every version.
needs_toml = pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11+")
SPECS = {name: ROOT / "templates" / "exam" / f"{name}.toml" for name in ("cnn", "rnn", "batchnorm")}


@pytest.fixture(scope="module")
def cnn100():
    spec = exam.Spec.from_toml(SPECS["cnn"])
    variants, report = exam.draw(spec, 100, seed=1)
    return spec, variants, report


def engine_answer(spec, v, q):
    """The answer, recomputed from scratch: read the variant's own filled-in source."""
    model = read_source(v.source, "variant.py").model
    s = summarize(model)
    if q.kind == "total_params":
        return int(s.total)
    if q.kind == "trainable_params":
        return int(s.trainable)
    if q.kind == "non_trainable_params":
        return int(s.non_trainable)
    if q.kind == "layer_params":
        return int(s.row(q.layer).params)
    if q.kind == "flatten_size":
        return int(next(r for r in s.rows if r.type == "Flatten").output_shapes[0][1])
    raise AssertionError(q.kind)


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
@pytest.mark.parametrize("name", ["cnn", "rnn", "batchnorm"])
def test_sampled_variants_confirmed_by_real_keras(name):
    recorded = load_fixture(f"exam_{name}")
    spec = exam.Spec.from_toml(SPECS[name])
    variants, _ = exam.draw(spec, recorded["variants"], seed=recorded["seed"])
    by_number = {v.number: v for v in variants}
    for run in recorded["sample"]:
        v = by_number[run["number"]]
        assert v.sizes == run["sizes"]
        rows = {l["name"]: l for l in run["layers"]}
        for q in v.questions:
            if q.kind == "total_params":
                assert q.answer == run["total"]
            elif q.kind == "trainable_params":
                assert q.answer == run["trainable"]
            elif q.kind == "non_trainable_params":
                assert q.answer == run["non_trainable"]
            elif q.kind == "layer_params":
                assert q.answer == rows[q.layer]["params"]
            elif q.kind == "flatten_size":
                flatten = next(l for l in run["layers"] if l["type"] == "Flatten")
                assert q.answer == flatten["output_shapes"][0][1]
    assert len(recorded["sample"]) >= 8


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


@needs_toml
def test_gift_parses_with_a_real_gift_parser(small):
    for name, (spec, variants) in small.items():
        text = exam.write(spec, variants, "gift")
        parsed = [q for q in gift_parse(text) if q["type"] != "Category"]
        assert len(parsed) == sum(len(v.questions) for v in variants)
        posed = [q for v in variants for q in v.questions]
        for p, q in zip(parsed, posed):
            assert p["type"] == ("Numerical" if not q.choices else "MC")
            # escaping round-trips: the stem reads back as the HTML we meant, code lines intact
            assert html.escape("model = keras.Sequential") in p["stem"]["text"] or "keras" in p["stem"]["text"]
            assert "\n" in p["stem"]["text"]
            assert "\\(" in p["globalFeedback"]["text"] or "\\[" in p["globalFeedback"]["text"]
            if q.choices:
                assert [c["isCorrect"] for c in p["choices"]] == [c.correct for c in q.choices]
            else:
                assert p["choices"][0]["text"]["number"] == q.answer
                assert [c["text"]["number"] for c in p["choices"][1:]] == [c.value for c in q.distractors]


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
    assert (tmp_path / "quiz.tex").exists() and (tmp_path / "quiz-key.tex").exists()
    assert "answer positions" in err and "distinct answer sets: 3" in err


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
    "numeric shape": ("source = 'model = Sequential([Input((n,)), Dense(3)])'\n[sizes]\nn = [4, 5]\n"
                      "[[questions]]\nkind = 'output_shape'\nlayer = 'dense'\nchoices = 0\n",
                      "an output shape is not a number"),
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
