"""Keras 1, Keras 2, tf.keras and import-free spellings read to what Keras 3 recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from keras_api import FIXTURES, assert_matches_keras, load_fixture
from symparams import summarize
from symparams.readers import read_file

DIALECTS = sorted((FIXTURES / "dialects").glob("*.py"))


def same_as(path: Path):
    stem, run = path.read_text().splitlines()[0].removeprefix("# same as:").split()
    return load_fixture(stem)["runs"][int(run)]


@pytest.mark.parametrize("path", DIALECTS, ids=[p.stem for p in DIALECTS])
def test_dialect_reads_like_keras3(path):
    run = same_as(path)
    result = read_file(str(path))
    ours = summarize(result.model).to_dict()
    ours["name"] = run["name"]  # the dialect file may name its model differently
    assert_matches_keras(ours, run, path.name)
    assert result.warnings == []
