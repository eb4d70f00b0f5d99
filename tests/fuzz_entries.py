"""The fuzzers of every entry point but a Keras model file: config.json files, exam specs,
PyTorch files, option values and the HTML page.

Each entry is a hypothesis strategy of :class:`Case` (the command, the files it reads, and
what its output must also keep); :data:`ENTRIES` names them for ``tools/fuzz.py --entry``
and for ``tests/readers/test_fuzz_entries.py``. Every case runs through
:func:`fuzzing.run_isolated`, judged by :meth:`fuzzing.Outcome.problems` and the case's own
``check`` (the page's escaping and Content-Security-Policy).
"""

from __future__ import annotations

import functools
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from typing import Callable, Optional

from hypothesis import strategies as st

import fuzzing
from fuzzing import FIXTURES, HOSTILE_STATEMENTS, INJECTIONS, ODD_NUMBERS, ROOT, Outcome


@dataclass
class Case:
    """One input: ``symparams ARGV`` in a directory holding ``files`` (name → text; text
    with lone surrogates is written as the raw bytes they stand for)."""

    argv: list
    files: dict
    #: more problems found in the outcome (the page's escaping), beyond Outcome.problems
    check: Optional[Callable[[Outcome], list]] = field(default=None, compare=False)

    def run(self) -> Outcome:
        return fuzzing.run_isolated(self.argv, self.files.get("model.py", ""),
                                    {k: v for k, v in self.files.items() if k != "model.py"})

    def problems(self, outcome: Outcome) -> list[str]:
        return outcome.problems() + (self.check(outcome) if self.check and outcome.code == 0 else [])

    def source(self) -> str:
        """The files, for a failure's report."""
        return "\n".join(f"--- {name}\n{text}" for name, text in self.files.items())


def _bytes_of(data: bytes) -> str:
    """Bytes as the text ``run_isolated`` writes back byte for byte (surrogateescape)."""
    return data.decode("utf-8", errors="surrogateescape")


