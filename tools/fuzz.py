"""Fuzz symparams with many generated inputs, each in a forked process, and report.

    python tools/fuzz.py                  # 10,000 inputs, seed 0
    python tools/fuzz.py --count 500 --seed 3

Inputs come from the strategies in ``tests/fuzzing.py``: mutated real model
files under every command, hostile programs, and injection strings as
``--subs`` values, in the proportions 5 : 3 : 2. Each run is judged by
``fuzzing.Outcome.problems`` (a result or one line with exit 2, no traceback,
at most 2 s and 600 MiB, no file created). The summary printed at the end is
what ``docs/reader.md`` records; failures are written to ``--failures``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import fuzzing  # noqa: E402
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--failures", default="fuzz-failures.json")
    args = parser.parse_args()

    counts: Counter = Counter()
    exits: Counter = Counter()
    failures: list[dict] = []
    slowest: list[tuple] = []
    peak = 0.0
    started = time.monotonic()

    @seed(args.seed)
    @settings(max_examples=args.count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data):
        nonlocal peak
        kind = data.draw(st.sampled_from(["mutated"] * 5 + ["hostile"] * 3 + ["injection"] * 2))
        if kind == "injection":
            argv, source = data.draw(fuzzing.injected_commands())
        elif kind == "hostile":
            argv, source = ["summary", "model.py"], data.draw(fuzzing.hostile_programs())
        else:
            argv, source = data.draw(fuzzing.commands()), data.draw(fuzzing.mutated_sources())
        outcome = fuzzing.run_isolated(argv, source)
        counts[kind] += 1
        exits[outcome.code if outcome.signal is None else f"signal {outcome.signal}"] += 1
        peak = max(peak, outcome.peak_mib)
        slowest.append((outcome.seconds, kind, " ".join(argv)))
        slowest.sort(reverse=True)
        del slowest[5:]
        problems = outcome.problems()
        if problems:
            failures.append({"kind": kind, "argv": argv, "problems": problems,
                             "stderr": outcome.stderr[:1000], "source": source})
        done = sum(counts.values())
        if done % 500 == 0:
            print(f"{done:,} inputs, {len(failures)} failures, {time.monotonic() - started:.0f} s",
                  file=sys.stderr, flush=True)

    run()
    total = sum(counts.values())
    elapsed = time.monotonic() - started
    print(f"inputs: {total:,} ({', '.join(f'{k} {v:,}' for k, v in sorted(counts.items()))})")
    print(f"exit statuses: {', '.join(f'{k}: {v:,}' for k, v in sorted(exits.items(), key=str))}")
    print(f"failures: {len(failures)}")
    print(f"slowest: {slowest[0][0]:.2f} s ({slowest[0][1]}: {slowest[0][2]}); "
          f"peak memory {peak:.0f} MiB; {elapsed:.0f} s in all")
    if failures:
        Path(args.failures).write_text(json.dumps(failures, indent=1))
        print(f"failures written to {args.failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
