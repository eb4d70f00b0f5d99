"""A PyTorch model's forward followed on shapes, against real PyTorch: every module's
output shape (as a forward hook saw it) and the FLOPs torch.utils.flop_counter counted, in
total and per module, for every fixture recorded with an input."""

from __future__ import annotations

import json

import pytest
import sympy

from symparams.core.jsonvalues import json_size
from symparams.pytorch.summary import summarize_module
from symparams.readers import read_source
from torch_api import SOURCES, load_torch_fixture, torch_fixture_names, torch_source

CASES = [(stem, i) for stem in torch_fixture_names()
         for i, run in enumerate(load_torch_fixture(stem)["runs"]) if "input_size" in run]


def _json(shape):
    if shape is None:
        return None
    if isinstance(shape, tuple):
        return [_json(s) for s in shape]
    return json_size(shape)


def _traced(stem: str, run: dict, input_size=None):
    result = read_source(torch_source(stem), f"{stem}.py", run["bindings"],
                         input_size=input_size or [tuple(run["input_size"])])
    return summarize_module(result.model, trace=result.trace_of(result.model))


def test_every_fixture_with_an_input_is_followed():
    assert len(CASES) >= 10


@pytest.mark.parametrize("stem,index", CASES, ids=[f"{s}-{i}" for s, i in CASES])
def test_output_shapes_match_pytorch(stem, index):
    run = load_torch_fixture(stem)["runs"][index]
    rows = {r.name: r for r in _traced(stem, run).rows}
    recorded = [(m["name"], m["output_shape"]) for m in run["modules"] if "output_shape" in m]
    assert recorded, "the record has no output shapes"
    assert [(name, _json(rows[name].output_shape)) for name, _ in recorded] == recorded
    # a module PyTorch never called (MultiheadAttention's out_proj) has no shape either
    never = {m["name"] for m in run["modules"] if "output_shape" not in m}
    assert all(rows[n].output_shape is None for n in never)


@pytest.mark.parametrize("stem,index", CASES, ids=[f"{s}-{i}" for s, i in CASES])
def test_flops_match_the_flop_counter(stem, index):
    run = load_torch_fixture(stem)["runs"][index]
    summary = _traced(stem, run)
    assert 2 * summary.macs == run["flop_counter"]["total"]
    ours = {r.name: 2 * r.macs for r in summary.rows if r.macs}
    assert ours == run["flop_counter"]["modules"]


def test_lazy_linear_takes_its_input_from_the_forward_pass():
    run = load_torch_fixture("layer_zoo")["runs"][0]
    result = read_source(torch_source("layer_zoo"), "layer_zoo.py", input_size=[tuple(run["input_size"])])
    shapes = {n: [int(s) for s in p.shape] for n, p in result.model.named_parameters()}
    assert shapes["lazy.weight"] == next(p["shape"] for p in run["parameters"] if p["name"] == "lazy.weight")
    assert result.model.count() == run["total"]


def test_recurrent_compute_grows_with_the_sequence_length():
    """torchinfo#32: an LSTM's MACs are per time step; with a free length they are linear in it."""
    run = load_torch_fixture("lstm_classifier")["runs"][0]
    batch, length = run["input_size"]
    summary = _traced("lstm_classifier", run, [(batch, sympy.Symbol("T", positive=True, integer=True))])
    T = next(iter(summary.macs.free_symbols))
    assert sympy.degree(summary.macs, T) == 1
    assert 2 * summary.macs.subs(T, length) == run["flop_counter"]["total"]


def test_attention_products_are_counted():
    """calflops#48: the query-key and weights-value products are part of the count."""
    run = load_torch_fixture("gpt2_tied")["runs"][1]
    summary = _traced("gpt2_tied", run)
    linear_only = sum(2 * r.macs for r in summary.rows if r.type == "Linear" and r.macs)
    assert 2 * summary.macs > linear_only
    assert 2 * summary.macs == run["flop_counter"]["total"]


# ---- the command line ----------------------------------------------------------------------