# ---- config.json files ----------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def seed_configs() -> list[tuple[str, dict]]:
    paths = sorted((ROOT / "examples" / "configs").glob("*.json")) + sorted((FIXTURES / "configs").glob("*.json"))
    return [(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in paths]


#: values a mutation puts in place of a config's field
ODD_VALUES = [0, -1, -768, 1, 2, 3, 7, 10 ** 9, 10 ** 12, 10 ** 18, 10 ** 30, 2 ** 63, 10 ** 400, 0.5, -0.5,
              1e308, 1e-308, math.nan, math.inf, -math.inf, True, False, None, "", "768", "gelu", "silu",
              "<x-inj>", "{0.__class__}", "((( fmt.__class__ )))", "a" * 10_000, [], [1], [768, 768], {},
              {"a": 1}, [[[[1]]]], "gpt2", "llama", "bert", "t5", "mixtral", "../../etc/passwd"]
MODEL_TYPES = ["gpt2", "bert", "t5", "llama", "mistral", "mixtral", "qwen2", "", "GPT2", "gpt3",
               "__class__", None, 5, ["gpt2"]]


def _json_text(data, nan: bool) -> str:
    return json.dumps(data, allow_nan=nan, indent=1) if nan else json.dumps(data, indent=1)


@st.composite
def mutated_configs(draw) -> str:
    """A real config with fields changed, removed, added or given odd values, written as JSON
    (NaN and Infinity included, as Python's json module writes them), or then cut or broken."""
    _, data = draw(st.sampled_from(seed_configs()))
    data = dict(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["value", "drop", "add", "type", "nest", "architectures"]))
        keys = list(data)
        if kind == "value" and keys:
            data[draw(st.sampled_from(keys))] = draw(st.sampled_from(ODD_VALUES))
        elif kind == "drop" and keys:
            del data[draw(st.sampled_from(keys))]
        elif kind == "add":
            name = draw(st.sampled_from(["num_hidden_layers", "n_layer", "hidden_size", "num_experts_per_tok",
                                         "num_local_experts", "num_key_value_heads", "intermediate_size",
                                         "head_dim", "d_kv", "tie_word_embeddings", "rope_scaling",
                                         "sliding_window", "vocab_size", "n_positions", "__class__"]))
            data[name] = draw(st.sampled_from(ODD_VALUES))
        elif kind == "type":
            data["model_type"] = draw(st.sampled_from(MODEL_TYPES))
        elif kind == "nest" and keys:
            key = draw(st.sampled_from(keys))
            data[key] = {"value": data[key]} if draw(st.booleans()) else [data[key]]
        elif kind == "architectures":
            data["architectures"] = draw(st.sampled_from([[], ["GPT2LMHeadModel"], ["BertModel", "T5Model"],
                                                          ["Nope"], "GPT2Model", [5], None]))
    text = json.dumps(data, indent=1, allow_nan=True)
    tail = draw(st.sampled_from(["none"] * 6 + ["cut", "stray", "duplicate", "bytes", "bom", "trailing"]))
    if tail == "cut":
        text = text[:draw(st.integers(0, len(text)))]
    elif tail == "stray":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(max_size=4)) + text[at:]
    elif tail == "duplicate":
        key = draw(st.sampled_from(list(data) or ["model_type"]))
        text = text.replace("{", "{" + json.dumps(key) + ": " + json.dumps(draw(st.sampled_from(ODD_VALUES)),
                                                                          allow_nan=True) + ",", 1)
    elif tail == "bytes":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + _bytes_of(draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"]))) + text[at:]
    elif tail == "bom":
        text = "\ufeff" + text
    elif tail == "trailing":
        text += draw(st.sampled_from(["\n{}", ",", "\n// comment", " " * 100]))
    return text


HOSTILE_CONFIGS = [
    '{"model_type":"gpt2","n_layer":' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"model_type":"gpt2","n_layer":' + '{"a":' * 50_000 + "1" + "}" * 50_000 + "}",
    '{"model_type":"gpt2","n_layer":1' + "0" * 100_000 + "}",
    '{"model_type":"gpt2","n_layer":1e999999}',
    '{"model_type":"gpt2","n_layer":NaN}',
    '{"model_type":"gpt2","n_layer":Infinity,"n_embd":-Infinity}',
    '{"model_type":"gpt2","n_layer":1000000000000}',
    '{"model_type":"llama","num_hidden_layers":1000000000000}',
    '{"model_type":"gpt2","n_layer":2,"n_layer":3}',
    '{"model_type":"gpt2","model_type":"bert"}',
    '{"model_type":"gpt2","n_embd":10000000000,"n_head":1}',
    '{"model_type":"gpt2","vocab_size":' + str(2 ** 200) + "}",
    '{"model_type":"mixtral","num_local_experts":1000000000,"num_experts_per_tok":1000000000}',
    '{"model_type":"gpt2","n_embd":768,"n_head":7}',
    '{"model_type":"gpt2","n_embd":768,"n_head":0}',
    '{"model_type":"llama","hidden_size":4096,"num_attention_heads":32,"num_key_value_heads":5}',
    '{"model_type":"gpt2","n_layer":"12"}',
    '{"model_type":"gpt2","n_layer":12.5}',
    '{"model_type":"gpt2","n_layer":true}',
    '{"model_type":"gpt2","n_layer":null}',
    '{"model_type":"gpt2","architectures":["<x-inj>GPT2Model"]}',
    '[1, 2, 3]', '"gpt2"', "12", "null", "{}", "", " ", "{", "\x00", "\ufeff{}",
    '{"model_type": "gpt2"' + ', "k": 1' * 200_000 + "}",
    '{"model_type": "gpt2", "s": "' + "a" * 1_900_000 + '"}',
    '{"model_type":"t5","num_layers":1000000000000,"num_decoder_layers":1000000000000}',
    '{"model_type":"bert","num_hidden_layers":-12}',
    '{"model_type":"qwen2","sliding_window":-1,"max_window_layers":1000000000000}',
]

CONFIG_COMMANDS = [["summary", "config.json"], ["summary", "config.json", "--format", "json"],
                   ["llm", "config.json"], ["llm", "config.json", "--format", "json"],
                   ["derive", "config.json", "--format", "text"], ["scale", "config.json", "--memory"],
                   ["summary", "config.json", "--symbolic", "n_layer,num_hidden_layers"],
                   ["llm", "config.json", "--symbolic", "hidden_size"]]


@st.composite
def config_cases(draw) -> Case:
    text = draw(st.one_of(mutated_configs(), st.sampled_from(HOSTILE_CONFIGS)))
    return Case(list(draw(st.sampled_from(CONFIG_COMMANDS))), {"config.json": text})


# ---- exam specs -----------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def seed_specs() -> list[dict]:
    return [tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "templates" / "exam").glob("*.toml"))]


