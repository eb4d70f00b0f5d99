"""Write-the-formula questions: the layer's textbook formula, whose value at the version's
sizes is the count real Keras reports, and a rubric in the paper key."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import sympy

from recorded import recorded_versions
from symparams import exam
from symparams.core.formula import evaluate, substitute
from symparams.exam.draw import Readings

ROOT = Path(__file__).resolve().parents[2]
needs_toml = pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11+")


@needs_toml
def test_each_formula_at_the_versions_sizes_is_real_kerass_count():
    spec = exam.Spec.from_toml(ROOT / "templates" / "exam" / "formulas.toml")
    readings = Readings(spec)
    checked = 0
    for v, run in recorded_versions("formulas"):
        rows = {l["name"]: l for l in run["layers"]}
        reading = readings.get(v.sizes)
        view = reading.view(v.sizes)
        for q in v.questions:
            assert q.kind == "formula" and q.answer == rows[q.layer]["params"]
            book = reading.textbook(view.row(q.layer))
            symbols = {s.name: s for b in book.quantities for s in sympy.sympify(b.value).free_symbols}
            values = {b.key: sympy.sympify(b.value).subs({symbols[k]: x for k, x in v.sizes.items() if k in symbols})
                      for b in book.quantities}
            assert int(evaluate(substitute(q.facts["formula"], values))) == rows[q.layer]["params"]
            checked += 1
    assert checked >= 24


@needs_toml
def test_the_paper_key_has_a_rubric_and_the_sheet_room_to_write():
    spec = exam.Spec.from_toml(ROOT / "templates" / "exam" / "formulas.toml")
    variants, _ = exam.draw(spec, 2, seed=1)
    key = exam.write(spec, variants, "latex", key=True)
    sheet = exam.write(spec, variants, "latex")
    assert key.count("Rubric, 3 points: a third for the formula") == 4
    assert key.count("Rubric, 2 points") == 2
    assert sheet.count("\\makeemptybox") == 6 and "Rubric" not in sheet
    md = exam.write(spec, variants, "markdown")
    assert "Write the number of parameters of the `LSTM` layer as a formula in its sizes" in md
    # a learning system grades the count; the rubric is in its feedback
    moodle = exam.write(spec, variants, "moodle")
    assert moodle.count('<question type="numerical">') == 6 and "Rubric, 3 points" in moodle


def test_a_formula_is_written_not_chosen():
    with pytest.raises(exam.SpecError, match=r"questions\[1\]: a formula is written, not chosen"):
        exam.Spec.from_dict({"source": "x", "sizes": {"n": [1]},
                             "questions": [{"kind": "formula", "layer": 1, "choices": 4}]})
    with pytest.raises(exam.SpecError, match=r"questions\[1\]: formula needs 'layer'"):
        exam.Spec.from_dict({"source": "x", "sizes": {"n": [1]}, "questions": [{"kind": "formula"}]})


def test_a_layer_without_weights_is_refused_naming_the_question():
    source = "import keras\nfrom keras import layers\nmodel = keras.Sequential([keras.Input((n,)), layers.Dense(4), layers.Dropout(0.5)])\n"
    spec = exam.Spec.from_dict({"source": source, "sizes": {"n": [3, 5]},
                                "questions": [{"kind": "formula", "layer": 2}]}, "q.toml")
    with pytest.raises(exam.SpecError) as e:
        exam.draw(spec, 1, seed=1)
    assert str(e.value).startswith("q.toml: questions[1] (formula): formula: the layer 'dropout' has no "
                                   "parameter formula to write")
