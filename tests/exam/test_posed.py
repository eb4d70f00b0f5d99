"""Questions a student can answer from what they see: a size asked about by name is a name
in the student's code, and a budget is solved as an inequality, not by trying values."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import sympy

from symparams import exam
from symparams.cli import main
from symparams.readers import read_source

ROOT = Path(__file__).resolve().parents[2]
needs_toml = pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11+")

DENSE = '''
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(features,)),
    layers.Dense(units),
    layers.Dense(classes),
])
'''


def _spec(questions, source=DENSE):
    return exam.Spec.from_dict({"source": source, "sizes": {"features": [10, 20, 30], "units": [16, 32, 64],
                                                            "classes": [2, 5, 10]},
                                "questions": questions}, "dense.toml")


@needs_toml
def test_a_budgets_size_is_a_name_in_the_students_code():
    spec = exam.Spec.from_toml(ROOT / "templates" / "exam" / "batchnorm.toml")
    for v in exam.draw(spec, 5, seed=1)[0]:
        assert f"width = {v.sizes['width']}\n" in v.source
        assert "layers.Dense(width, use_bias=False)" in v.source and "layers.Dense(width)" in v.source
        # the code still reads as the same model
        q = next(q for q in v.questions if q.kind == "largest_width")
        assert read_source(v.source, "v.py").model.count_params() == int(
            sympy.sympify(q.facts["count"]).subs(sympy.Symbol("width", integer=True, positive=True), v.sizes["width"]))


def test_a_prompt_naming_a_filled_in_size_is_refused_with_a_fix_that_works(capsys, tmp_path):
    bad = _spec([{"kind": "total_params", "prompt": "With `units` hidden units, how many parameters?"}])
    with pytest.raises(exam.SpecError) as e:
        exam.draw(bad, 2, seed=1)
    message = str(e.value)
    assert message.startswith("dense.toml: questions[1].prompt asks about `units`") and "\n" not in message
    assert "write {units} instead" in message
    fixed = _spec([{"kind": "total_params", "choices": 3, "prompt": "With {units} hidden units, how many parameters?"}])
    variants, _ = exam.draw(fixed, 2, seed=1)
    assert f"With {variants[0].sizes['units']} hidden units" in exam.write(fixed, variants, "markdown")
    # from the command line: one line, exit status 2
    path = tmp_path / "bad.toml"
    path.write_text('source = """' + DENSE + '"""\n[sizes]\nfeatures = [10, 20]\nunits = [16, 32]\nclasses = [2, 5]\n'
                    '[[questions]]\nkind = "total_params"\nprompt = "With `units` units?"\n')
    assert main(["exam", str(path), "--variants", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "questions[1].prompt asks about `units`" in err


def test_a_budget_asked_by_name_in_the_prompt_is_well_posed():
    spec = _spec([{"kind": "largest_width", "size": "units", "budget": 5000, "choices": 0,
                   "prompt": "What is the largest `units` within {budget} parameters?"}])
    variants, _ = exam.draw(spec, 2, seed=1)
    assert all(f"units = {v.sizes['units']}" in v.source for v in variants)


@needs_toml
def test_a_quadratic_budget_is_solved_by_the_formula_then_the_floor_and_checked():
    spec = exam.Spec.from_toml(ROOT / "templates" / "exam" / "batchnorm.toml")
    for v in exam.draw(spec, 6, seed=2)[0]:
        q = next(q for q in v.questions if q.kind == "largest_width")
        f = q.facts
        assert f["degree"] == 2
        w = f["count"].free_symbols.pop()
        assert f["count"].subs(w, q.answer) == f["at"] <= q.spec.budget < f["next"] == f["count"].subs(w, q.answer + 1)
        x = sympy.Symbol("x", real=True)
        root = max(sympy.solve(sympy.Eq(f["count"].subs(w, x), q.spec.budget), x))
        assert sympy.floor(root) == q.answer
        assert f["root_value"] <= root < f["root_value"] + sympy.Rational(1, 100)
    key = exam.write(spec, [v], "markdown", key=True)
    assert "quadratic formula" in key and "\\leq 100{,}000" in key and "is the floor" in key
    assert f"at `width` = ${q.answer}$" in key


def test_a_linear_budget_is_solved_by_division():
    spec = _spec([{"kind": "largest_width", "size": "classes", "budget": 3000, "choices": 0}])
    for v in exam.draw(spec, 4, seed=1)[0]:
        q = v.questions[0]
        assert q.facts["degree"] == 1
        units = v.sizes["units"]
        # (features + 1)·units + (units + 1)·classes ≤ budget
        expected = (3000 - (v.sizes["features"] + 1) * units) // (units + 1)
        assert q.answer == expected
    assert "Solving for it" in exam.write(spec, [v], "markdown", key=True)


@pytest.mark.parametrize("question, message", [
    ({"kind": "growth"}, "questions[1]: growth needs 'size', the size that is multiplied"),
    ({"kind": "growth", "size": "units", "factor": 1}, "questions[1].factor must be a whole number of at least 2"),
    ({"kind": "growth", "size": "units", "factor": 1.5}, "questions[1].factor must be a whole number of at least 2"),
])
def test_a_growth_question_needs_its_size_and_a_whole_factor(question, message):
    with pytest.raises(exam.SpecError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _spec([question])


def test_a_growth_question_keeps_its_size_a_name_and_its_ratio_is_the_two_counts():
    from fractions import Fraction
    spec = _spec([{"kind": "growth", "size": "units", "factor": 3, "choices": 0}])
    for v in exam.draw(spec, 3, seed=1)[0]:
        q = v.questions[0]
        assert f"units = {v.sizes['units']}\n" in v.source and "layers.Dense(units)" in v.source
        f, u, c = v.sizes["features"], v.sizes["units"], v.sizes["classes"]
        count = lambda u: (f + 1) * u + (u + 1) * c      # noqa: E731 - two Dense layers
        assert q.answer == Fraction(count(3 * u), count(u)) and q.tolerance == 0.005


def test_a_kv_cache_question_is_per_sequence_or_per_token():
    with pytest.raises(exam.SpecError, match=r"questions\[1\]\.per must be \"sequence\" or \"token\""):
        _spec([{"kind": "kv_cache", "per": "batch"}])
    with pytest.raises(exam.SpecError, match="a kv_cache question needs an attention layer"):
        exam.draw(_spec([{"kind": "kv_cache"}]), 1, seed=1)