def toml_text(data: dict) -> str:
    """A spec written back as TOML (the standard library reads TOML but does not write it)."""
    def value(v) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float):
            return "nan" if v != v else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
        if isinstance(v, int):
            return str(v)
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=True)
        if isinstance(v, dict):
            return "{" + ", ".join(f"{json.dumps(k)} = {value(x)}" for k, x in v.items()) + "}"
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(str(v))

    lines = [f"{json.dumps(k)} = {value(v)}" for k, v in data.items()
             if not isinstance(v, dict) and not (isinstance(v, list) and v and all(isinstance(x, dict) for x in v))]
    for k, v in data.items():
        if isinstance(v, dict):
            lines += ["", f"[{json.dumps(k)}]"] + [f"{json.dumps(a)} = {value(b)}" for a, b in v.items()]
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for item in v:
                lines += ["", f"[[{json.dumps(k)}]]"] + [f"{json.dumps(a)} = {value(b)}" for a, b in item.items()]
    return "\n".join(lines) + "\n"


#: a teacher's wording and text fields: placeholders, template syntax, markup, Python's internals
HOSTILE_TEXT = [
    "{units}", "{layer}", "{budget}", "{0}", "{}", "{units.__class__}", "{units.__class__.__mro__}",
    "{__class__}", "{units!r:>{10**9}}", "{units:>1000000000}", "{units:%}", "{{units}}", "{", "}",
    "((( fmt.__class__.__mro__ )))", "((( ''.__class__.__base__.__subclasses__() )))",
    "((* for i in range(100000) *))((* for j in range(100000) *))x((* endfor *))((* endfor *))",
    "{{ 1111*1111 }}", "{% for i in range(10) %}x{% endfor %}", "\\input{/etc/passwd}", "\\write18{touch pwned}",
    "<x-inj>", "</question><x-inj>", "]]><x-inj>", "<![CDATA[", "$$\\def\\x{\\x}\\x$$", "::title:: {=1}",
    "~=#{}", "%", "\\", "\x00", "\u202e", "a" * 100_000, "\n" * 1000, "é" * 1000,
] + INJECTIONS[:12]

SPEC_SOURCES = [
    "model = keras.Sequential([keras.Input((size,)), layers.Dense(units)])",
    "import torch.nn as nn\nmodel = nn.Linear(size, units)",
] + [s + "\nmodel = keras.Sequential([keras.Input((4,)), keras.layers.Dense(units)])" for s in HOSTILE_STATEMENTS[:40]]

ODD_SIZES = [[], [0], [-1], [10 ** 9], [10 ** 30], [1.5], ["a"], [True, False], [[1]], {"min": 1, "max": 10 ** 12},
             {"min": 10, "max": 1}, {"min": 1, "max": 10, "step": 0}, {"min": 1, "max": 10, "step": -1},
             {"min": "a"}, {}, 5, "x", list(range(10_000)), {"min": 1, "max": 2, "bogus": 3}]


