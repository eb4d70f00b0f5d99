"""The Python API: Keras-like models with sympy sizes."""

from __future__ import annotations

import pytest
import sympy

from keras_api import load_fixture
from symparams import Input, Model, Sequential, SubstitutionError, summarize, symbol, symbols
from symparams.keras import layers


def test_symbolic_mlp_matches_keras_under_each_binding():
    d, w, k = symbols("d w k")
    model = Sequential([Input((d,)), layers.Dense(w), layers.Dense(w), layers.Dense(k)])
    assert sympy.expand(model.total_params - (d * w + w + w * w + w + w * k + k)) == 0
    for run in load_fixture("mlp_symbolic")["runs"]:
        b = run["bindings"]
        assert model.subs(d=b["d"], w=b["w"], k=b["k"]).total_params == run["total"]
        assert model.subs({d: b["d"], "w": b["w"], k: b["k"]}).total_params == run["total"]


def test_substitution_gives_exact_integers():
    """A symbolic image size with strides substitutes to Keras's exact shapes and counts."""
    h, w, c, f, n = symbols("h w c f n")
    model = Sequential([Input((h, w, c)), layers.Conv2D(f, 3, activation="relu"),
                        layers.MaxPooling2D(2), layers.Conv2D(2 * f, 3, strides=2, padding="same"),
                        layers.BatchNormalization(), layers.GlobalAveragePooling2D(),
                        layers.Dense(n)])
    for run in load_fixture("cnn_symbolic")["runs"]:
        s = model.subs(**run["bindings"])
        assert isinstance(s.total, sympy.Integer) and s.total == run["total"]
        assert [[list(shape) for shape in r.output_shapes] for r in s.rows] == \
               [l["output_shapes"] for l in run["layers"]]


def test_unknown_substitution_names_the_free_sizes():
    w = symbol("w")
    model = Sequential([Input((4,)), layers.Dense(w)])
    with pytest.raises(SubstitutionError, match="free sizes are w"):
        model.subs(v=3)


def test_frozen_layer_moves_weights_to_non_trainable():
    run = load_fixture("frozen")["runs"][0]
    inputs = Input((16, 16, 3))
    base = Sequential([Input((16, 16, 3)), layers.Conv2D(8, 3), layers.BatchNormalization(),
                       layers.GlobalAveragePooling2D()], name="base")
    base.trainable = False
    x = layers.Dense(12)(base(inputs))
    frozen = layers.Dense(6)
    x = frozen(x)
    frozen.trainable = False
    model = Model(inputs, layers.Dense(2)(x))
    model.layers[2].trainable = False
    s = summarize(model)
    assert (s.total, s.trainable, s.non_trainable) == (run["total"], run["trainable"], run["non_trainable"])


def test_bytes_at_a_dtype():
    run = load_fixture("seed_dense784")["runs"][0]
    s = Sequential([Input((784,)), layers.Dense(10), layers.Dense(10), layers.Dense(3)]).summarize()
    assert s.total == run["total"]
    assert s.bytes("float32") == 4 * run["total"]
    assert s.bytes("bfloat16") == 2 * run["total"]


def test_text_render_of_symbolic_counts_groups_digits():
    run = load_fixture("seed_conv_chain")["runs"][0]
    n = symbol("num_classes")
    s = Sequential([Input((224, 224, 3)), layers.Conv2D(32, (3, 3)), layers.Conv2D(64, (3, 3)),
                    layers.Conv2D(128, (3, 3)), layers.Dense(n)]).summarize()
    assert s.subs(num_classes=run["bindings"]["num_classes"]).total == run["total"]
    constant = s.total.subs(n, 0)
    assert f"129*num_classes + {int(constant):,}" in s.to_text()
    assert f"{int(constant):,}".replace(",", " ") in s.to_text(thousands=" ")
