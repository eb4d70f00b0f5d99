"""The PyTorch fixtures: their sources, their recorded runs, and a stand-in ``torch``
package backed by :mod:`symparams.pytorch` to run a fixture's ``__init__`` code (our own
files, in the tests only: the reader never runs a file)."""

from __future__ import annotations

import json
import types
from pathlib import Path

import sympy

from symparams.pytorch import nn as sp_nn
from tools import modules_replaced

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SOURCES = FIXTURES / "torch_models"
RECORDS = FIXTURES / "torch"


def torch_fixture_names() -> list[str]:
    """The recorded fixture models (the exam's recorded versions, exam_*.json, are not models)."""
    return sorted(p.stem for p in RECORDS.glob("*.json") if not p.stem.startswith("exam_"))


def torch_source(stem: str) -> str:
    return (SOURCES / f"{stem}.py").read_text()


def load_torch_fixture(stem: str) -> dict:
    return json.loads((RECORDS / f"{stem}.json").read_text())


class _Tensor:
    """What ``torch.zeros(3, 4)`` stands for when it only feeds ``nn.Parameter``."""

    def __init__(self, *shape):
        self.shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape


def _stand_in() -> dict:
    torch = types.ModuleType("torch")
    nn = types.ModuleType("torch.nn")
    functional = types.ModuleType("torch.nn.functional")
    for name in dir(sp_nn):
        if not name.startswith("_"):
            setattr(nn, name, getattr(sp_nn, name))
    nn.functional = functional
    torch.nn = nn
    for name in ("zeros", "ones", "randn", "rand", "empty", "Tensor"):
        setattr(torch, name, lambda *shape, **_: _Tensor(*shape))
    torch.arange = lambda *bounds, **_: _Tensor(len(range(*bounds)))

    def tensor(data, **_):
        shape = []
        while isinstance(data, (list, tuple)):
            shape.append(len(data))
            data = data[0] if data else None
        return _Tensor(tuple(shape))
    torch.tensor = tensor
    torch.Tensor = _Tensor
    torch.long, torch.float32 = "long", "float32"
    return {"torch": torch, "torch.nn": nn, "torch.nn.functional": functional}


def build_torch(stem: str, bindings: dict):
    namespace = dict(bindings)
    namespace["__name__"] = "__fixture__"
    with modules_replaced(_stand_in()):
        exec(compile((SOURCES / f"{stem}.py").read_text(), f"{stem}.py", "exec"), namespace)
    return namespace["model"]


def reader_only(stem: str) -> bool:
    """A fixture that is a whole script (``# reader only:``): read, never run with the API."""
    return any(line.startswith("# reader only:") for line in (SOURCES / f"{stem}.py").read_text().splitlines())


def from_forward(stem: str) -> dict:
    """Sizes only a forward pass gives (a LazyLinear's input), which counting from
    ``__init__`` leaves free: ``# sizes from forward: {"in_features": 16}``."""
    for line in (SOURCES / f"{stem}.py").read_text().splitlines():
        if line.startswith("# sizes from forward:"):
            return json.loads(line.split(":", 1)[1])
    return {}


def as_int(value, sizes: dict = {}) -> int:
    value = sympy.sympify(value).subs({sympy.Symbol(k, integer=True, positive=True): v
                                       for k, v in sizes.items()})
    assert value.is_Integer, value
    return int(value)