@st.composite
def mutated_specs(draw) -> str:
    """A spec from templates/exam with fields mutated: text fields hostile, sizes odd, questions
    of every kind with odd fields, counts huge; then sometimes the TOML text cut or broken."""
    data = draw(st.sampled_from(seed_specs()))
    data = json.loads(json.dumps(data, default=str))  # a deep copy
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["text", "source", "size", "question", "question_field", "constraint",
                                     "drop", "top"]))
        if kind == "text":
            data[draw(st.sampled_from(["title", "instructions"]))] = draw(st.sampled_from(HOSTILE_TEXT))
        elif kind == "source":
            data["source"] = draw(st.sampled_from(SPEC_SOURCES)) if draw(st.booleans()) else \
                fuzzing._mutate(draw, data.get("source", ""))
        elif kind == "size" and isinstance(data.get("sizes"), dict):
            sizes = data["sizes"]
            name = draw(st.sampled_from(list(sizes) + ["units", "w", "__class__", "model"]))
            sizes[name] = draw(st.sampled_from(ODD_SIZES))
        elif kind == "question" and isinstance(data.setdefault("questions", []), list):
            from symparams.exam.spec import KINDS
            data["questions"].append({"kind": draw(st.sampled_from(list(KINDS) + ["bogus", ""]))})
        elif kind == "question_field" and isinstance(data.get("questions"), list) and \
                [q for q in data["questions"] if isinstance(q, dict)]:
            q = draw(st.sampled_from([q for q in data["questions"] if isinstance(q, dict)]))
            name = draw(st.sampled_from(["kind", "layer", "choices", "size", "budget", "points", "prompt",
                                         "tolerance", "distractors", "measure", "dtype", "optimizer",
                                         "precision", "unit", "columns", "bogus"]))
            q[name] = draw(st.sampled_from(HOSTILE_TEXT + [0, -1, 1, 10 ** 9, 10 ** 30, 2.5, math.nan, True,
                                                          [], ["a"], {"value": "answer * 2"},
                                                          [{"value": "__import__('os')", "feedback": "<x-inj>"}],
                                                          [{"value": "answer ** 10 ** 10"}], "1%", "-5%",
                                                          "adam", "macs", "float16", "KiB", "conv1", 1, 2]))
        elif kind == "constraint" and isinstance(data.setdefault("constraints", {}), dict):
            data["constraints"][draw(st.sampled_from(["answer_min", "answer_max", "max_tries",
                                                                     "where", "bogus"]))] = \
                draw(st.sampled_from([0, -1, 10 ** 30, 10 ** 9, "units > 10", "__import__('os')", "units ** units",
                                      "1/0", math.inf, "a" * 10000, []]))
        elif kind == "drop" and data:
            del data[draw(st.sampled_from(list(data)))]
        elif kind == "top":
            data[draw(st.sampled_from(["bogus", "questions", "sizes", "title"]))] = \
                draw(st.sampled_from([5, "x", [], {}, [1, 2], 0]))
    text = toml_text(data)
    if draw(st.integers(0, 9)) == 0:
        text = fuzzing._mutate(draw, text)
    return text


EXAM_COMMANDS = [["exam", "spec.toml", "--jobs", "1"],
                 ["exam", "spec.toml", "--jobs", "1", "--key"],
                 ["exam", "spec.toml", "--jobs", "1", "--format", "latex"],
                 ["exam", "spec.toml", "--jobs", "1", "--format", "moodle"],
                 ["exam", "spec.toml", "--jobs", "1", "--format", "gift"],
                 ["exam", "spec.toml", "--jobs", "1", "--format", "canvas"],
                 ["exam", "spec.toml", "--jobs", "1", "--format", "json", "--report"]]
VARIANTS = ["1", "2", "3", "0", "-1", "1000000000", "10**9", "1e3", "x"]
SEEDS = ["0", "1", "-1", "99999999999999999999999", "nan"]


@functools.lru_cache(maxsize=None)
def _templates() -> tuple:
    root = ROOT / "templates"
    return tuple((f"tpl/{p.relative_to(root)}", p.read_text(encoding="utf-8")) for p in sorted(root.rglob("*"))
                 if p.is_file() and p.suffix in (".j2", ".json"))


