"""symparams' PyTorch modules against real PyTorch: every recorded fixture, built from its
own source with the stand-in torch, registers the same parameters, tied names and
buffers, under the same names and with the same shapes, and counts the same."""

from __future__ import annotations

import pytest

from symparams.readers.torch import module_type, read_torch_source
from torch_api import (as_int, build_torch, from_forward, load_torch_fixture, torch_fixture_names,
                       torch_source)

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


@pytest.mark.parametrize("stem,index", CASES, ids=[f"{s}-{i}" for s, i in CASES])
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
