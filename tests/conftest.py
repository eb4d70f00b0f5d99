"""The fast suite by default; the slow tests with ``--slow`` or ``SYMPARAMS_SLOW=1`` (CI).

A test is ``slow`` when it needs a program outside Python (pdflatex, KaTeX or a GIFT
parser on node, Chromium, Graphviz, text2qti, IMS's schemas fetched by .ci/run) or runs
long (the fuzzers, the exam written by several processes). The fast suite needs nothing
but the test extra, so a fresh clone runs it as README says.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true",
                     help="run the slow tests too (compile, browser, LMS consumers, long fuzzing)")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: needs a program outside Python or runs long; "
                                       "run with --slow or SYMPARAMS_SLOW=1")
    every = config.getoption("--slow") or os.environ.get("SYMPARAMS_SLOW")
    if every:
        # asked for, the slow tests fail on a missing tool (tests/tools.require) rather than skip
        os.environ.setdefault("SYMPARAMS_REQUIRE_TOOLS", "1")
    elif not config.option.markexpr:
        config.option.markexpr = "not slow"