def hostile_templates(draw, names: list) -> dict:
    """A copy of templates/ in ``tpl/`` (``--templates tpl``) with hostile text added to one."""
    files = dict(_templates())
    name = f"tpl/{draw(st.sampled_from(names))}"
    files[name] += "\n" + draw(st.sampled_from(HOSTILE_TEXT + HOSTILE_TEMPLATES))
    return files


#: template text that asks the sandbox for Python's internals, the file system or endless work
HOSTILE_TEMPLATES = [
    "((( fmt.__class__.__init__.__globals__ )))", "((( fmt._Fmt__x )))", "((( fmt.__dict__ )))",
    "((( self.__init__.__globals__ )))", "((( lipsum.__globals__ )))", "((( cycler.__init__.__globals__ )))",
    "((( ''.__class__.__mro__[1].__subclasses__() )))", "((( range.__class__ )))",
    "((* include '/etc/passwd' *))", "((* include '../../../../etc/passwd' *))", "((* extends 'nope.j2' *))",
    "((* import 'os' as os *))", "((( 'a' * 1000000000 )))", "((( [1] * 1000000000 )))",
    "((( 10 ** 10 ** 10 )))", "((* for i in range(100000) *))((* for j in range(100000) *))((* endfor *))"
    "((* endfor *))", "((* macro m() *))((( m() )))((* endmacro *))((( m() )))", "((( undefined_name.x )))",
    "((* set x = {} *))((( x.update({'a': 1}) )))", "((( '%s' % fmt )))", "((( '{0.__class__}'.format(fmt) )))",
    "((( fmt.n(10 ** 5000) )))", "((* raw *))", "((( ", "((* if *))",
]


@st.composite
def exam_cases(draw) -> Case:
    argv = list(draw(st.sampled_from(EXAM_COMMANDS)))
    argv += ["--variants", draw(st.sampled_from(VARIANTS)), "--seed", draw(st.sampled_from(SEEDS))]
    files = {"spec.toml": draw(mutated_specs())}
    if draw(st.integers(0, 7)) == 0:
        # a teacher's own templates: hostile template text reaches the sandbox
        files.update(hostile_templates(draw, ["exam/prompts.j2", "exam/exam.md.j2", "exam/solution.md.j2",
                                              "exam/working.j2", "prose.j2"]))
        argv += ["--templates", "tpl"]
    return Case(argv, files)


# ---- PyTorch files --------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def seed_torch() -> list[tuple[str, list]]:
    """Each PyTorch fixture with the options of its first recorded run (sizes, input size)."""
    out = []
    for path in sorted((FIXTURES / "torch_models").glob("*.py")):
        record = FIXTURES / "torch" / (path.stem + ".json")
        options: list = []
        if record.exists():
            run = (json.loads(record.read_text())["runs"] or [{}])[0]
            for name, value in (run.get("bindings") or {}).items():
                options += ["--subs", f"{name}={value}"]
            if run.get("input_size"):
                options += ["--input-size", ",".join(map(str, run["input_size"]))]
        out.append((path.read_text(encoding="utf-8"), options))
    return out


