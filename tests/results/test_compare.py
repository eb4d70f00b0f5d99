"""symparams compare: two files lined up layer by layer, checked against what Keras and
PyTorch recorded for each, and every difference named by its convention."""

from __future__ import annotations

import pytest

from keras_api import load_fixture, model_path
from symparams.cli import main
from symparams.results.compare import compare
from symparams.readers import read_file
from torch_api import SOURCES, load_torch_fixture


def _pair(keras_stem: str, torch_stem: str, keras_bindings=None):
    k = read_file(str(model_path(keras_stem)), keras_bindings).model
    t = read_file(str(SOURCES / f"{torch_stem}.py")).model
    return compare(k, t)


def test_every_difference_between_keras_and_pytorch_is_named():
    keras_run = load_fixture("compare_recurrent")["runs"][0]
    torch_run = load_torch_fixture("compare_recurrent")["runs"][0]
    c = _pair("compare_recurrent", "compare_recurrent")
    keras_counts = {l["name"]: l["params"] for l in keras_run["layers"]}
    torch_counts = {m["name"]: m["params"] for m in torch_run["modules"]}
    for p in c.pairs:
        assert p.a.params == keras_counts[p.a.name] and p.b.params == torch_counts[p.b.name]
        assert p.explained, p
    reasons = {p.a.name: [r.key for r in p.reasons] for p in c.pairs}
    assert reasons == {"embedding": [], "lstm": ["second_recurrent_bias"], "gru": ["second_recurrent_bias"],
                       "batch_normalization": ["batchnorm_statistics"], "dense": ["bias_in_one_only"]}
    assert (c.a_total, c.b_total, c.b_buffers) == (keras_run["total"], torch_run["total"], torch_run["buffer_total"])


def test_the_seed_cnn_is_the_same_in_both(capsys):
    keras_run = next(r for r in load_fixture("seed_cnn_004")["runs"] if r["bindings"]["input_shape"] == [28, 28, 1])
    torch_run = load_torch_fixture("seed_cnn_004")["runs"][0]
    assert keras_run["total"] == torch_run["total"]
    code = main(["compare", str(model_path("seed_cnn_004")), str(SOURCES / "seed_cnn_004.py"),
                 "--subs", "input_shape=(28,28,1)"])
    out = capsys.readouterr().out
    assert code == 0 and "Every layer has the same count in both." in out
    assert f"Total: Keras {keras_run['total']:,}, PyTorch {torch_run['total']:,} (difference 0)" in out


SEED_PAIRS = ["seed_cnn_004", "seed_conv1d", "seed_conv_5_15", "seed_conv_same", "seed_conv_chain",
              "seed_dense514", "seed_dense784", "seed_flatten_mnist"]


def test_every_seed_model_is_translated_to_pytorch():
    from keras_api import fixture_names
    from torch_api import torch_fixture_names
    seeds = {s for s in fixture_names() if s.startswith("seed_")}
    assert seeds == set(SEED_PAIRS) and seeds <= set(torch_fixture_names())


def _bindings_of(keras_run: dict, torch_runs: list) -> dict:
    """The PyTorch run that is the Keras run's model: the same free sizes, and channels
    for the last axis of the Keras input shape."""
    keras = dict(keras_run["bindings"])
    shape = keras.get("input_shape")
    for run in torch_runs:
        b = run["bindings"]
        if all(keras.get(k) == v for k, v in b.items() if k in keras) and \
                (shape is None or "channels" not in b or b["channels"] == shape[-1]):
            return b
    return {}


