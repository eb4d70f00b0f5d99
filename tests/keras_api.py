"""Run the fixtures' Keras source on symparams's Python API.

The fixture models are this repository's own files, so the tests may execute
them (the source reader, which reads users' files, never does). A stand-in
``keras`` package maps every name the fixtures use onto symparams, which tests
the Python API against the numbers real Keras recorded.
"""

from __future__ import annotations

import json
import types
from contextlib import contextmanager
from pathlib import Path

import symparams
from symparams.keras import layers as sp_layers
from symparams.keras.layers.base import naming_scope
from tools import modules_replaced

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_names() -> list[str]:
    # applications.json and exam_*.json record other things than fixture models
    return sorted(p.stem for p in (FIXTURES / "keras").glob("*.json")
                  if p.stem not in ("applications", "layer_classes") and not p.stem.startswith("exam_"))


def load_fixture(stem: str) -> dict:
    return json.loads((FIXTURES / "keras" / f"{stem}.json").read_text())


def model_path(stem: str) -> Path:
    """A fixture model: in tests/fixtures/models, or a worked study in examples/."""
    for directory in (FIXTURES / "models", FIXTURES.parent.parent / "examples"):
        if (directory / f"{stem}.py").exists():
            return directory / f"{stem}.py"
    raise FileNotFoundError(stem)


def model_source(stem: str) -> str:
    return model_path(stem).read_text()


def _stand_in_modules() -> dict[str, types.ModuleType]:
    keras = types.ModuleType("keras")
    layers = types.ModuleType("keras.layers")
    for name in dir(sp_layers):
        if not name.startswith("_"):
            setattr(layers, name, getattr(sp_layers, name))
    models = types.ModuleType("keras.models")
    backend = types.ModuleType("keras.backend")
    backend.clear_session = symparams.clear_session
    for module in (keras, models):
        module.Sequential = symparams.Sequential
        module.Model = symparams.Model
    keras.Input = layers.Input = symparams.Input
    keras.layers, keras.models, keras.backend = layers, models, backend
    return {"keras": keras, "keras.layers": layers, "keras.models": models, "keras.backend": backend}


@contextmanager
def keras_is_symparams():
    with modules_replaced(_stand_in_modules()), naming_scope():
        yield


def build(stem: str, bindings: dict):
    """Execute a fixture with ``bindings`` for its free names; return its model."""
    namespace = {k: tuple(v) if isinstance(v, list) else v for k, v in bindings.items()}
    namespace["__name__"] = "__fixture__"
    with keras_is_symparams():
        exec(compile(model_source(stem), f"{stem}.py", "exec"), namespace)
    if isinstance(namespace.get("model"), symparams.Model):
        return namespace["model"]
    return [v for v in namespace.values() if isinstance(v, symparams.Model)][-1]


def assert_matches_keras(ours: dict, run: dict, where: str) -> None:
    """A summary's JSON form against one recorded Keras run, row by row."""
    assert ours["name"] == run["name"], where
    assert [(l["name"], l["type"]) for l in ours["layers"]] == \
           [(l["name"], l["type"]) for l in run["layers"]], where
    for mine, theirs in zip(ours["layers"], run["layers"]):
        at = f"{where} layer {theirs['name']}"
        if theirs["output_shapes"] is not None:  # None: Keras's summary prints "?"
            assert mine["output_shapes"] == theirs["output_shapes"], at
        assert (mine["params"], mine["trainable"], mine["non_trainable"]) == \
               (theirs["params"], theirs["trainable"], theirs["non_trainable"]), at
        assert_weights_match(mine["weights"], theirs["weights"], at)
        assert mine["inbound"] == theirs["inbound"], at
    assert (ours["total"], ours["trainable"], ours["non_trainable"]) == \
           (run["total"], run["trainable"], run["non_trainable"]), where


def assert_weights_match(ours: list, theirs: list, where: str) -> None:
    # Keras's variable path can carry an enclosing model's scope
    # ("sequential/time_distributed/conv2d/kernel"); symparams names a weight
    # below its layer, which must be the end of Keras's path.
    assert len(ours) == len(theirs), where
    remaining = list(theirs)
    for w in ours:
        match = next((t for t in remaining
                      if (t["name"] == w["name"] or t["name"].endswith("/" + w["name"]))
                      and t["shape"] == w["shape"] and t["trainable"] == w["trainable"]), None)
        assert match is not None, f"{where}: weight {w} not in Keras's {remaining}"
        remaining.remove(match)


def reader_only(stem: str) -> bool:
    """Fixtures whose code only the reader follows (the user's own classes, Lambda, Keras 1)."""
    return "# reader only:" in model_source(stem)


def numeric_only(stem: str) -> bool:
    """Fixtures whose control flow depends on their free names cannot stay symbolic."""
    return "# numeric only:" in model_source(stem)


def loop_counts(stem: str) -> set:
    """Names a fixture loops over with range(NAME): Python itself must have them as numbers."""
    import re
    return set(re.findall(r"range\((\w+)\)", model_source(stem)))


def int_bound_names(stem: str) -> list:
    """The names a fixture binds to integers: the ones that can stay symbolic."""
    if numeric_only(stem):
        return []
    runs = load_fixture(stem)["runs"]
    return [k for k, v in runs[0]["bindings"].items() if isinstance(v, int)]
