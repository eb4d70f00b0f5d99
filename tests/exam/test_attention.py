"""Attention questions: each wrong option is real Keras's own weights counted with one
mistake a student makes (the output projection left out, the query/key/value biases left
out, the heads multiplying the count, one head as wide as the layer, each head as wide as the
model, grouped-query attention's keys and values given every query head)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from recorded import recorded_versions
from symparams import exam

ROOT = Path(__file__).resolve().parents[2]
needs_toml = pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11+")


def _weights(layer) -> dict:
    return {tuple(w["name"].split("/")[-2:]): tuple(w["shape"]) for w in layer["weights"]}


def expected_mistakes(layer) -> dict:
    """Each mistake's count of the attention layer, from the weights real Keras made."""
    w = _weights(layer)
    n = {k: math.prod(s) for k, s in w.items()}
    params = layer["params"]
    d_model, q_heads, d_head = w[("query", "kernel")]
    kv_heads = w[("key", "kernel")][1]
    out = {"attention_no_output": params - n[("attention_output", "kernel")] - n[("attention_output", "bias")],
           "attention_no_qkv_bias": params - sum(n[(p, "bias")] for p in ("query", "key", "value")),
           "attention_heads_multiply": params * q_heads}
    # each head as wide as the model: every (heads, d_head) is (heads, d_model)
    wide = sum(d_model * h * d_model + h * d_model for h in (q_heads, kv_heads, kv_heads))
    out["attention_model_width_per_head"] = wide + q_heads * d_model * d_model + d_model
    if layer["type"] == "MultiHeadAttention":
        out["attention_one_head"] = 3 * (d_model * d_head + d_head) + d_head * d_model + d_model
    elif kv_heads < q_heads:
        out["gqa_all_heads"] = params + 2 * (q_heads - kv_heads) * (d_model * d_head + d_head)
    return out


@needs_toml
def test_attention_mistakes_are_real_kerass_weights_counted_wrong():
    seen, classes = set(), set()
    for v, run in recorded_versions("attention"):
        layer = next(l for l in run["layers"] if l["type"] in ("MultiHeadAttention", "GroupedQueryAttention"))
        classes.add(layer["type"])
        q = v.questions[0]
        assert q.kind == "layer_params" and q.answer == layer["params"]
        expected = expected_mistakes(layer)
        for c in q.distractors:
            if c.misconception in expected:
                assert c.value == expected[c.misconception], (c.misconception, v.sizes)
                seen.add(c.misconception)
    assert classes == {"MultiHeadAttention", "GroupedQueryAttention"}
    assert seen >= {"attention_no_output", "attention_no_qkv_bias", "attention_heads_multiply",
                    "attention_model_width_per_head", "gqa_all_heads"}


@needs_toml
def test_the_attention_spec_names_its_layer_as_the_code_does_and_its_cost_grows_with_the_square():
    spec = exam.Spec.from_toml(ROOT / "templates" / "exam" / "attention.toml")
    variants, _ = exam.draw(spec, 12, seed=1)
    md = exam.write(spec, variants, "markdown")
    assert "How many parameters does the `MultiHeadAttention` layer have?" in md
    # the attention layer's multiply-adds: projections grow with the sequence, scores with its square
    by = {}
    for v in variants:
        if not v.sizes["grouped"]:
            by[(v.sizes["d_model"], v.sizes["heads"], v.sizes["seq"])] = next(
                q.answer for q in v.questions if q.kind == "compute")
    for (d, h, n), macs in by.items():
        assert macs == 4 * n * d * d + 2 * n * n * d


@needs_toml
def test_doubling_d_model_is_real_kerass_count_at_both_widths():
    """The growth question: the count with d_model doubled over the count at the drawn one,
    both counted by real Keras (the recorder runs the grown model too), a little under 4 for
    a block whose matrices are d_model wide on both sides."""
    from fractions import Fraction
    for v, run in recorded_versions("attention"):
        q = next(q for q in v.questions if q.kind == "growth")
        assert q.answer == Fraction(run["grown"][str(q.index)], run["total"])
        assert 2 < q.answer < 4
        assert f"d_model = {v.sizes['d_model']}\n" in v.source      # the size asked about is named
        wrong = {c.misconception: c.value for c in q.distractors}
        assert wrong.get("linear_growth", 2) == 2 and wrong.get("matrices_only", 4) == 4


@needs_toml
def test_the_kv_cache_is_real_kerass_key_and_value_widths_at_the_dtype():
    """Each token's key and value, as wide as the key and value kernels real Keras made
    (heads × head width), for every token of the sequence, at float16, in KiB; and the mistakes:
    keys only, the query heads for GQA, one token."""
    from fractions import Fraction
    seen = set()
    for v, run in recorded_versions("attention"):
        layer = next(l for l in run["layers"] if l["type"] in ("MultiHeadAttention", "GroupedQueryAttention"))
        w = _weights(layer)
        key, value, query = (math.prod(w[(p, "kernel")][1:]) for p in ("key", "value", "query"))
        tokens = v.sizes["seq"]
        q = next(q for q in v.questions if q.kind == "kv_cache")
        assert (q.spec.dtype, q.spec.unit) == ("float16", "KiB")
        kib = lambda n: Fraction(n * 2, 1024)       # noqa: E731 - float16 numbers in KiB
        assert q.answer == kib((key + value) * tokens)
        wrong = {c.misconception: c.value for c in q.distractors}
        assert wrong["kv_keys_only"] == kib(key * tokens) and wrong["kv_one_token"] == kib(key + value)
        if key < query:
            # with half as many key heads as query heads it is float32's count: one option of two
            assert kib(2 * query * tokens) in wrong.values()
            seen.update(m for m, x in wrong.items() if x == kib(2 * query * tokens))
    assert "kv_query_heads" in seen
