"""symparams' PyTorch modules against real PyTorch: every recorded fixture, built from its
own source with the stand-in torch, registers the same parameters, tied names and
buffers, under the same names and with the same shapes, and counts the same."""

from __future__ import annotations

import json

import pytest

from symparams.pytorch.module import module_type
from symparams.readers.torch.reader import read_torch_source
from torch_api import (as_int, build_torch, from_forward, load_torch_fixture, reader_only, torch_fixture_names,
                       torch_source, SOURCES)

CASES = [(stem, i) for stem in torch_fixture_names() for i, _ in enumerate(load_torch_fixture(stem)["runs"])]


def assert_matches_pytorch(model, run: dict, sizes: dict) -> None:
    """A module against one recorded PyTorch run: parameters, ties, buffers, modules, totals."""
    ours = [(n, [as_int(s, sizes) for s in p.shape], p.requires_grad) for n, p in model.named_parameters()]
    assert ours == [(p["name"], p["shape"], p["trainable"]) for p in run["parameters"]]
    assert [{"name": n, "same_as": f} for n, f in model.tied()] == run["tied"]
    buffers = [(n, [as_int(s) for s in b.shape], b.persistent) for n, b in model.named_buffers()]
    assert buffers == [(b["name"], b["shape"], b["persistent"]) for b in run["buffers"]]
    modules = [(n, module_type(m), as_int(m.count(recurse=False), sizes), as_int(m.count(), sizes))
               for n, m in model.named_modules()]
    assert modules == [(m["name"], m["class"], m["params"], m["total"]) for m in run["modules"]]
    assert (as_int(model.count(), sizes), as_int(model.trainable_count(), sizes),
            as_int(model.buffer_count())) == (run["total"], run["trainable"], run["buffer_total"])


API_CASES = [(s, i) for s, i in CASES if not reader_only(s)]


@pytest.mark.parametrize("stem,index", API_CASES, ids=[f"{s}-{i}" for s, i in API_CASES])
def test_fixture_built_with_the_api_matches_pytorch(stem, index):
    run = load_torch_fixture(stem)["runs"][index]
    model = build_torch(stem, run["bindings"])
    assert type(model).__name__ == run["class"]
    assert_matches_pytorch(model, run, from_forward(stem))


@pytest.mark.parametrize("stem,index", CASES, ids=[f"{s}-{i}" for s, i in CASES])
def test_fixture_read_from_source_matches_pytorch(stem, index):
    """The reader, which never runs the file, gives what PyTorch gave."""
    run = load_torch_fixture(stem)["runs"][index]
    result = read_torch_source(torch_source(stem), f"{stem}.py", run["bindings"])
    assert module_type(result.module) == run["class"]
    assert_matches_pytorch(result.module, run, from_forward(stem))


def test_the_counts_users_ask_about():
    """The published numbers, from the recorded runs (not typed in): torchvision's ResNets
    and AlexNet, and GPT-2 small with its tied embedding counted once."""
    runs = {stem: load_torch_fixture(stem)["runs"] for stem in ("resnet_torchvision", "alexnet", "gpt2_tied")}
    assert [r["total"] for r in runs["resnet_torchvision"]] == [11_689_512, 25_557_032]
    assert runs["alexnet"][0]["total"] == 61_100_840
    gpt = runs["gpt2_tied"][0]
    assert gpt["total"] == 124_439_808 and gpt["torchinfo"]["total_params"] > gpt["total"]
    model = build_torch("gpt2_tied", gpt["bindings"])
    assert as_int(model.count()) == 124_439_808
    assert model.tied() == [("lm_head.weight", "wte.weight")]


# ---- the command line ------------------------------------------------------------------

