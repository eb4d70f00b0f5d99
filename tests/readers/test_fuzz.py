"""Fuzzing: mutated model files, hostile programs and injection strings, each in its own process.

A fixed seed (``derandomize``) and a modest count keep this suite the same on
every run; ``python tools/fuzz.py`` runs 10,000 inputs and records the result
in ``docs/reader.md``. The property is in :meth:`fuzzing.Outcome.problems`:
a result or one line with exit 2, no traceback, within 2 s and 600 MiB, and
no file created.
"""

from __future__ import annotations

import os
import sys

import pytest

pytest.importorskip("hypothesis")
from hypothesis import given  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import fuzzing  # noqa: E402
from fuzzing import fixed  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the harness forks a process per input")


def check(outcome: fuzzing.Outcome) -> None:
    problems = outcome.problems()
    assert not problems, (f"{'; '.join(problems)}\nargv: {outcome.argv}\nstderr: {outcome.stderr[:500]}"
                          f"\nsource:\n{outcome.source[:2000]}")


@pytest.mark.slow
@fixed(60)
@given(source=fuzzing.mutated_sources(), argv=fuzzing.commands())
def test_mutated_model_files(source, argv):
    check(fuzzing.run_isolated(argv, source))


@pytest.mark.slow
@fixed(40)
@given(source=fuzzing.hostile_programs())
def test_hostile_programs(source):
    check(fuzzing.run_isolated(["summary", "model.py"], source))


@pytest.mark.parametrize("statement", fuzzing.HOSTILE_STATEMENTS)
def test_every_hostile_statement(statement):
    source = statement + "\nmodel = Sequential([Input((4,)), Dense(w)])\n"
    check(fuzzing.run_isolated(["summary", "model.py"], source))


@pytest.mark.parametrize("value", fuzzing.INJECTIONS)
@pytest.mark.parametrize("command", ["summary", "derive", "scale"])
def test_injection_strings_in_subs(command, value):
    outcome = fuzzing.run_isolated([command, "model.py", "--subs", f"w={value}"],
                                   "model = Sequential([Input((4,)), Dense(w), Dense(3)])\n")
    check(outcome)
