"""Depthwise and depthwise-separable questions: each wrong option is real Keras's own weights
counted with one mistake (a full convolution counted, the pointwise step left out, a depthwise
kernel per output channel, a depthwise layer counted as a full one)."""

from __future__ import annotations

import math
from fractions import Fraction
import sys
from pathlib import Path

import pytest

from recorded import recorded_versions
from symparams import exam

ROOT = Path(__file__).resolve().parents[2]
needs_toml = pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11+")


def _shapes(layer) -> dict:
    return {w["name"].split("/")[-1]: w["shape"] for w in layer["weights"]}


@needs_toml
def test_separable_mistakes_are_real_kerass_weights_counted_wrong():
    seen = set()
    for v, run in recorded_versions("separable"):
        separable, depthwise = run["layers"][1], run["layers"][2]
        assert (separable["type"], depthwise["type"]) == ("SeparableConv2D", "DepthwiseConv2D")
        q1, q2 = v.questions[0], v.questions[1]
        assert (q1.answer, q2.answer) == (separable["params"], depthwise["params"])
        s = _shapes(separable)
        *k, c_in, m = s["depthwise_kernel"]
        c_out = s["pointwise_kernel"][-1]
        expected = {"separable_as_full": math.prod(k) * c_in * c_out + c_out,
                    "separable_no_pointwise": separable["params"] - math.prod(s["pointwise_kernel"]),
                    "depthwise_per_output": separable["params"] + math.prod(s["depthwise_kernel"]) * (c_out - 1)}
        d = _shapes(depthwise)
        *k2, c2, m2 = d["kernel"]
        expected["depthwise_as_full"] = math.prod(k2) * c2 * c2 * m2 + math.prod(d["bias"])
        for c in (*q1.distractors, *q2.distractors):
            if c.misconception in expected:
                assert c.value == expected[c.misconception], (c.misconception, v.sizes)
                seen.add(c.misconception)
    assert seen == {"separable_as_full", "separable_no_pointwise", "depthwise_per_output", "depthwise_as_full"}


@needs_toml
def test_the_full_convolutions_feedback_says_how_many_times_fewer():
    spec = exam.Spec.from_toml(ROOT / "templates" / "exam" / "separable.toml")
    variants, _ = exam.draw(spec, 6, seed=2)
    found = 0
    for v in variants:
        for c in v.questions[0].choices:
            if c.misconception == "separable_as_full":
                f = c.facts
                assert f["times"] == Fraction(f["full"], f["separable"]) > 1
                found += 1
    text = exam.write(spec, variants, "markdown", key=True)
    assert found and "times fewer" in text
