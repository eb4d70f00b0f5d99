"""Fuzz symparams's entry points with many generated inputs, each in a forked process, and report.

    python tools/fuzz.py                          # 10,000 Keras model files, seed 0
    python tools/fuzz.py --entry config --count 500 --seed 3
    nice python tools/fuzz.py --entry all --count 10000 --summary fuzz-summary.json

The entries (``tests/fuzz_entries.ENTRIES``): ``model`` (mutated real Keras files under
every command, hostile programs and injection strings as ``--subs`` values, 5 : 3 : 2),
``config`` (config.json files), ``exam`` (exam specs and teachers' templates), ``torch``
(PyTorch files, through ``forward``), ``options`` (the options' values) and ``html`` (names
with markup in the page, the SVG and the DOT). Each run is judged by
``fuzzing.Outcome.problems`` (a result or one line with exit 2, no traceback, at most 2 s
of processor time and 600 MiB, no file created) and the entry's own check. The table printed at the end is
what ``docs/reader.md`` records; failures are written to ``--failures``. ``--minutes``
stops each entry after that long, so a run that must fit in a window says how far it got.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import fuzz_entries  # noqa: E402
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@dataclass
class Tally:
    """One entry's run: what the docs' table shows."""

    entry: str
    inputs: int = 0
    failures: int = 0
    slowest: float = 0.0
    slowest_argv: str = ""
    slowest_wall: float = 0.0
    peak_mib: float = 0.0
    seconds: float = 0.0
    exits: dict = field(default_factory=dict)
    stopped_early: bool = False
    #: inputs the fuzzer itself failed to make (its own bug, not symparams's)
    generator_errors: int = 0


#: inputs per hypothesis run: a long run is many short ones, each with its own seed, so that
#: it can stop between them when --minutes is up
CHUNK = 100


def fuzz(entry: str, count: int, seed_value: int, minutes: float, failures: list, progress) -> Tally:
    tally = Tally(entry)
    exits: Counter = Counter()
    started = time.monotonic()

    def one(case) -> None:
        outcome = case.run()
        tally.inputs += 1
        exits[str(outcome.code) if outcome.signal is None else f"signal {outcome.signal}"] += 1
        tally.peak_mib = max(tally.peak_mib, outcome.peak_mib)
        tally.slowest_wall = max(tally.slowest_wall, outcome.wall)
        if outcome.seconds > tally.slowest:
            tally.slowest, tally.slowest_argv = outcome.seconds, " ".join(case.argv)
        problems = case.problems(outcome)
        if problems:
            tally.failures += 1
            failures.append({"entry": entry, "argv": case.argv, "problems": problems,
                             "stderr": outcome.stderr[:1000], "files": case.files})

    for chunk in range((count + CHUNK - 1) // CHUNK):
        if minutes and time.monotonic() - started > minutes * 60:
            tally.stopped_early = True
            break

        @seed(seed_value * 1_000_003 + chunk)
        @settings(max_examples=min(CHUNK, count - chunk * CHUNK), database=None, deadline=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(st.data())
        def run(data):
            try:
                case = data.draw(fuzz_entries.ENTRIES[entry]())
            except Exception as exc:  # noqa: BLE001 - the fuzzer's own fault: counted, not fatal
                tally.generator_errors += 1
                print(f"{entry}: the fuzzer could not make an input: {exc!r}", file=sys.stderr)
                return
            one(case)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - hypothesis on the fuzzer's own fault: counted
            tally.generator_errors += 1
            print(f"{entry}: hypothesis stopped a run of inputs: {type(exc).__name__}", file=sys.stderr)
        tally.exits = dict(sorted(exits.items()))
        tally.seconds = time.monotonic() - started
        progress(tally)
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entry", default="model",
                        help=f"one of {', '.join(fuzz_entries.ENTRIES)}, several joined by commas, or all")
    parser.add_argument("--count", type=int, default=10_000, help="inputs per entry")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--minutes", type=float, default=0, help="stop each entry after this long (0: never)")
    parser.add_argument("--failures", default="fuzz-failures.json")
    parser.add_argument("--summary", help="write the tallies as JSON here, after every 100 inputs")
    args = parser.parse_args()

    entries = list(fuzz_entries.ENTRIES) if args.entry == "all" else args.entry.split(",")
    unknown = [e for e in entries if e not in fuzz_entries.ENTRIES]
    if unknown:
        parser.error(f"--entry {unknown[0]}: the entries are {', '.join(fuzz_entries.ENTRIES)}, or all")
    failures: list[dict] = []
    tallies: dict[str, Tally] = {}

    def save(tally: Tally) -> None:
        tallies[tally.entry] = tally
        print(f"{tally.entry}: {tally.inputs:,} inputs, {tally.failures} failures, {tally.seconds:.0f} s",
              file=sys.stderr, flush=True)
        if args.summary:
            Path(args.summary).write_text(json.dumps([asdict(t) for t in tallies.values()], indent=1))
        if failures:
            Path(args.failures).write_text(json.dumps(failures, indent=1))

    for entry in entries:
        save(fuzz(entry, args.count, args.seed, args.minutes, failures, save))

    print("| entry | inputs | failures | slowest (processor) | slowest (wall clock) | peak memory | exit statuses |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for t in tallies.values():
        statuses = ", ".join(f"{k}: {v:,}" for k, v in t.exits.items())
        print(f"| {t.entry} | {t.inputs:,}{' (stopped at --minutes)' if t.stopped_early else ''} | "
              f"{t.failures} | {t.slowest:.2f} s | {t.slowest_wall:.2f} s | {t.peak_mib:.0f} MiB | {statuses} |")
    if failures:
        print(f"failures written to {args.failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
