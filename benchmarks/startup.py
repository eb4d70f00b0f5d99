"""Start-up: what a command costs beyond importing its two runtime dependencies.

    python benchmarks/startup.py [--runs N]

Times whole processes, interleaved so that a noisy machine slows each alike, and prints
each one's median as a ratio to ``python -c "import sympy, jinja2"`` (the floor no
symparams command can go below). The targets are ratios, measured in one run:

- ``symparams summary examples/cnn_51264.py``: at most 1.3 times the floor;
- ``import symparams``: at most 1.3 times the floor.

Python's bytecode cache is on, as in an installed package (``pip install`` compiles every
module): ``PYTHONDONTWRITEBYTECODE`` is dropped for the processes timed, and one round runs
first, untimed, to fill the cache. Without it every start would compile symparams's
sources and none of sympy's, which says nothing about a user's start-up.

It writes nothing but those ``__pycache__`` folders; the exit status is 0 whether or not the
targets are met (the table says which), 2 on a bad argument.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASES = {
    "import sympy, jinja2": [sys.executable, "-c", "import sympy, jinja2"],
    "import symparams": [sys.executable, "-c", "import symparams"],
    "symparams summary cnn_51264.py": [sys.executable, "-m", "symparams.cli", "summary",
                                       str(ROOT / "examples" / "cnn_51264.py")],
    "symparams summary resnet50.py": [sys.executable, "-m", "symparams.cli", "summary",
                                      str(ROOT / "tests" / "fixtures" / "models" / "resnet50.py")],
}
TARGETS = {"import symparams": 1.3, "symparams summary cnn_51264.py": 1.3}
FLOOR = "import sympy, jinja2"


def measure(runs: int) -> dict[str, list[float]]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for round_ in range(runs + 1):
        for name, argv in CASES.items():
            start = time.perf_counter()
            done = subprocess.run(argv, cwd=ROOT, capture_output=True, env=env)
            if round_:                      # the first round fills the bytecode cache
                times[name].append(time.perf_counter() - start)
            if done.returncode != 0:
                raise SystemExit(f"{name}: exited {done.returncode}: {done.stderr.decode()[-300:]}")
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each process (default 15)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    times = measure(args.runs)
    floor = statistics.median(times[FLOOR])
    print(f"median of {args.runs} runs each, interleaved; ratio to `{FLOOR}` ({floor:.3f} s)\n")
    print("| process | median (s) | ratio | target |")
    print("| --- | ---: | ---: | --- |")
    for name, values in times.items():
        median = statistics.median(values)
        target = TARGETS.get(name)
        verdict = "" if target is None else f"≤ {target} ({'met' if median / floor <= target else 'missed'})"
        print(f"| {name} | {median:.3f} | {median / floor:.2f}× | {verdict} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
