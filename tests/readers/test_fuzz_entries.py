"""Fuzzing every entry point but a Keras file: config.json files, exam specs and teachers'
templates, PyTorch files, option values and the HTML page (``tests/fuzz_entries.py``).

A fixed seed and a small count per entry run in the fast suite; ``--slow`` runs more;
``python tools/fuzz.py --entry all --count 10000`` is the long run that ``docs/reader.md``
records. Each failure the long run found is a case below, by name.
"""

from __future__ import annotations

import os
import sys

import pytest

pytest.importorskip("hypothesis")
from hypothesis import given  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import fuzz_entries  # noqa: E402
from fuzz_entries import Case  # noqa: E402
from fuzzing import fixed  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the harness forks a process per input")


def check(case: Case) -> "fuzz_entries.Outcome":
    outcome = case.run()
    problems = case.problems(outcome)
    assert not problems, (f"{'; '.join(problems)}\nargv: {case.argv[:20]}\nstderr: {outcome.stderr[:500]}"
                          f"\n{case.source()[:2000]}")
    return outcome


#: the page waits for Graphviz on every input: fewer of them in the fast suite
FAST = {"html": 3}


@pytest.mark.parametrize("entry,count", [pytest.param(e, FAST.get(e, 6), id=e) for e in sorted(fuzz_entries.ENTRIES)]
                         + [pytest.param(e, 60, id=f"{e}-more", marks=pytest.mark.slow)
                            for e in sorted(fuzz_entries.ENTRIES)])
def test_each_entry_point(entry, count):
    @fixed(count)
    @given(case=fuzz_entries.ENTRIES[entry]())
    def run(case):
        check(case)
    run()


@pytest.mark.parametrize("text", fuzz_entries.HOSTILE_CONFIGS,
                         ids=[f"config{i}" for i in range(len(fuzz_entries.HOSTILE_CONFIGS))])
def test_every_hostile_config(text):
    """Deep nesting (the issue's RecursionError), a thousand billion layers, NaN, duplicate
    keys, wrong types: a result or one line."""
    check(Case(["summary", "config.json"], {"config.json": text}))


def test_a_config_nested_100000_deep_is_one_line():
    """The issue's first fault: json's RecursionError was an internal error with exit 1."""
    outcome = check(Case(["summary", "config.json"], {"config.json": fuzz_entries.HOSTILE_CONFIGS[0]}))
    assert outcome.code == 2 and "nests arrays or objects" in outcome.stderr


# ---- each failure the long run found -----------------------------------------------------------

FOUND = {
    # configs/fields.py: a null size reached the model's build (None - int)
    "config-null-size": Case(["summary", "config.json"], {"config.json": '{"model_type":"gpt2","n_layer":null}'}),
    # configs/reader.py: a list as model_type was looked up in a dict (unhashable)
    "config-model-type-list": Case(["summary", "config.json"], {"config.json": '{"model_type":["llama"]}'}),
    # exam/spec.py: constraints' numbers were int()ed whatever their type
    "exam-constraint-text": Case(["exam", "spec.toml", "--jobs", "1"], {"spec.toml": (
        'source = "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(u)])"\n'
        '[sizes]\nu = [2, 3]\n[[questions]]\nkind = "total_params"\n[constraints]\nmax_tries = "aaa"\n')}),
    # exam/spec.py: sizes that are not a table were dict()ed
    "exam-sizes-number": Case(["exam", "spec.toml", "--jobs", "1"], {"spec.toml": (
        'source = "model = 1"\nsizes = 5\n[[questions]]\nkind = "total_params"\n')}),
    # pytorch/trace.py: a Sequential given two --input-size was Python's TypeError
    "torch-two-inputs-for-one": Case(
        ["summary", "model.py", "--input-size", "1,3,8,8", "--input-size", "1"],
        {"model.py": "import torch.nn as nn\nmodel = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten())\n"}),
    # cli/options.py: --sweep w=1e400 (infinity) reached sympy.Rational
    "sweep-infinity": Case(["scale", "model.py", "--sweep", "w=1e400"],
                           {"model.py": "model = Sequential([Input((4,)), Dense(w)])\n"}),
    # configs/reader.py: a number of 100,000 digits passed Python's limit on reading integers
    "config-100000-digits": Case(["summary", "config.json"],
                                 {"config.json": '{"model_type":"gpt2","n_layer":1' + "0" * 100_000 + "}"}),
    # exam/spec.py: a range of a million million values was made into a tuple (MemoryError)
    "exam-huge-range": Case(["exam", "spec.toml", "--jobs", "1"], {"spec.toml": (
        'source = "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(u)])"\n'
        '[sizes]\nu = {min = 1, max = 1000000000000}\n[[questions]]\nkind = "total_params"\n')}),
    # core/units.py: bytes past what a float holds (10^400 positions) in scale's memory table
    "config-memory-past-floats": Case(["scale", "config.json", "--memory"], {"config.json": (
        '{"model_type": "gpt2", "n_positions": 1' + "0" * 400 + "}")}),
    # exam/spec.py: a list as a question's kind was looked up in a dict (unhashable)
    "exam-kind-list": Case(["exam", "spec.toml", "--jobs", "1"], {"spec.toml": (
        'source = "model = 1"\n[sizes]\nu = [2, 3]\n[[questions]]\nkind = []\n')}),
    # exam/spec.py: a number as a cloze's columns was iterated
    "exam-columns-number": Case(["exam", "spec.toml", "--jobs", "1"], {"spec.toml": (
        'source = "model = 1"\n[sizes]\nu = [2, 3]\n[[questions]]\nkind = "cloze"\ncolumns = -1\n')}),
    # pytorch/tensor.py: a stride of 0 divided by zero and reached a comparison of sympy's zoo
    "torch-stride-0": Case(["summary", "model.py", "--input-size", "1,3,8,8"], {"model.py": (
        "import torch.nn as nn\nmodel = nn.Sequential(nn.Conv2d(3, 4, 3, stride=0))\n")}),
    # readers/torch/reader.py: a ModuleList of a million items registered each (over 600 MiB)
    "torch-million-items": Case(["summary", "model.py"], {"model.py": (
        "import torch.nn as nn\nm = nn.ModuleList([nn.Linear(2, 2)] * 1000000)\nmodel = nn.Linear(2, 2)\n")}),
    # readers/torch/reader.py: an LSTM of 9,999 layers (an exam's drawn depth) took 6 s to sum
    # and 19 s to derive; its layers count against the layer limit
    "torch-lstm-9999-layers": Case(["summary", "model.py"], {"model.py": (
        "import torch.nn as nn\nmodel = nn.LSTM(16, 32, num_layers=9999)\n")}),
    # pytorch/module.py: a size argument of None made a weight of shape (None, 1, 3, 3, 3),
    # an internal TypeError when counted
    "torch-size-none": Case(["summary", "model.py"], {"model.py": (
        "import torch.nn as nn\nmodel = nn.Sequential(nn.Conv3d(1, None, kernel_size=(3, 3, 3)))\n")}),
    # exam/spec.py: a list as a question's dtype (or unit, or precision) was looked up in a dict
    "exam-dtype-list": Case(["exam", "spec.toml", "--jobs", "1"], {"spec.toml": (
        'source = "model = 1"\n[sizes]\nu = [2, 3]\n[[questions]]\nkind = "weight_memory"\ndtype = []\n')}),
}


