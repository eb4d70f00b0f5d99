"""Free depth and widths in PyTorch code: a ``ModuleList`` of a free number of blocks, settings
freed with ``--symbolic``, and the scaling studies checked against real PyTorch at several
points of each free size (``tools/record_scaling_fixtures.py`` recorded them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy

from symparams.cli import main, parse_input_sizes
from symparams.core.errors import SymparamsError
from symparams.pytorch.containers import Stacked
from symparams.readers import read_file, read_source
from symparams.results import results_of

ROOT = Path(__file__).resolve().parents[2]
STUDIES = sorted((ROOT / "tests" / "fixtures" / "scaling").glob("*.json"))


def _values(mapping: dict) -> dict:
    return {sympy.Symbol(k, integer=True, positive=True): v for k, v in mapping.items()}


def _at(expr, mapping: dict) -> int:
    """An expression at numbers, by name (the reader's symbols carry assumptions)."""
    by_name = {s.name: s for s in sympy.sympify(expr).free_symbols}
    return int(sympy.sympify(expr).subs({by_name[k]: v for k, v in mapping.items() if k in by_name}))


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.stem)
def test_a_scaling_study_is_pytorch_at_every_recorded_point(path):
    """Parameters at every point, and the traced forward's FLOPs at every point and input."""
    study = json.loads(path.read_text())
    sizes = parse_input_sizes([study["input_size"]]) if study.get("input_size") else None
    read = read_file(str(ROOT / study["file"]), symbolic=study["symbolic"], input_size=sizes)
    total = read.module.count()
    assert {s.name for s in total.free_symbols} == set(study["symbolic"])
    assert len(study["runs"]) >= 3
    flops = results_of(read, read.module).compute().flops if sizes else None
    for run in study["runs"]:
        assert _at(total, run["point"]) == run["total"], run["point"]
        for size in run.get("flops", []):
            assert _at(flops, {**run["point"], **size}) == size["flops"], (run["point"], size)


def test_the_gpt_study_is_kaplans_total_and_its_traced_flops_are_pytorchs():
    study = json.loads((ROOT / "tests/fixtures/scaling/gpt_dataclass.json").read_text())
    read = read_file(str(ROOT / "examples/gpt_dataclass.py"), symbolic=["n_layer", "n_embd"],
                     input_size=[(1, sympy.Symbol("T", integer=True, positive=True))])
    L, d = (sympy.Symbol(n, integer=True, positive=True) for n in ("n_layer", "n_embd"))
    V, B = 50304, 1024
    # nanoGPT's arithmetic: V·d + B·d + n_layer·(12·d² + 13·d) + 2·d, the head tied
    assert sympy.expand(read.module.count() - (V * d + B * d + L * (12 * d**2 + 13 * d) + 2 * d)) == 0
    [result] = [results_of(read, read.module)]
    flops = result.compute().flops
    checked = 0
    for run in study["runs"]:
        for size in run.get("flops", []):
            assert _at(flops, {**run["point"], **size}) == size["flops"], (run["point"], size)
            checked += 1
    assert checked >= 9


def _free_model(body: str, **subs):
    source = "import torch\nimport torch.nn as nn\n" + body
    return read_source(source, "m.py", bindings=subs)


BLOCK = """
class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, 2 * d)
        self.out = nn.Linear(2 * d, d)
    def forward(self, x):
        return x + self.out(self.fc(x))
"""


@pytest.mark.parametrize("made", [
    "self.h = nn.ModuleList([Block(d) for _ in range(n)])",
    "self.h = nn.Sequential(*[Block(d) for _ in range(n)])",
    "self.h = nn.ModuleList(Block(d) for _ in range(n))",
    "self.h = nn.ModuleList()\n        for _ in range(n):\n            self.h.append(Block(d))",
])
def test_a_free_count_of_blocks_is_one_stack_equal_to_its_copies_at_numbers(made):
    body = BLOCK + f"""
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        {made}
        self.head = nn.Linear(d, 3)
    def forward(self, x):
        for block in self.h:
            x = block(x)
        return self.head(x)
model = Net()
y = model(torch.zeros(2, d))
"""
    free = _free_model(body)
    assert isinstance(free.module.h, Stacked)
    assert [n for n, _ in free.module.named_parameters()][:2] == ["h.*.fc.weight", "h.*.fc.bias"]
    free_macs = free.trace_of(free.module).macs
    for n, d in ((1, 4), (3, 8), (7, 5)):
        numeric = _free_model(body, n=n, d=d)
        assert _at(free.module.count(), {"n": n, "d": d}) == numeric.module.count()
        assert _at(free_macs, {"n": n, "d": d}) == numeric.trace_of(numeric.module).macs


