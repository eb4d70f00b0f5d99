#!/usr/bin/env python3
"""How long 1,000 exam variants take: drawing them, then writing each format.

    python benchmarks/exam_speed.py                 # the CNN spec, 1,000 variants, 4 options each
    python benchmarks/exam_speed.py --variants 200 --spec templates/exam/shapes.toml
    python benchmarks/exam_speed.py --spec templates/exam/torch_cnn.toml \
        --sizes "size=28,32,64 filters=8,16,32,64 units=64,128,256 classes=10,100"

``--sizes`` gives sizes more values than the spec has, so that a spec made for a class
(torch_cnn's 192 different draws) can be drawn 1,000 times.

The target (issue 16): 1,000 variants with four options each, in any format other than the
PDF, in at most 5 s on a 2-core machine. Drawing is measured apart from writing, and each
format on its own, so a slow step is named. Writing uses every CPU (``--jobs``); ``--jobs 1``
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

TARGET = 5.0
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", default=str(ROOT / "templates" / "exam" / "cnn.toml"))
    ap.add_argument("--variants", type=int, default=1000)
    ap.add_argument("--formats", default="json,gift,moodle,canvas,qti,markdown,latex")
    ap.add_argument("--jobs", type=int, default=None, help="processes that write (default: every CPU)")
    ap.add_argument("--sizes", default="", help='sizes given other values: "name=1,2,3 other=4,5"')
    args = ap.parse_args(argv)
    slow = calibration() / QUIET
    print(f"calibration: this machine runs at {1 / slow:.2f} of its best speed now "
          f"(figures in [brackets] are scaled to its best)")
    spec = exam.Spec.from_toml(args.spec)
    if args.sizes:
        import tomllib
        data = tomllib.loads(Path(args.spec).read_text(encoding="utf-8"))
        for item in args.sizes.split():
            name, values = item.split("=")
            data["sizes"][name] = [int(v) for v in values.split(",")]
        spec = exam.Spec.from_dict(data, args.spec)
    t = time.perf_counter()
    variants, report = exam.draw(spec, args.variants, seed=1)
    drawn = time.perf_counter() - t
    print(f"{args.spec}: {args.variants} variants drawn in {drawn:.2f} s [{drawn / slow:.2f} s] "
          f"({report.tries} draws, {1000 * drawn / args.variants:.2f} ms a variant)")
    for fmt in args.formats.split(","):
        t = time.perf_counter()
        exam.write(spec, variants, fmt, jobs=args.jobs)
        took = time.perf_counter() - t
        total = drawn + took
        mark = "within" if total <= TARGET * args.variants / 1000 else "OVER"
        print(f"  {fmt:9s} written in {took:6.2f} s [{took / slow:5.2f} s]; with the draw {total:6.2f} s "
              f"[{total / slow:5.2f} s] ({mark} the target of {TARGET * args.variants / 1000:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
