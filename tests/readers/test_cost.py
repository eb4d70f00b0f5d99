"""Work is charged by its real size: a builtin or method that reads a whole value is charged
its length against the step budget before it runs, so a loop of cheap-looking calls on a
large value ends in one line and exit 2, as a loop of that many steps would."""

from __future__ import annotations

import os
import re
import shlex
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import fuzzing  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the harness forks a process per input")

SETUP = "x = [0] * 1000000\ns = ['a'] * 1000000\nt = 'a' * 1000000\n"
MODEL = "model = Sequential([Input((4,)), Dense(3)])\n"

#: each reads a million items and looks like one step
WALKS = ["y = x.count(1)", "y = 1 in x", "y = 5 not in x", "y = x.index(0)", "y = sum(x)", "y = sorted(x)",
         "y = max(x)", "y = min(x)", "y = ''.join(s)", "y = x[1:]", "y = x[::-1]", "y = x == x", "y = 'b' in t",
         "y = t.upper()", "y = t.replace('b', 'c')", "y = t.split(',')", "y = str(x)", "y = list(x)",
         "y = tuple(x)", "y = set(s)", "y = any(x)", "y = all(s)", "y = x.copy()", "x.reverse()",
         "x.insert(0, 1)", "y = [v for v in x]", "for v in x:\n        break", "y = len(str(x))",
         "y = list(enumerate(x))", "y = list(zip(x, x))", "y = list(map(abs, x))", "a, *b = x"]


@pytest.mark.parametrize("statement", WALKS)
def test_a_walk_in_a_loop_is_one_line_and_quick(statement):
    """The issue's case (``x.count(1)`` a hundred thousand times ran for the whole 10 s
    time limit) and its kin: one line naming the work limit, exit 2, within the harness's 2 s."""
    source = SETUP + f"for i in range(100000):\n    {statement}\n" + MODEL
    outcome = fuzzing.run_isolated(["summary", "model.py"], source)
    assert not outcome.problems(), (outcome.problems(), outcome.stderr)
    assert outcome.code == 2 and "work limit" in outcome.stderr and "model.py:" in outcome.stderr, outcome.stderr


def test_the_fix_a_walk_prints_works(tmp_path, capsys):
    """One walk past the budget says which limit and how far to raise it; raised so, it reads."""
    from symparams.cli import main
    path = tmp_path / "model.py"
    path.write_text("x = [0] * 300000\ny = x.count(1)\n" + MODEL)
    assert main(["summary", str(path)]) == 2
    line = capsys.readouterr()[1].strip()
    assert len(line.splitlines()) == 1 and "model.py:2: stopped: count() would read 300,000 items" in line
    fix = re.search(r"raise it with (--limit \S+?)\)", line).group(1)
    assert main(["summary", str(path), *shlex.split(fix)]) == 0, capsys.readouterr()[1]


def test_small_walks_cost_what_they_read(tmp_path, capsys):
    """Model files' own walks (a few hundred items) stay far inside the budget."""
    from symparams.cli import main
    path = tmp_path / "model.py"
    path.write_text("sizes = list(range(500))\nfor i in range(100):\n    k = sizes.index(499) + sum(sizes[:10])\n"
                    "model = Sequential([Input((4,)), Dense(k)])\n")
    assert main(["summary", str(path)]) == 0, capsys.readouterr()[1]
    assert "dense (Dense)" in capsys.readouterr()[0]
