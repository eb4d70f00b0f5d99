"""The versions a real framework ran: an exam spec's recorded sample, each run beside the
version symparams draws again with the recording's seed and count."""

from __future__ import annotations

from pathlib import Path

from keras_api import load_fixture
from symparams import exam

ROOT = Path(__file__).resolve().parents[2]


def recorded_versions(name: str) -> list:
    """``[(version, run), ...]`` for the spec ``templates/exam/<name>.toml`` and the runs real
    Keras recorded of it (``tests/fixtures/keras/exam_<name>.json``)."""
    recorded = load_fixture(f"exam_{name}")
    spec = exam.Spec.from_toml(ROOT / "templates" / "exam" / f"{name}.toml")
    variants, _ = exam.draw(spec, recorded["variants"], seed=recorded["seed"])
    by_number = {v.number: v for v in variants}
    return [(by_number[run["number"]], run) for run in recorded["sample"]]