@pytest.mark.parametrize("stem", SEED_PAIRS)
def test_compare_names_every_difference_on_the_seeds(stem, capsys):
    """The seeds in Keras against their PyTorch translations: both counts are what each
    framework recorded, and every difference (there is none) is accounted for."""
    torch_runs = load_torch_fixture(stem)["runs"]
    compared = 0
    for keras_run in load_fixture(stem)["runs"]:
        torch_bindings = _bindings_of(keras_run, torch_runs)
        torch_run = next(r for r in torch_runs if r["bindings"] == torch_bindings)
        if "input_shape" in keras_run["bindings"] and "input_size" in torch_run and \
                "channels" not in torch_bindings and len(keras_run["bindings"]["input_shape"]) == 3:
            # the PyTorch file's image size is fixed: only the Keras run of that size is its twin
            if keras_run["bindings"]["input_shape"][:2] != torch_run["input_size"][2:]:
                continue
        subs = {**{k: tuple(v) if isinstance(v, list) else v for k, v in keras_run["bindings"].items()},
                **torch_bindings}
        args = [a for k, v in subs.items() for a in ("--subs", f"{k}={v}".replace(" ", ""))]
        code = main(["compare", str(model_path(stem)), str(SOURCES / f"{stem}.py"), *args])
        out = capsys.readouterr().out
        assert code == 0
        assert f"Total: Keras {keras_run['total']:,}, PyTorch {torch_run['total']:,}" in out
        assert "is not a convention symparams knows" not in out
        compared += 1
    assert compared


def test_compare_prints_the_convention_behind_each_difference(capsys):
    code = main(["compare", str(model_path("compare_recurrent")), str(SOURCES / "compare_recurrent.py")])
    out = capsys.readouterr().out
    assert code == 0
    assert "- lstm / lstm: +512\n    +512: PyTorch keeps two bias vectors per gate" in out
    assert "- batch_normalization / bn: −64\n    −64: Keras counts the moving mean and variance" in out
    assert "- dense / head: +4\n    +4: one has a bias and the other has none" in out
    assert "buffers, which are not parameters: Keras 0, PyTorch 65." in out


def test_a_difference_no_convention_explains_is_said(tmp_path, capsys):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(8, 4))\n")
    b.write_text("import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(8, 5))\n")
    assert main(["compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "+9" in out and "is not a convention symparams knows: the two layers differ in size" in out


def test_the_derivation_of_an_lstm_says_why_pytorch_counts_more():
    from symparams.keras.derivation import derive
    from symparams.render import render
    keras_run = load_fixture("compare_recurrent")["runs"][0]
    torch_run = load_torch_fixture("compare_recurrent")["runs"][0]
    keras_counts = {l["name"]: l["params"] for l in keras_run["layers"]}
    torch_counts = {m["name"]: m["total"] for m in torch_run["modules"]}
    text = render(derive(read_file(str(model_path("compare_recurrent"))).model), "text")
    for keras_name, torch_name, cls in (("lstm", "lstm", "LSTM"), ("gru", "gru", "GRU")):
        more = torch_counts[torch_name] - keras_counts[keras_name]
        assert (f"PyTorch's nn.{cls} has {more:,} parameters more: it keeps two bias vectors per gate, "
                "bias_ih and bias_hh, where Keras keeps one.") in text


def test_a_tied_weight_is_named_where_pytorch_counts_it_once():
    """word_language_model ties its decoder to its encoder: the decoder's row counts only its
    bias, and the difference from a layer with a weight of its own is named as the tie, by
    the tensors PyTorch recorded as tied."""
    run = load_torch_fixture("word_language_model")["runs"][0]
    (tie,) = run["tied"]
    c = _pair("compare_recurrent", "word_language_model")
    (pair,) = [p for p in c.pairs if p.b is not None and p.b.name == tie["name"].rsplit(".", 1)[0]]
    (reason,) = [r for r in pair.reasons if r.key == "tied_weight"]
    shapes = {p["name"]: p["shape"] for p in run["parameters"]}
    rows, cols = shapes[tie["same_as"]]
    assert reason.amount == -rows * cols
    assert reason.detail == (f"{tie['name']} is {tie['same_as']}",)
    assert c.b_total == run["total"]
