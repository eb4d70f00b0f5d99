"""Never a smaller count with exit 0: a callable the reader cannot follow (imported from a
library it does not read, or never defined), planted in every place where a layer or a
module would count, stops the read in one line; where the framework itself would not count
it (a module made inside forward(), one kept in a plain Python list), the count is the
count without it."""

from __future__ import annotations

import pytest

from symparams.core.errors import SymparamsError
from symparams.readers import read_source

TORCH = {
    "attribute": "class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                 "        self.a = nn.Linear(2, 2)\n        self.b = UNKNOWN(2, 2)\nmodel = M()\n",
    "modulelist": "model = nn.ModuleList([nn.Linear(2, 2), UNKNOWN(2, 2)])\n",
    "sequential": "model = nn.Sequential(nn.Linear(2, 2), UNKNOWN(2, 2))\n",
    "sequential_of_a_list": "layers = [nn.Linear(2, 2), UNKNOWN(2, 2)]\nmodel = nn.Sequential(*layers)\n",
    "moduledict": "model = nn.ModuleDict({'a': nn.Linear(2, 2), 'b': UNKNOWN(2, 2)})\n",
    "add_module": "model = nn.Sequential(nn.Linear(2, 2))\nmodel.add_module('b', UNKNOWN(2, 2))\n",
    "append": "model = nn.ModuleList([nn.Linear(2, 2)])\nmodel.append(UNKNOWN(2, 2))\n",
    "setattr": "class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
               "        self.a = nn.Linear(2, 2)\n        setattr(self, 'b', UNKNOWN(2, 2))\nmodel = M()\n",
    "helper": "def make():\n    return UNKNOWN(2, 2)\nclass M(nn.Module):\n    def __init__(self):\n"
              "        super().__init__()\n        self.a = nn.Linear(2, 2)\n        self.b = make()\nmodel = M()\n",
    "tuple_assignment": "class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                        "        self.a, self.b = nn.Linear(2, 2), UNKNOWN(2, 2)\nmodel = M()\n",
    "moduledict_attribute": "class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                            "        self.a = nn.Linear(2, 2)\n        self.heads = nn.ModuleDict(dict(b=UNKNOWN(2, 2)))\n"
                            "model = M()\n",
    "getattr_of_a_library": "class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                            "        self.a = nn.Linear(2, 2)\n        self.b = getattr(UNKNOWN_MODULE, 'Block')(2)\n"
                            "model = M()\n",
}
#: where PyTorch registers nothing: the count is the count without the unknown
TORCH_UNREGISTERED = {
    "made_in_forward": ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                        "        self.a = nn.Linear(2, 2)\n    def forward(self, x):\n"
                        "        return UNKNOWN(2, 2)(self.a(x))\nmodel = M()\ny = model(torch.zeros(1, 2))\n"),
    "plain_list": ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                   "        self.a = nn.Linear(2, 2)\n        self.blocks = [UNKNOWN(2, 2)]\nmodel = M()\n"),
}
KERAS = {
    "sequential": "model = keras.Sequential([keras.Input((2,)), layers.Dense(2), UNKNOWN(2)])\n",
    "add": "model = keras.Sequential([keras.Input((2,)), layers.Dense(2)])\nmodel.add(UNKNOWN(2))\n",
    "functional_last": "i = keras.Input((2,))\nx = layers.Dense(2)(i)\nx = UNKNOWN(2)(x)\nmodel = keras.Model(i, x)\n",
    "functional_middle": "i = keras.Input((2,))\nx = layers.Dense(2)(i)\nx = UNKNOWN(2)(x)\n"
                         "x = layers.Dense(3)(x)\nmodel = keras.Model(i, x)\n",
    "layer_attribute": "class L(layers.Layer):\n    def __init__(self):\n        super().__init__()\n"
                       "        self.d = layers.Dense(2)\n        self.u = UNKNOWN(2)\n    def call(self, x):\n"
                       "        return self.u(self.d(x))\ni = keras.Input((2,))\nmodel = keras.Model(i, L()(i))\n",
    "layer_attribute_call_never_uses": "class L(layers.Layer):\n    def __init__(self):\n        super().__init__()\n"
                                       "        self.d = layers.Dense(2)\n        self.u = UNKNOWN(2)\n"
                                       "    def call(self, x):\n        return self.d(x)\n"
                                       "i = keras.Input((2,))\nmodel = keras.Model(i, L()(i))\n",
    "lambda": "i = keras.Input((2,))\nx = layers.Lambda(lambda t: UNKNOWN(2)(t))(i)\nmodel = keras.Model(i, x)\n",
    "wrapper": "i = keras.Input((5, 2))\nx = layers.TimeDistributed(UNKNOWN(2))(i)\nmodel = keras.Model(i, x)\n",
}
HEADS = {"torch": "import torch\nimport torch.nn as nn\n", "keras": "import keras\nfrom keras import layers\n"}
#: the unknowns: a class from a library the reader does not read, or a name never defined
UNKNOWNS = {"from_a_library": ("from mylib import Block\nimport mylib\n", "Block"),
            "a_library_attribute": ("import mylib\n", "mylib.Block"),
            "never_defined": ("", "Block")}


def _source(framework: str, body: str, unknown: str) -> str:
    imports, name = UNKNOWNS[unknown]
    return HEADS[framework] + imports + body.replace("UNKNOWN_MODULE", "mylib").replace("UNKNOWN", name)


CASES = [(fw, pos, kind) for fw, table in (("torch", TORCH), ("keras", KERAS)) for pos in table
         for kind in UNKNOWNS]


@pytest.mark.parametrize("framework,position,unknown", CASES, ids=["-".join(c) for c in CASES])
def test_an_unknown_where_a_layer_would_count_is_one_line(framework, position, unknown):
    body = (TORCH if framework == "torch" else KERAS)[position]
    with pytest.raises(SymparamsError) as caught:
        read_source(_source(framework, body, unknown), "m.py")
    message = str(caught.value)
    assert "\n" not in message and "m.py:" in message and "Traceback" not in message


@pytest.mark.parametrize("position", TORCH_UNREGISTERED)
@pytest.mark.parametrize("unknown", ["from_a_library", "a_library_attribute"])
def test_where_pytorch_registers_nothing_the_count_is_without_it(position, unknown):
    body = TORCH_UNREGISTERED[position]
    read = read_source(_source("torch", body, unknown), "m.py")
    without = body.replace("        self.blocks = [UNKNOWN(2, 2)]\n", "").replace("UNKNOWN(2, 2)(self.a(x))",
                                                                                  "self.a(x)")
    assert read.module.count() == read_source(HEADS["torch"] + without, "m.py").module.count()