def _cli(capsys, *args):
    from symparams.cli import main
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_summary_of_a_pytorch_file(capsys):
    run = load_torch_fixture("resnet_torchvision")["runs"][1]
    path = str(SOURCES / "resnet_torchvision.py")
    code, out, err = _cli(capsys, "summary", path, "--subs", "depth=50")
    assert code == 0, err
    assert f"Total params: {run['total']:,}" in out and f"Buffers (saved, not parameters): {run['buffer_total']:,}" in out
    assert "layer1 (Sequential)" in out and "    conv1 (Conv2d)" in out
    assert "read as PyTorch code" in err
    code, out, err = _cli(capsys, "summary", path, "--subs", "depth=50", "--format", "json")
    data = json.loads(out)
    assert data["framework"] == "pytorch" and data["total"] == run["total"]
    assert [(m["name"], m["type"], m["params"]) for m in data["modules"]] == \
           [(m["name"], m["class"], m["total"]) for m in run["modules"]]


def test_tied_weights_are_counted_once_and_said(capsys):
    run = load_torch_fixture("gpt2_tied")["runs"][0]
    subs = [a for k, v in run["bindings"].items() for a in ("--subs", f"{k}={v}")]
    code, out, err = _cli(capsys, "summary", str(SOURCES / "gpt2_tied.py"), *subs)
    assert code == 0, err
    assert f"Total params: {run['total']:,}" in out          # torchinfo says 163,037,184
    assert "Tied: lm_head.weight is wte.weight, counted once" in out


def test_pytorch_files_get_one_line_errors(capsys, tmp_path):
    code, out, err = _cli(capsys, "scale", str(SOURCES / "alexnet.py"), "--flops")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "AlexNet: its compute comes from a forward pass" in err and "--input-size 1,3,224,224" in err
    bad = tmp_path / "bad.py"
    bad.write_text("import torch.nn as nn\nmodel = nn.Sequential(nn.Linar(3, 4))\n")
    code, out, err = _cli(capsys, "summary", str(bad))
    assert code == 2 and "bad.py:2: unknown PyTorch module nn.Linar; closest: nn.Linear," in err
    bad.write_text("import torch.nn as nn\nmodel = nn.Conv2d(6, 4, 3, groups=4)\n")
    code, out, err = _cli(capsys, "summary", str(bad))
    assert code == 2 and "bad.py:2: nn.Conv2d: in_channels must be divisible by groups" in err
    bad.write_text("import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(2, 3), 5)\n")
    code, out, err = _cli(capsys, "summary", str(bad))
    assert code == 2 and "bad.py:2: nn.Sequential: submodule '1' is not a module (it is the number 5)" in err


def test_a_module_looked_up_by_name_is_that_module():
    """pytorch/examples' word language model: ``getattr(nn, rnn_type)(ninp, nhid, nlayers)``
    is ``nn.LSTM(...)`` when the name is known (it was dropped without a word)."""
    from symparams.readers import read_source
    body = ("import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self, rnn_type='LSTM'):\n"
            "        super().__init__()\n        self.rnn = {}(5, 20, 1)\n        self.head = nn.Linear(20, 3)\n"
            "model = M()\n")
    looked_up = read_source(body.format("getattr(nn, rnn_type)"), "m.py").module
    written = read_source(body.format("nn.LSTM"), "m.py").module
    assert looked_up.count() == written.count() and type(looked_up.rnn) is type(written.rnn)


def test_an_unknown_value_where_a_module_could_be_is_an_error(capsys, tmp_path):
    """Never a smaller count with exit 0: a value the reader cannot follow, assigned to a
    module's attribute, stops the read with one line naming it."""
    bad = tmp_path / "bad.py"
    bad.write_text("import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n"
                   "        super().__init__()\n        self.rnn = make_rnn(5, 20)\n"
                   "        self.head = nn.Linear(20, 3)\nmodel = M()\n")
    code, out, err = _cli(capsys, "summary", str(bad))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "bad.py:5: make_rnn is never defined in the file, so the reader cannot call it" in err
    bad.write_text("import torch.nn as nn\nfrom mylib import make_rnn\nclass M(nn.Module):\n"
                   "    def __init__(self):\n        super().__init__()\n        self.rnn = make_rnn(5, 20)\n"
                   "        self.head = nn.Linear(20, 3)\nmodel = M()\n")
    code, out, err = _cli(capsys, "summary", str(bad))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "bad.py:6: self.rnn = mylib.make_rnn(): the reader cannot follow this value" in err
