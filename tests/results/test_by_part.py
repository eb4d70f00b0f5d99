"""The total split by part (``symparams scale``'s "Share by part"): every parameter once, the
copies of a block split into the block's own parts, for every fixture of both frameworks."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy

from keras_api import fixture_names, load_fixture, model_source
from symparams.cli import main
from symparams.readers import read_file, read_source
from symparams.results import results_of
from torch_api import load_torch_fixture, torch_fixture_names, torch_source

ROOT = Path(__file__).resolve().parents[2]


def _sums_to_total(result) -> None:
    parts = result.by_part()
    assert len({label for label, _ in parts}) == len(parts)
    assert sympy.expand(sum((v for _, v in parts), sympy.Integer(0)) - result.total) == 0


@pytest.mark.parametrize("stem", torch_fixture_names())
def test_torch_parts_add_up(stem):
    run = load_torch_fixture(stem)["runs"][0]
    read = read_source(torch_source(stem), f"{stem}.py", run["bindings"])
    _sums_to_total(results_of(read, read.model))


@pytest.mark.parametrize("stem", fixture_names())
def test_keras_parts_add_up(stem):
    run = load_fixture(stem)["runs"][0]
    read = read_source(model_source(stem), f"{stem}.py", run["bindings"])
    _sums_to_total(results_of(read, read.model))


def test_a_gpt_splits_into_its_authors_parts_free_or_bound(capsys):
    read = read_file(str(ROOT / "examples/gpt_dataclass.py"), symbolic=["n_layer", "n_embd"])
    parts = dict(results_of(read, read.model).by_part())
    L, d = (sympy.Symbol(n, integer=True, positive=True) for n in ("n_layer", "n_embd"))
    assert list(parts) == ["Embedding", "Norm", "SelfAttention", "FeedForward"]
    assert sympy.expand(parts["SelfAttention"] - (4 * d**2 + 4 * d) * L) == 0
    assert sympy.expand(parts["FeedForward"] - (8 * d**2 + 5 * d) * L) == 0
    assert main(["scale", str(ROOT / "examples/gpt_dataclass.py")]) == 0
    out = capsys.readouterr().out
    assert "  FeedForward    56,669,184  (45.53%)" in out
    # a Keras loop over a free depth (a Repeat) splits into its block's layers too
    read = read_file(str(ROOT / "examples/gpt_decoder.py"))
    assert [label for label, _ in results_of(read, read.model).by_part()] == \
        ["Embedding", "LayerNormalization", "MultiHeadAttention", "Dense"]