TORCH_HOSTILE = HOSTILE_STATEMENTS + [
    "import torch\nx = torch.randn(10**9, 10**9)",
    "import torch\nx = torch.zeros(*([2] * 200))",
    "import torch.nn as nn\nm = nn.Sequential(*[nn.Linear(4, 4) for _ in range(10**6)])",
    "import torch.nn as nn\nm = nn.Linear(10**30, 10**30)",
    "import torch.nn as nn\nm = nn.Linear(-4, 4)",
    "import torch.nn as nn\nm = nn.Conv2d(3, 8, 0)",
    "import torch.nn as nn\nm = nn.ModuleDict({'<x-inj>': nn.Linear(2, 2)})",
    "import torch.nn as nn\nm = nn.Module()\nm.add_module('a.b', nn.Linear(2, 2))",
    "import torch.nn as nn\nclass M(nn.Module):\n    def forward(self, x):\n        return self(x)\nM()(1)",
    "import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    "        self.m = M()\nM()",
    "import torch\nimport torch.nn as nn\nm = nn.Linear(4, 4)\nm(torch.randn(3, 5))",
    "import torch\nx = torch.randn(2, 3).view(7)",
    "import torch\nx = torch.randn(2, 3) @ torch.randn(4, 5)",
    "import torch\nx = torch.cat([torch.randn(2, 3), torch.randn(3, 4)])",
    "import torch\nx = torch.randn(2, 3).permute(0, 0)",
    "import torch\nx = torch.randn(2, 3)[10]",
    "import torch\nx = torch.randn(2, 3).reshape(-1, -1)",
    "import torch\nx = torch.randn(w, w).flatten(5)",
    "import torch\nx = torch.load('model.pt')",
    "import torch\ntorch.save({}, 'pwned')",
    "import subprocess\nsubprocess.run(['touch', 'pwned'])",
    "import torch.nn as nn\nnn.Linear.forward = lambda self, x: x",
    "import torch.nn as nn\nclass B(nn.Module):\n    pass\nb = B()\nb(1)",
    "import torch.nn as nn\nm = nn.ModuleList([nn.Linear(2, 2)] * 1000000)",
    "import torch.nn as nn\nm = nn.Parameter(torch.randn(10**6, 10**6))",
    "import torch\nfor p in torch.randn(10**6, 2):\n    pass",
]


@st.composite
def torch_cases(draw) -> Case:
    """A PyTorch fixture, mutated like a Keras file, under summary, derive or scale, with its
    recorded sizes and input size (so the forward pass runs), or a hostile program."""
    source, options = draw(st.sampled_from(seed_torch()))
    command = draw(st.sampled_from([["summary"], ["summary", "--format", "json"], ["derive", "--format", "text"],
                                    ["scale", "--flops"], ["derive", "--format", "latex"]]))
    if draw(st.integers(0, 3)) == 0:
        parts = draw(st.lists(st.sampled_from(TORCH_HOSTILE), min_size=1, max_size=3))
        source = "import torch\nimport torch.nn as nn\n" + "\n".join(parts) + \
            "\nmodel = nn.Sequential(nn.Linear(w, 4), nn.ReLU())\n"
        options = ["--subs", "w=8", "--input-size", "1,8"] if draw(st.booleans()) else []
    else:
        source = fuzzing._mutate(draw, source, TORCH_HOSTILE)
        if options and draw(st.integers(0, 4)) == 0:
            options = options[:-2]  # no input size: the file's own forward calls, or none
    return Case([command[0], "model.py", *command[1:], *options], {"model.py": source})


# ---- option values --------------------------------------------------------------------------

KERAS_MODEL = "model = Sequential([Input((h, w, 3)), Conv2D(f, 3), Flatten(), Dense(w)])\n"
TORCH_MODEL = ("import torch.nn as nn\nmodel = nn.Sequential(nn.Conv2d(3, f, 3), nn.Flatten(), "
               "nn.LazyLinear(w))\n")
CONFIG = (ROOT / "examples" / "configs" / "gpt2.json").read_text(encoding="utf-8")
#: odd values, each written after NAME= where the option takes one
ODD_TEXT = INJECTIONS + ["", "=", "w=", "-4", "10**9", "10**12", "2**64", "1e400", "-1e400", "nan", "inf", "1e-30",
                         "1,2,3", "1,", ",", "1,,2", "-1,0,1", "a,b", ",".join(["1"] * 100_000), "1e9,1e10",
                         "(1,3,8,8)", "[1,3,8,8]", "1;3", "9" * 5000, "1," * 1000]
SIZE_NAMES = {"model.py": ["w", "h", "f", "x", "__class__"],
              "config.json": ["n_layer", "n_embd", "n_head", "vocab_size", "hidden_size", "w"]}
LIMIT_NAMES = ["seconds", "steps", "loop_iterations", "call_depth", "container", "items", "nesting",
               "int_bits", "layers", "file_bytes", "bogus"]
SHAPES = ["1,3,8,8", "1,3,w,w", "1,3,10**9,10**9", "-1,3,8,8", "1,0,8,8", "3,8,8", "1,3,8,8,8", "1",
          "1,3,2**4096,8", "batch,3,8,8", "1,3,8.5,8", "1,3,(8),8"]
