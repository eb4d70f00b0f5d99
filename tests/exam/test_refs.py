"""Layers named as the student's code shows them: "the second `Conv2D` layer", or the name
the code gives; never Keras's automatic conv2d_1, which the student's code does not show."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from symparams import exam
from symparams.exam.refs import LayerRef

ROOT = Path(__file__).resolve().parents[2]
needs_toml = pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11+")

NAMED = '''
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(features,)),
    layers.Dense(units, name="hidden"),
    layers.Dense(units),
    layers.Dense(classes),
])
'''


@needs_toml
def test_a_layer_is_its_type_and_place_in_every_format():
    spec = exam.Spec.from_toml(ROOT / "templates" / "exam" / "cnn.toml")
    assert spec.questions[1].layer == "conv2d_1"
    variants, _ = exam.draw(spec, 2, seed=1)
    for fmt in ("markdown", "latex", "moodle", "gift", "canvas"):
        text = exam.write(spec, variants, fmt)
        assert "second" in text and "Conv2D" in text, fmt
        stems = [line for line in text.splitlines() if "How many parameters does" in line]
        assert stems and all("conv2d_1" not in s for s in stems), fmt
    md = exam.write(spec, variants, "markdown")
    assert "How many parameters does the second `Conv2D` layer have?" in md


def test_a_name_the_code_gives_is_the_name_asked_about():
    spec = exam.Spec.from_dict({"source": NAMED, "sizes": {"features": [10, 20], "units": [16, 32, 64],
                                                           "classes": [2, 5]},
                                "questions": [{"kind": "layer_params", "layer": "hidden", "choices": 3},
                                              {"kind": "layer_params", "layer": 3, "choices": 0},
                                              {"kind": "largest_layer", "choices": 3}]}, "named.toml")
    variants, _ = exam.draw(spec, 2, seed=1)
    md = exam.write(spec, variants, "markdown", key=True)
    assert "How many parameters does the layer `hidden` have?" in md
    # the layers of a type count in the code's order, the named one among them
    assert "How many parameters does the third `Dense` layer have?" in md
    assert "the second `Dense` layer" in md


def test_pytorch_modules_keep_the_names_the_code_assigns():
    spec = exam.Spec.from_toml(ROOT / "templates" / "exam" / "torch_cnn.toml")
    variants, _ = exam.draw(spec, 1, seed=1)
    md = exam.write(spec, variants, "markdown")
    layered = [q for q in variants[0].questions if q.kind == "layer_params"]
    assert layered and all(f"the module `{q.layer}`" in md for q in layered)


@pytest.mark.parametrize("n, word", [(1, "first"), (2, "second"), (10, "tenth"), (11, "11th"), (12, "12th"),
                                     (13, "13th"), (21, "21st"), (22, "22nd"), (23, "23rd"), (111, "111th")])
def test_ordinals(n, word):
    assert LayerRef("x", "Dense", n, 200, False).place == word
    assert LayerRef("x", "Dense", n, 200, False).text() == f"the {word} Dense layer"
    assert LayerRef("x", "Flatten", 1, 1, False).text() == "the Flatten layer"
    assert LayerRef("enc", "Dense", n, 200, True).text() == "enc"
