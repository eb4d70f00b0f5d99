"""The engine against real Keras 3: every fixture model, every recorded binding.

Expected values come only from ``tests/fixtures/keras/*.json``, written by
``tools/record_keras_fixtures.py`` from real Keras.
"""

from __future__ import annotations

import pytest

from keras_api import (assert_matches_keras, build, fixture_names, int_bound_names, load_fixture, loop_counts,
                       reader_only)
from symparams import summarize, symbol
from symparams.keras.summary import json_size

# The user's own classes, Lambda and Keras 1 code are followed by the reader only
# (tests/readers/test_reader_fixtures.py); the Python API runs the rest.
API_STEMS = [stem for stem in fixture_names() if not reader_only(stem)]
CASES = [(stem, i) for stem in API_STEMS for i in range(len(load_fixture(stem)["runs"]))]


@pytest.mark.parametrize("stem,run_index", CASES, ids=[f"{s}-{i}" for s, i in CASES])
def test_matches_keras(stem, run_index):
    run = load_fixture(stem)["runs"][run_index]
    ours = summarize(build(stem, run["bindings"])).to_dict()
    assert_matches_keras(ours, run, stem)


SYMBOLIC = [stem for stem in API_STEMS if set(int_bound_names(stem)) - loop_counts(stem)]


@pytest.mark.parametrize("stem", SYMBOLIC)
def test_symbolic_total_substitutes_to_keras(stem):
    """Built once with free sizes, the model gives Keras's numbers under every binding."""
    runs = load_fixture(stem)["runs"]
    # Executing the source runs Python's own range(), which needs numbers; the
    # reader keeps loop counts free (tests/readers/test_reader_fixtures.py).
    names = [n for n in int_bound_names(stem) if n not in loop_counts(stem)]
    symbolic = {k: symbol(k) for k in names}
    fixed = {k: v for k, v in runs[0]["bindings"].items() if k not in symbolic}
    summary = summarize(build(stem, {**fixed, **symbolic}))
    assert set(summary.symbols) == set(names)
    checked = 0
    for run in runs:
        if any(run["bindings"].get(k) != v for k, v in fixed.items()):
            continue
        bound = summary.subs({k: run["bindings"][k] for k in names})
        assert json_size(bound.total) == run["total"]
        assert json_size(bound.trainable) == run["trainable"]
        assert [json_size(r.params) for r in bound.rows] == [l["params"] for l in run["layers"]]
        assert [[[json_size(s) for s in shape] for shape in r.output_shapes] for r in bound.rows] == \
               [l["output_shapes"] for l in run["layers"]]
        checked += 1
    assert checked >= 1


def test_fixtures_cover_every_required_layer():
    required = set("""InputLayer Dense Activation ReLU LeakyReLU PReLU ELU Softmax Dropout
    SpatialDropout1D SpatialDropout2D SpatialDropout3D GaussianNoise Flatten Reshape Permute
    RepeatVector Conv1D Conv2D Conv3D Conv1DTranspose Conv2DTranspose Conv3DTranspose
    SeparableConv1D SeparableConv2D DepthwiseConv1D DepthwiseConv2D MaxPooling1D MaxPooling2D
    MaxPooling3D AveragePooling1D AveragePooling2D AveragePooling3D GlobalMaxPooling1D
    GlobalMaxPooling2D GlobalMaxPooling3D GlobalAveragePooling1D GlobalAveragePooling2D
    GlobalAveragePooling3D ZeroPadding1D ZeroPadding2D ZeroPadding3D Cropping1D Cropping2D
    Cropping3D UpSampling1D UpSampling2D UpSampling3D BatchNormalization LayerNormalization
    GroupNormalization UnitNormalization Embedding SimpleRNN LSTM GRU ConvLSTM1D ConvLSTM2D
    ConvLSTM3D Bidirectional TimeDistributed MultiHeadAttention Attention AdditiveAttention Add
    Subtract Multiply Average Maximum Minimum Concatenate Dot Sequential Functional""".split())
    seen = {l["type"] for stem in fixture_names() for run in load_fixture(stem)["runs"] for l in run["layers"]}
    assert required - seen == set()
    assert len(fixture_names()) >= 40


def test_reference_models_equal_keras_applications():
    apps = load_fixture("applications")
    assert load_fixture("vgg16")["runs"][0]["total"] == apps["vgg16"] == 138_357_544
    assert load_fixture("resnet50")["runs"][0]["total"] == apps["resnet50"] == 25_636_712
    mobilenet = {run["bindings"]["alpha"]: run["total"] for run in load_fixture("mobilenet_v1")["runs"]}
    for alpha, total in mobilenet.items():
        assert apps[f"mobilenet_v1_alpha_{alpha}"] == total


# Not rows of any model: the cells live inside RNN (tests/fixtures/models/rnn_cells.py records
# their weights); Equalization's symbolic call returns its own input in Keras 3.15, so Keras
# records no call of it; the base classes and foreign wrappers give one-line messages.
NOT_RECORDED = {"GRUCell", "LSTMCell", "SimpleRNNCell", "StackedRNNCells", "Equalization"}
FOREIGN_OR_BASE = {"TorchModuleWrapper", "JaxLayer", "FlaxLayer", "TFSMLayer", "Layer", "Wrapper"}


def test_every_keras_layer_class_is_known_and_recorded():
    """tests/fixtures/keras/layer_classes.json lists keras.layers as real Keras exports it."""
    from symparams.keras.layers import LAYERS

    catalogue = load_fixture("layer_classes")["classes"]
    assert len(catalogue) >= 160
    unknown = [n for n in catalogue if n not in LAYERS and n not in FOREIGN_OR_BASE]
    assert unknown == []
    seen = {l["type"] for stem in fixture_names() for run in load_fixture(stem)["runs"] for l in run["layers"]}
    unrecorded = [n for n in catalogue if n in LAYERS and LAYERS[n].__name__ not in seen
                  and n not in seen and n not in NOT_RECORDED]
    assert unrecorded == []