BUDGETS = ["1e6", "1000", "0", "-1", "1e400", "nan", "flops=1e9", "flops=-1", "flops=", "memory=16e9",
           "memory=0", "memory=1e400", "bogus=5", "1e100", "10**10**10"]


@st.composite
def _option_value(draw, option: str, names: list) -> str:
    odd = st.sampled_from(ODD_TEXT)
    if draw(st.integers(0, 5)) == 0:
        return draw(odd)
    name = draw(st.sampled_from(names))
    if option in ("--subs", "--grid", "--sweep"):
        good = ["8", "16", "2,4,8", "1,2", "64,128,256"] if option != "--subs" else ["8", "16", "2*h", "h+1"]
        return f"{name}={draw(st.sampled_from(good + ODD_TEXT))}"
    if option == "--limit":
        return f"{draw(st.sampled_from(LIMIT_NAMES))}={draw(st.sampled_from(['1', '2', '10', '0.01', '1000000']) | odd)}"
    if option in ("--input-size", "--input-shape"):
        return draw(st.sampled_from(SHAPES))
    if option in ("--budget", "--tokens", "--seq-len", "--batch"):
        return draw(st.sampled_from(BUDGETS))
    if option in ("--solve", "--in", "--symbolic"):
        return name
    return draw(odd)


#: the options whose values are text the program reads (not argparse's choices)
OPTIONS = ["--subs", "--input-size", "--limit", "--grid", "--budget", "--sweep", "--input-shape",
           "--symbolic", "--seq-len", "--batch", "--tokens", "--dtype", "--thousands", "--multiple-of",
           "--solve", "--in", "--model"]


def _option_ok(command: str, option: str) -> bool:
    from symparams.cli.parser import build_parser
    sub = build_parser()._subparsers._group_actions[0].choices[command]
    return any(option in a.option_strings for a in sub._actions)


@st.composite
def option_cases(draw) -> Case:
    """A model (Keras, PyTorch or a config) under a command with odd values of its options."""
    files, base = draw(st.sampled_from([
        ({"model.py": KERAS_MODEL}, ["model.py", "--subs", "h=8", "--subs", "f=4"]),
        ({"model.py": TORCH_MODEL}, ["model.py", "--subs", "f=4"]),
        ({"model.py": TORCH_MODEL}, ["model.py", "--subs", "f=4", "--input-size", "1,3,8,8"]),
        ({"config.json": CONFIG}, ["config.json"]),
    ]))
    names = SIZE_NAMES[next(iter(files))]
    command = draw(st.sampled_from(["summary", "derive", "scale", "llm"] if "config.json" in files
                                   else ["summary", "derive", "scale"]))
    argv = [command, *base]
    for _ in range(draw(st.integers(1, 3))):
        option = draw(st.sampled_from(OPTIONS))
        if _option_ok(command, option):
            argv += [option, draw(_option_value(option, names))]
    if command == "scale" and "--budget" in argv and draw(st.booleans()):
        argv += ["--solve", draw(st.sampled_from(names))]
    if command == "derive":
        argv += ["--format", "text"]
        if draw(st.integers(0, 5)) == 0:
            files = {**files, **hostile_templates(draw, ["text/derivation.txt.j2", "prose.j2"])}
            argv += ["--templates", "tpl"]
    return Case(argv, files)


# ---- the HTML page --------------------------------------------------------------------------

#: markup a name may carry; none may reach the page or the SVG unescaped
MARKUP = ["<x-inj>", "</title><x-inj>", "'\"><x-inj a='", "&x-inj;", "]]><x-inj>", "<!--x-inj-->",
          "</svg><x-inj>", "{{ 1111*1111 }}", "((( 1111*1111 )))", "<script>x-inj</script>",
          "\\\" ] ; x-inj [ label=\"", "<x-inj style=\"x\">"]
CSP = ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
       "style-src 'unsafe-inline'; img-src data:\">")
