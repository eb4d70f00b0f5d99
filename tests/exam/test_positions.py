"""Where the right answer stands among the choices: shuffled with the seed within one
version, balanced across versions, and never piled on one letter."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from symparams import exam

ROOT = Path(__file__).resolve().parents[2]
needs_toml = pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11+")


def _positions(variants) -> Counter:
    return Counter(q.answer_position for v in variants for q in v.questions if q.choices and not q.multiple)


def _spread_ok(counts: Counter) -> None:
    n = sum(counts.values())
    assert n >= 100
    assert max(counts.values()) <= 0.4 * n, counts
    assert len(counts) == 4, counts     # every letter is used


@needs_toml
def test_one_version_of_a_hundred_questions_spreads_its_answers():
    """A single version of a 100-question quiz: no position holds over 40% of the answers."""
    cnn = exam.Spec.from_toml(ROOT / "templates" / "exam" / "cnn.toml")
    questions = [q for q in cnn.questions] * 34
    spec = exam.Spec(cnn.title, cnn.source, cnn.sizes, tuple(questions[:100]), path="cnn100.toml",
                     answer_min=cnn.answer_min, answer_max=cnn.answer_max)
    for seed in (1, 2):
        (variant,), _ = exam.draw(spec, 1, seed=seed)
        _spread_ok(_positions([variant]))


@needs_toml
@pytest.mark.parametrize("name", ["cnn", "layers", "rnn"])
def test_a_hundred_questions_over_versions_spread_their_answers(name):
    spec = exam.Spec.from_toml(ROOT / "templates" / "exam" / f"{name}.toml")
    n = -(-100 // sum(1 for q in spec.questions if q.choices and q.kind != "param_free_layers"))
    variants, report = exam.draw(spec, n, seed=3)
    _spread_ok(_positions(variants))
    # and each question on its own is balanced over the versions, to within one
    for q, counts in report.positions.items():
        if counts:
            assert max(counts.values()) - min(counts.values()) <= 1 or len(counts) < 4, (q, counts)


@needs_toml
def test_the_seed_shuffles_the_positions_of_one_version():
    spec = exam.Spec.from_toml(ROOT / "templates" / "exam" / "layers.toml")
    seen = set()
    for seed in range(1, 9):
        (variant,), _ = exam.draw(spec, 1, seed=seed)
        seen.add(tuple(q.answer_position for q in variant.questions if q.choices and not q.multiple))
    assert len(seen) >= 4
