"""Worked solutions of PyTorch models: every step's formula equals its module's parameter
count as real PyTorch recorded it, the total is PyTorch's, the rule behind each PyTorch
convention is named, and the output is what pdflatex and KaTeX accept."""

from __future__ import annotations

import pytest

from symparams.pytorch.derivation import derive_module
from symparams.readers import read_source
from symparams.render import render
from tools import katex_render, math_fragments, pdflatex
from torch_api import load_torch_fixture, torch_fixture_names, torch_source

CASES = [(stem, i) for stem in torch_fixture_names() for i, _ in enumerate(load_torch_fixture(stem)["runs"])]


def _derived(stem: str, run: dict, **options):
    size = [tuple(run["input_size"])] if "input_size" in run else None
    result = read_source(torch_source(stem), f"{stem}.py", run["bindings"], input_size=size)
    return derive_module(result.model, result.trace_of(result.model), **options)


@pytest.mark.parametrize("stem,index", CASES, ids=[f"{s}-{i}" for s, i in CASES])
def test_every_step_matches_pytorch(stem, index):
    run = load_torch_fixture(stem)["runs"][index]
    d = _derived(stem, run, detail="full")
    own = {m["name"]: m["params"] for m in run["modules"]}
    tied = {t["name"] for t in run["tied"]}
    for step in d.layers:
        name = "" if step.name == run["class"] else step.name      # the model's own parameters
        counted = own[name] - sum(p["numel"] for p in _params(run, name) if p["name"] in tied)
        assert step.params == counted, step.name
        if step.formula is not None:
            assert step.formula.value == counted, step.name
        assert step.weight_sum is None or step.weight_sum.value == counted, step.name
    assert d.total.value == run["total"]


def _params(run: dict, module: str) -> list:
    import math
    out = []
    for p in run["parameters"] + [{"name": t["name"], "shape": _shape_of(run, t["same_as"])} for t in run["tied"]]:
        prefix, _, _ = p["name"].rpartition(".")
        if prefix == module:
            out.append({"name": p["name"], "numel": math.prod(p["shape"])})
    return out


def _shape_of(run: dict, name: str) -> list:
    return next(p["shape"] for p in run["parameters"] if p["name"] == name)


def test_the_derivation_of_an_lstm_says_why_pytorch_counts_more():
    """The LSTM's step names PyTorch's two biases and gives the difference from Keras's
    count, as the two frameworks recorded it for the same model."""
    from keras_api import load_fixture
    run = load_torch_fixture("compare_recurrent")["runs"][0]
    text = render(_derived("compare_recurrent", run), "text")
    torch_lstm = next(m["total"] for m in run["modules"] if m["name"] == "lstm")
    keras_lstm = next(l["params"] for l in load_fixture("compare_recurrent")["runs"][0]["layers"]
                      if l["name"] == "lstm")
    assert ("The two biases are why PyTorch's count is larger than Keras's: Keras's LSTM adds one bias "
            f"per gate, where PyTorch adds bias_ih and bias_hh (cuDNN's layout), so this module has "
            f"{torch_lstm - keras_lstm:,} parameters more.") in text


def test_conventions_are_named(tmp_path):
    runs = {stem: load_torch_fixture(stem)["runs"][0] for stem in ("batchnorm_cnn", "gpt2_tied", "attention_transformer")}
    bn = render(_derived("batchnorm_cnn", runs["batchnorm_cnn"]), "text")
    assert "are buffers in PyTorch: saved with the model but not parameters" in bn
    gpt = render(_derived("gpt2_tied", runs["gpt2_tied"]), "text")
    assert "lm_head.weight is the same tensor as wte.weight (tied weights)" not in gpt  # named by its own name
    assert "weight is the same tensor as wte.weight (tied weights), so it is counted there and not again" in gpt
    assert f"Total = {runs['gpt2_tied']['total']:,}" in gpt
    mha = render(_derived("attention_transformer", runs["attention_transformer"]), "text")
    assert "so the number of heads does not change the count" in mha


@pytest.mark.slow
@pytest.mark.parametrize("detail", ["summary", "standard", "full"])
def test_pytorch_derivations_compile_and_render_in_katex(tmp_path, detail):
    fragments = []
    for stem, index in CASES:
        if index:
            continue
        d = _derived(stem, load_torch_fixture(stem)["runs"][0], detail=detail)
        pdflatex(render(d, "latex", standalone=True), tmp_path, f"{stem}-{detail}", max_overfull=1.0)
        fragments += math_fragments(render(d, "markdown"), f"{stem}-{detail}")
    errors, report = katex_render(fragments)
    assert errors == 0, report


def test_derive_command_on_a_pytorch_file(capsys):
    from symparams.cli import main
    from torch_api import SOURCES
    run = load_torch_fixture("lstm_classifier")["runs"][0]
    assert main(["derive", str(SOURCES / "lstm_classifier.py"), "--format", "markdown",
                 "--input-size", ",".join(map(str, run["input_size"]))]) == 0
    out = capsys.readouterr().out
    assert f"{run['total']:,}".replace(",", "{,}") in out and "bias_ih" in out and "| Module |" in out
