"""The source reader against real Keras: every fixture file, read (never run) as text."""

from __future__ import annotations

import pytest

from keras_api import (assert_matches_keras, fixture_names, int_bound_names, load_fixture,
                       loop_counts, model_source, numeric_only)
from symparams import summarize
from symparams.readers import read_source
from symparams.keras.summary import json_size

CASES = [(stem, i) for stem in fixture_names() for i in range(len(load_fixture(stem)["runs"]))]


def read(stem: str, bindings: dict):
    return read_source(model_source(stem), f"{stem}.py", bindings)


@pytest.mark.parametrize("stem,run_index", CASES, ids=[f"{s}-{i}" for s, i in CASES])
def test_reader_matches_keras(stem, run_index):
    run = load_fixture(stem)["runs"][run_index]
    result = read(stem, run["bindings"])
    assert result.warnings == []
    assert_matches_keras(summarize(result.model).to_dict(), run, stem)


@pytest.mark.parametrize("stem", [s for s in fixture_names() if int_bound_names(s)])
def test_reader_free_names_substitute_to_keras(stem):
    runs = load_fixture(stem)["runs"]
    names = int_bound_names(stem)
    fixed = {k: v for k, v in runs[0]["bindings"].items() if k not in names}
    summary = summarize(read(stem, fixed).model)
    assert set(summary.symbols) == set(names)
    for run in runs:
        if any(run["bindings"].get(k) != v for k, v in fixed.items()):
            continue
        bound = summary.subs({k: run["bindings"][k] for k in names})
        assert json_size(bound.total) == run["total"]
        assert json_size(bound.trainable) == run["trainable"]
        if not loop_counts(stem):
            # A loop over a free count is one Repeat row; Keras lists every block.
            assert [json_size(r.params) for r in bound.rows] == [l["params"] for l in run["layers"]]


def test_mobilenet_width_multiplier_stays_exact():
    """int(filters * alpha) with a free alpha keeps its floor and substitutes to Keras's counts."""
    summary = summarize(read("mobilenet_v1", {}).model)
    assert summary.symbols == ["alpha"]
    for run in load_fixture("mobilenet_v1")["runs"]:
        alpha = run["bindings"]["alpha"]
        assert json_size(summary.subs(alpha=str(alpha)).total) == run["total"]


@pytest.mark.parametrize("stem", [s for s in fixture_names() if numeric_only(s)])
def test_control_flow_on_a_free_size_names_it(stem):
    from symparams.core.errors import ReadError

    names = set(load_fixture(stem)["runs"][0]["bindings"])
    with pytest.raises(ReadError) as err:
        read(stem, {})
    message = str(err.value)
    assert message.startswith(f"{stem}.py:") and any(n in message for n in names)
    assert "--subs" in message