@pytest.mark.parametrize("body, said", [
    # the copies differ with the index: no one block stands for them
    ("self.h = nn.ModuleList([nn.Linear(d, d * (i + 1)) for i in range(n)])", "differ with its index"),
    # one module n times is one module, not n
    ("layer = nn.Linear(d, d)\n        self.h = nn.ModuleList([layer for _ in range(n)])", "share parameters"),
    # the width grows with each append
    ("self.h = nn.ModuleList()\n        w = d\n        for _ in range(n):\n"
     "            self.h.append(nn.Linear(w, 2 * w))\n            w = 2 * w", "the loop runs n times"),
    # modules registered otherwise than by one append
    ("for i in range(n):\n            self.add_module('x%d' % i, nn.Linear(d, d))", "the loop runs n times"),
    ("self.h = nn.ModuleDict({'a': nn.ModuleList([nn.Linear(d, d) for _ in range(n)])})\n"
     "        self.g = [nn.Linear(d, d) for _ in range(n)][0]", "become one stack"),
])
def test_a_free_count_that_is_not_one_stack_is_one_line_never_a_smaller_count(body, said):
    source = f"""
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        {body}
model = Net()
"""
    with pytest.raises(SymparamsError) as caught:
        _free_model(source)
    message = str(caught.value)
    assert said in message and "\n" not in message and "--subs n=" in message


def test_a_loop_that_changes_the_shape_over_a_stack_is_refused():
    body = BLOCK + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.h = nn.ModuleList([nn.Linear(d, d + 1) for _ in range(n)])
    def forward(self, x):
        for layer in self.h:
            x = layer(x)
        return x
model = Net()
y = model(torch.zeros(2, d))
"""
    with pytest.raises(SymparamsError, match="changes the shape of x"):
        _free_model(body)


def test_symbolic_frees_dataclass_fields_keyword_defaults_and_constants(capsys):
    code = main(["summary", str(ROOT / "examples/gpt_dataclass.py"), "--symbolic", "n_layer,n_embd"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Total params: 12*n_embd**2*n_layer + 13*n_embd*n_layer + 51,330*n_embd" in out
    assert "note: the file makes no module: read GPT(GPTConfig())" in err
    assert "note: free sizes from --symbolic: n_layer (the file sets 12), n_embd (the file sets 768)" in err
    assert "assumed, as the file asserts: config.n_embd % config.n_head == 0 (line 46)" in err
    code = main(["summary", str(ROOT / "examples/resnet_width.py"), "--symbolic", "width_per_group"])
    out, err = capsys.readouterr()
    assert code == 0 and "Total params: 2,763*width_per_group**2 + 146,476*width_per_group + 4,865,320" in out
    read = read_source("import torch.nn as nn\nwidth = 32\nmodel = nn.Linear(4, width)\n", "m.py")
    assert read.module.count() == 160


@pytest.mark.parametrize("option, said", [
    ("n_layers", "--symbolic n_layers: the file declares no setting of that name (a module-level constant, "
                 "a dataclass field or a keyword default); did you mean n_layer?"),
    ("dropout", "--symbolic dropout: the file sets dropout to 0.0, and only a positive whole number can "
                "become a free size"),
])
def test_symbolic_names_the_file_cannot_free_are_one_line(capsys, option, said):
    code = main(["summary", str(ROOT / "examples/gpt_dataclass.py"), "--symbolic", option])
    out, err = capsys.readouterr()
    assert code == 2 and said in err and err.count("\n") == 1


def test_a_dataclass_takes_its_fields_as_python_does():
    body = """
from dataclasses import dataclass, field
@dataclass
class Base:
    d: int = 4
@dataclass
class Cfg(Base):
    n: int = 2
    def __post_init__(self):
        self.wide = self.d * 2
class Net(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.fc = nn.Linear(cfg.d, cfg.wide)
model = Net(Cfg(3, n=5))
"""
    assert _free_model(body).module.count() == 3 * 6 + 6
    with pytest.raises(SymparamsError, match="Cfg\\(\\) has no field 'x'; its fields are d, n"):
        _free_model(body.replace("Cfg(3, n=5)", "Cfg(x=1)"))


def test_a_file_with_several_top_classes_asks_which(capsys, tmp_path):
    path = tmp_path / "two.py"
    path.write_text("import torch.nn as nn\nclass A(nn.Module):\n    def __init__(self, width):\n"
                    "        super().__init__()\n        self.fc = nn.Linear(width, 2)\n"
                    "class B(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                    "        self.fc = nn.Linear(3, 2)\n")
    code = main(["summary", str(path)])
    assert code == 2 and "defines the module classes A, B: pick one with --model NAME" in capsys.readouterr().err
    code = main(["summary", str(path), "--model", "A"])
    out, err = capsys.readouterr()
    assert code == 0 and "Total params: 2*width + 2" in out and "read A(width)" in err


def test_a_budget_solves_for_a_width_the_file_asserts_a_multiple_of(capsys):
    """n_embd % n_head == 0 (asserted by the file, n_head = 12): the largest width within the
    budget is a multiple of 12; --subs binds a freed size like any free one."""
    code = main(["scale", str(ROOT / "examples/gpt_dataclass.py"), "--symbolic", "n_layer,n_embd",
                 "--subs", "n_layer=12", "--budget", "350e6", "--solve", "n_embd"])
    out, err = capsys.readouterr()
    assert code == 0, err
    line = next(l for l in out.splitlines() if l.startswith("Largest n_embd"))
    width = int(line.split("= ")[1].split()[0].replace(",", ""))
    assert width % 12 == 0 and "(a multiple of 12)" in line
    total = read_file(str(ROOT / "examples/gpt_dataclass.py"), symbolic=["n_embd"]).module.count()
    assert _at(total, {"n_embd": width}) <= 350e6 < _at(total, {"n_embd": width + 12})