_RAW = re.compile(r"<x-inj|&x-inj;|<script|<!--x-inj|1234321|<iframe|javascript:", re.IGNORECASE)


def page_problems(outcome: Outcome) -> list[str]:
    """Markup of a name unescaped in the page or the SVG, or the page's policy changed."""
    found = []
    raw = _RAW.search(outcome.stdout)
    if raw:
        found.append(f"unescaped markup in the output: {outcome.stdout[max(raw.start() - 60, 0):raw.end() + 20]!r}")
    if "--format" not in outcome.argv or outcome.argv[outcome.argv.index("--format") + 1] == "html":
        head = outcome.stdout.split("<body", 1)[0]
        if head.count(CSP) != 1 or outcome.stdout.count("http-equiv") != 1:
            found.append("the page's Content-Security-Policy is missing or not the only one")
    return found


@st.composite
def html_cases(draw) -> Case:
    """A model whose names (layers, model, class, ModuleDict keys, --subs values) carry markup,
    written as the page, the SVG or the DOT."""
    mark = draw(st.sampled_from(MARKUP))
    where = draw(st.sampled_from(["keras_layer", "keras_model", "keras_class", "torch_key", "torch_seq",
                                  "torch_add", "keras_input"]))
    quoted = repr(mark)
    sources = {
        "keras_layer": f"model = Sequential([Input((4,)), Dense(4, name={quoted}), Dense(w, name={quoted} + '2')])",
        "keras_model": f"model = Sequential([Input((4,)), Dense(w)], name={quoted})",
        "keras_class": ("import keras\nclass Block(keras.layers.Layer):\n    def __init__(self, **kw):\n"
                        "        super().__init__(**kw)\n        self.d = keras.layers.Dense(w)\n"
                        "    def call(self, x):\n        return self.d(x)\n"
                        f"i = keras.Input((4,), name={quoted})\nmodel = keras.Model(i, Block(name={quoted})(i), name={quoted})"),
        "keras_input": f"import keras\ni = keras.Input((4,), name={quoted})\nmodel = keras.Model(i, keras.layers.Dense(w)(i))",
        "torch_key": f"import torch.nn as nn\nmodel = nn.ModuleDict({{{quoted}: nn.Linear(4, w), 'b': nn.ReLU()}})",
        "torch_seq": ("import torch.nn as nn\nfrom collections import OrderedDict\n"
                      f"model = nn.Sequential(OrderedDict([({quoted}, nn.Linear(4, w)), ('r', nn.ReLU())]))"),
        "torch_add": f"import torch.nn as nn\nmodel = nn.Sequential()\nmodel.add_module({quoted}, nn.Linear(4, w))",
    }
    source = sources[where] + "\n"
    fmt = draw(st.sampled_from(["html", "html", "svg", "dot"]))
    argv = ["html", "model.py", "--format", fmt, "-o", "-", "--subs", f"w={draw(st.sampled_from(['8', '3']))}"]
    if draw(st.booleans()):
        argv += ["--detail", draw(st.sampled_from(["summary", "standard", "full"]))]
    if where.startswith("torch") and draw(st.booleans()):
        argv += ["--input-size", "1,4"] if where != "torch_key" else []
    return Case(argv, {"model.py": source}, page_problems)


# ---- the Keras model files, as cases --------------------------------------------------------

@st.composite
def model_cases(draw) -> Case:
    kind = draw(st.sampled_from(["mutated"] * 5 + ["hostile"] * 3 + ["injection"] * 2))
    if kind == "injection":
        argv, source = draw(fuzzing.injected_commands())
    elif kind == "hostile":
        argv, source = ["summary", "model.py"], draw(fuzzing.hostile_programs())
    else:
        argv, source = draw(fuzzing.commands()), draw(fuzzing.mutated_sources())
    return Case(list(argv), {"model.py": source})


#: every entry point's fuzzer, by the name ``tools/fuzz.py --entry`` takes
ENTRIES = {"model": model_cases, "config": config_cases, "exam": exam_cases, "torch": torch_cases,
           "options": option_cases, "html": html_cases}