def _with_template(name: str, extra: str) -> dict:
    files = dict(fuzz_entries._templates())
    files[f"tpl/{name}"] += "\n" + extra
    return files


# render/sandbox.py: a teacher's template whose loops inside loops made 10^10 items ran past
# the hard time limit at 2 GiB; a * or ** of any size was made as asked
FOUND.update({
    "template-nested-loops": Case(
        ["derive", "model.py", "--format", "text", "--templates", "tpl"],
        {"model.py": "model = Sequential([Input((4,)), Dense(3)])\n",
         **_with_template("prose.j2", fuzz_entries.HOSTILE_TEMPLATES[15])}),
    "template-huge-repeat": Case(
        ["derive", "model.py", "--format", "text", "--templates", "tpl"],
        {"model.py": "model = Sequential([Input((4,)), Dense(3)])\n",
         **_with_template("text/derivation.txt.j2", "((( 'a' * 1000000000 )))")}),
})


@pytest.mark.parametrize("name", FOUND)
def test_what_the_long_run_found(name):
    outcome = check(FOUND[name])
    if name == "config-memory-past-floats":    # a result, in units
        assert outcome.code == 0 and "× 10" in outcome.stdout and "EiB)" in outcome.stdout
    else:
        assert outcome.code == 2, outcome.stdout[:500]



def test_the_page_check_sees_markup_and_a_lost_policy():
    """The html entry's own check is not vacuous: raw markup or a page without its one
    Content-Security-Policy is a problem; the escaped name in a real page is not."""
    from fuzzing import Outcome

    def outcome(stdout, fmt="html"):
        return Outcome(["html", "model.py", "--format", fmt], "", 0, None, stdout, "", 0.1, 50.0)

    page = f"<!DOCTYPE html><head>{fuzz_entries.CSP}</head><body>&lt;x-inj&gt;</body>"
    assert fuzz_entries.page_problems(outcome(page)) == []
    assert fuzz_entries.page_problems(outcome(page.replace("&lt;x-inj&gt;", "<x-inj>")))
    assert fuzz_entries.page_problems(outcome(page.replace(fuzz_entries.CSP, "")))
    assert fuzz_entries.page_problems(outcome("<svg><text>&x-inj;</text></svg>", "svg"))
    case = Case(["html", "model.py", "--format", "html", "-o", "-", "--subs", "w=3"],
                {"model.py": "model = Sequential([Input((4,)), Dense(w, name='<x-inj>')])\n"},
                fuzz_entries.page_problems)
    shown = check(case)
    assert shown.code == 0 and "&lt;x-inj&gt;" in shown.stdout
