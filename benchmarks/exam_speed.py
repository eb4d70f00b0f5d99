#!/usr/bin/env python3
"""How long 1,000 exam variants take: drawing them, then writing each format.

    python benchmarks/exam_speed.py                 # the CNN spec, 1,000 variants, 4 options each
    python benchmarks/exam_speed.py --variants 200 --spec templates/exam/shapes.toml

The target (issue 16): 1,000 variants with four options each, in any format other than the
PDF, in at most 5 s on a 2-core machine. Drawing is measured apart from writing, and each
format on its own, so a slow step is named. The machine is small and noisy: run it twice.
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", default=str(ROOT / "templates" / "exam" / "cnn.toml"))
    ap.add_argument("--variants", type=int, default=1000)
    ap.add_argument("--formats", default="json,gift,moodle,canvas,qti,markdown,latex")
    args = ap.parse_args(argv)
    spec = exam.Spec.from_toml(args.spec)
    t = time.perf_counter()
    variants, report = exam.draw(spec, args.variants, seed=1)
    drawn = time.perf_counter() - t
    print(f"{args.spec}: {args.variants} variants drawn in {drawn:.2f} s "
          f"({report.tries} draws, {1000 * drawn / args.variants:.2f} ms a variant)")
    for fmt in args.formats.split(","):
        t = time.perf_counter()
        exam.write(spec, variants, fmt)
        took = time.perf_counter() - t
        total = drawn + took
        mark = "within" if total <= TARGET * args.variants / 1000 else "OVER"
        print(f"  {fmt:9s} written in {took:6.2f} s; with the draw {total:6.2f} s "
              f"({mark} the target of {TARGET * args.variants / 1000:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
