#!/usr/bin/env python3
"""How long 1,000 exam variants take: drawing them, then writing each format.

    python benchmarks/exam_speed.py                 # the CNN and attention specs, 1,000 variants each
    python benchmarks/exam_speed.py --variants 200 --spec templates/exam/shapes.toml
    python benchmarks/exam_speed.py --spec templates/exam/torch_cnn.toml \
        --sizes "size=28,32,64 filters=8,16,32,64 units=64,128,256 classes=10,100"

``--sizes`` gives sizes more values than the spec has, so that a spec made for a class
(torch_cnn's 192 different draws) can be drawn 1,000 times.

The target (issue 35): 1,000 variants, drawn and written in any format other than the PDF,
within 8 times what one ``symparams summary`` process of the spec's model takes on the same
machine at the same time (timed first, the best of three: a process's start-up, imports,
reading and summary), so the verdict holds on a busy machine too. Drawing is measured apart
from writing, and each format on its own, so a slow step is named. Writing uses every CPU (``--jobs``); ``--jobs 1``
measures one process, so the two runs' ratio is what the second CPU gives.

The machine is small and shared, and its speed changes from minute to minute: the script
first times a fixed loop of plain Python on every CPU at once (``calibration``; 0.65 s
at best on 2026-12-06) and prints the figures again, in brackets, scaled to that speed. The verdict is on the
figure as measured; compare the scaled figures, or ratios, across runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from symparams import exam  # noqa: E402

#: 1,000 versions within this many times one summary process
TIMES = 8
#: the calibration's best time on this machine (2026-12-06, the fastest of 6 runs)
QUIET = 0.65


def _loop(_=None) -> int:
    x = 0
    for i in range(20_000_000):
        x += i
    return x


def calibration() -> float:
    """Seconds a fixed loop of plain Python takes here now on every CPU at once, as the
    writing runs (the best of two)."""
    import multiprocessing
    from symparams.exam.parallel import cpus
    best = float("inf")
    with multiprocessing.get_context("fork").Pool(cpus()) as pool:
        for _ in range(2):
            t = time.perf_counter()
            pool.map(_loop, range(cpus()))
            best = min(best, time.perf_counter() - t)
    return best


def summary_process(source: str) -> float:
    """Seconds one ``symparams summary`` process of the model takes (the best of three)."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.py"
        path.write_text(source, encoding="utf-8")
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "symparams.cli", "summary", str(path)], check=True,
                           capture_output=True, cwd=ROOT)
            best = min(best, time.perf_counter() - t)
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", action="append",
                    help="a spec (repeatable; default: the CNN spec, and attention's, the newest kind)")
    ap.add_argument("--variants", type=int, default=1000)
    ap.add_argument("--formats", default="json,gift,moodle,canvas,qti,markdown,latex")
    ap.add_argument("--jobs", type=int, default=None, help="processes that write (default: every CPU)")
    ap.add_argument("--sizes", default="", help='sizes given other values: "name=1,2,3 other=4,5"')
    args = ap.parse_args(argv)
    slow = calibration() / QUIET
    print(f"calibration: this machine runs at {1 / slow:.2f} of its best speed now "
          f"(figures in [brackets] are scaled to its best)")
    over = 0
    for path in args.spec or [str(ROOT / "templates" / "exam" / f"{n}.toml") for n in ("cnn", "attention")]:
        over += run_spec(path, args, slow)
    return 1 if over else 0


def run_spec(path: str, args, slow: float) -> int:
    spec = exam.Spec.from_toml(path)
    if args.sizes:
        import tomllib
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        for item in args.sizes.split():
            name, values = item.split("=")
            data["sizes"][name] = [int(v) for v in values.split(",")]
        spec = exam.Spec.from_dict(data, path)
    t = time.perf_counter()
    variants, report = exam.draw(spec, args.variants, seed=1)
    drawn = time.perf_counter() - t
    one = summary_process(variants[0].source)
    target = TIMES * one * args.variants / 1000
    print(f"{path}: one summary process {one:.2f} s, so the target is {target:.1f} s "
          f"({TIMES}× for 1,000 variants)")
    print(f"  {args.variants} variants drawn in {drawn:.2f} s [{drawn / slow:.2f} s] "
          f"({report.tries} draws, {1000 * drawn / args.variants:.2f} ms a variant)")
    over = 0
    for fmt in args.formats.split(","):
        t = time.perf_counter()
        exam.write(spec, variants, fmt, jobs=args.jobs)
        took = time.perf_counter() - t
        total = drawn + took
        mark = "within" if total <= target else "OVER"
        over += total > target
        print(f"  {fmt:9s} written in {took:6.2f} s [{took / slow:5.2f} s]; with the draw {total:6.2f} s "
              f"[{total / slow:5.2f} s] = {total / one:4.1f}× one summary ({mark} {TIMES}×)")
    return over


if __name__ == "__main__":
    raise SystemExit(main())
