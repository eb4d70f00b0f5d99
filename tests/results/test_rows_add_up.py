"""A reader checking a table by hand finds the total: in every summary and diagram of every
Keras and PyTorch fixture, the rows (a module's own nn.Parameters included) add up to it."""

from __future__ import annotations

import pytest
import sympy

from keras_api import fixture_names, load_fixture, model_source
from symparams.readers import read_source
from symparams.results import results_of
from torch_api import load_torch_fixture, torch_fixture_names, torch_source


def _torch(stem: str):
    run = load_torch_fixture(stem)["runs"][0]
    read = read_source(torch_source(stem), f"{stem}.py", run["bindings"], input_size=[tuple(run["input_size"])])
    return results_of(read, read.model), run


def _keras(stem: str):
    run = load_fixture(stem)["runs"][0]
    read = read_source(model_source(stem), f"{stem}.py", run["bindings"])
    return results_of(read, read.model), run


def _sum(values) -> sympy.Expr:
    return sympy.expand(sum(values, sympy.Integer(0)))


def _check_diagram(diagram, total, where: str) -> None:
    """The boxes add up to the diagram's total, and a single box's inside to the box."""
    boxes = [b for b in diagram.boxes if b.kind != "input"]
    assert _sum(b.params for b in boxes) == sympy.expand(total), where
    for b in boxes:
        if b.inside is not None and b.copies is None:
            _check_diagram(b.inside, b.params, f"{where} > {b.name}")


@pytest.mark.parametrize("stem", torch_fixture_names())
def test_torch_rows_add_up(stem):
    result, run = _torch(stem)
    table = result.summary.table
    assert result.total == run["total"]
    assert _sum(r.params for r in table if r.depth == 1) == result.total, "the top rows"
    for i, row in enumerate(table):
        below = []
        for r in table[i + 1:]:
            if r.depth <= row.depth:
                break
            if r.depth == row.depth + 1:
                below.append(r.params)
        if below:
            assert _sum(below) == row.params, f"{row.name}: its rows add up to it"
    _check_diagram(result.diagram(None), result.total, stem)


@pytest.mark.parametrize("stem", fixture_names())
def test_keras_rows_add_up(stem):
    result, run = _keras(stem)
    assert result.total == run["total"]
    assert _sum(r.params for r in result.summary.rows) == result.total
    _check_diagram(result.diagram(result.derive(detail="summary")), result.total, stem)


def test_vit_shows_its_own_parameters():
    """ViT's cls_token and position embeddings (1,152 of 81,226, as PyTorch recorded them)
    are rows and boxes of their own."""
    result, run = _torch("vit_tiny")
    recorded = {p["name"]: p["shape"] for p in run["parameters"]}
    rows = {r.name: r for r in result.summary.table if r.is_parameter and r.depth == 1}
    assert set(rows) == {"cls_token", "pos"}
    for name, row in rows.items():
        assert list(row.parameters[0][1]) == recorded[name]
    text = result.summary.to_text()
    assert "cls_token (Parameter)" in text and "pos (Parameter)" in text
    boxes = {b.name: b for b in result.diagram(None).boxes}
    assert boxes["cls_token"].kind == "parameter" and boxes["pos"].params == 17 * 64