def _cli(capsys, *args):
    from symparams.cli import main
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_summary_with_an_input_size(capsys):
    run = load_torch_fixture("alexnet")["runs"][0]
    size = ",".join(map(str, run["input_size"]))
    code, out, err = _cli(capsys, "summary", str(SOURCES / "alexnet.py"), "--input-size", size)
    assert code == 0, err
    assert "Output shape" in out and f"Input size: [{', '.join(map(str, run['input_size']))}]" in out
    assert f"FLOPs = 2·MACs = {run['flop_counter']['total']:,}" in out
    code, out, err = _cli(capsys, "summary", str(SOURCES / "alexnet.py"), "--input-size", size,
                          "--format", "json")
    data = json.loads(out)
    assert data["compute"]["flops"] == run["flop_counter"]["total"] and data["input_size"] == [run["input_size"]]
    first = {m["name"]: m["output_shape"] for m in run["modules"] if "output_shape" in m}
    assert {m["name"]: m["output_shape"] for m in data["modules"] if m["name"] in first} == first


def test_a_call_in_the_file_gives_the_input(capsys, tmp_path):
    path = tmp_path / "net.py"
    path.write_text("import torch\nfrom torchinfo import summary\nimport torch.nn as nn\n\n"
                    "class Net(nn.Module):\n"
                    "    def __init__(self):\n        super().__init__()\n"
                    "        self.body = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten())\n"
                    "        self.head = nn.Linear(8 * 30 * 30, 10)\n\n"
                    "    def forward(self, x):\n        return self.head(self.body(x))\n\n\n"
                    "model = Net()\n"
                    "if __name__ == '__main__':\n    summary(model, input_size=(2, 3, 32, 32))\n")
    code, out, err = _cli(capsys, "summary", str(path))
    assert code == 0, err
    assert "[2, 8, 30, 30]" in out and "[2, 10]" in out and "Input size: [2, 3, 32, 32]" in out


@pytest.mark.parametrize("body,expected", [
    ("        return self.fc2(x)\n", "net.py:9: forward() of Net uses self.fc2, which __init__ never created"),
    ("        return self.fc(x.view(x.size(0), -1, 2))\n", "net.py:9: fc: Linear expects 12 input features"),
    ("        return torch.einsum('bi,bj->bij', x, x)\n", "net.py:9: torch.einsum: torch.einsum() is not followed"),
    ("        return self.fc(x.view(5, 7))\n", "net.py:9: .view(): shape [2, 12] (24 values) cannot be viewed as [5, 7]"),
])
def test_forward_errors_are_one_line(capsys, tmp_path, body, expected):
    path = tmp_path / "net.py"
    path.write_text("import torch\nimport torch.nn as nn\n\nclass Net(nn.Module):\n"
                    "    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(12, 4)\n\n"
                    "    def forward(self, x):\n" + body.replace("        return", "        return", 1) + "\n\nmodel = Net()\n")
    # the forward body is line 10; the message names its line
    code, out, err = _cli(capsys, "summary", str(path), "--input-size", "2,12")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert expected.replace("net.py:9", "net.py:10") in err, err


def test_input_options_belong_to_their_framework(capsys, tmp_path):
    keras_file = tmp_path / "k.py"
    keras_file.write_text("from keras import layers, models\n"
                          "model = models.Sequential([layers.Input((4,)), layers.Dense(2)])\n")
    code, out, err = _cli(capsys, "summary", str(keras_file), "--input-size", "1,4")
    assert code == 2 and "--input-size is for PyTorch files" in err and "--input-shape 28,28,1" in err
    code, out, err = _cli(capsys, "summary", str(SOURCES / "alexnet.py"), "--input-shape", "3,224,224")
    assert code == 2 and "--input-size 1,3,224,224" in err
    code, out, err = _cli(capsys, "summary", str(SOURCES / "alexnet.py"), "--input-size", "1,x,0")
    assert code == 2 and "--input-size '1,x,0': each size must be a positive whole number" in err


def test_dialect_overrides_the_guess(capsys, tmp_path):
    path = tmp_path / "plain.py"
    # no import of torch: only --dialect says what nn is
    path.write_text("model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))\n")
    code, out, err = _cli(capsys, "summary", str(path), "--dialect", "torch")
    assert code == 0, err
    assert "Total params: 19" in out
