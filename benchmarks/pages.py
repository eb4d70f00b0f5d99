#!/usr/bin/env python3
"""How long the worked solutions are, and how long they take: pages and time per detail.

    python benchmarks/pages.py --write    # 3 runs each, writes docs/benchmarks-pages.md
    python benchmarks/pages.py --runs 1   # prints the table, writes nothing

For each model and each ``--detail`` it times ``symparams derive FILE --format latex
--standalone`` as a whole process (median and min–max over the runs), compiles the
output with pdflatex (twice, as a reader would) and reads from the log the number of
pages and the widest line that runs off the page. It checks the page targets of the
standard detail and, with ``--write``, writes the table to ``docs/benchmarks-pages.md``
(or ``--out PATH``). Needs pdflatex
(``.ci/run`` installs TeX Live).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DETAILS = ("summary", "standard", "full")
GPT2 = ["vocab=50257", "n_ctx=1024", "d_model=768", "n_heads=12", "n_layer=12"]

# name, file, --subs, the most pages the standard detail may take (None: no target)
MODELS = [
    ("seed 004 CNN", "tests/fixtures/models/seed_cnn_004.py", ["input_shape=(28,28,1)"], None),
    ("VGG16", "tests/fixtures/models/vgg16.py", [], None),
    ("ResNet-50", "tests/fixtures/models/resnet50.py", [], 12),
    ("GPT-2 small (12 layers)", "examples/gpt_decoder.py", GPT2, 6),
]


def symparams_command() -> list[str]:
    exe = Path(sys.executable).with_name("symparams")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "symparams"]


def derive(path: str, subs: list[str], detail: str, runs: int) -> tuple[list[float], str]:
    command = symparams_command() + ["derive", str(ROOT / path), "--format", "latex", "--standalone",
                                     "--detail", detail] + [a for s in subs for a in ("--subs", s)]
    times, out = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
        if done.returncode:
            raise SystemExit(f"{path} --detail {detail}: {done.stderr.strip()}")
        out = done.stdout
    return times, out


def compile_pages(tex: str, workdir: Path, stem: str) -> tuple[int, float]:
    """Pages of the compiled document and its widest overfull line (0 if none)."""
    (workdir / f"{stem}.tex").write_text(tex)
    for _ in range(2):
        subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{stem}.tex"],
                       cwd=workdir, capture_output=True, timeout=600)
    log = (workdir / f"{stem}.log").read_text(errors="replace")
    pages = re.search(r"Output written on .*?\((\d+) pages?", log)
    if pages is None:
        raise SystemExit(f"{stem}: pdflatex wrote no PDF; see {workdir / stem}.log")
    widest = [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide", log)]
    return int(pages.group(1)), max(widest, default=0.0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true",
                        help="write the table to --out (default docs/benchmarks-pages.md); without it, only print")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks-pages.md"), metavar="PATH",
                        help="where --write writes the table")
    args = parser.parse_args(argv)
    if shutil.which("pdflatex") is None:
        print("pdflatex is not installed (.ci/run installs TeX Live)", file=sys.stderr)
        return 2
    rows, targets = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, subs, most in MODELS:
            cells = []
            for detail in DETAILS:
                times, tex = derive(path, subs, detail, args.runs)
                pages, widest = compile_pages(tex, Path(tmp), f"{Path(path).stem}-{detail}")
                cells.append(f"{pages} p, {statistics.median(times):.2f} s "
                             f"({min(times):.2f}–{max(times):.2f})"
                             + (f", **{widest:.1f} pt off the page**" if widest > 1 else ""))
                if detail == "standard" and most is not None:
                    targets.append((f"{name} at the standard detail in at most {most} pages",
                                    f"{pages} pages", pages <= most))
                print(f"{name:28} {detail:9} {cells[-1]}", flush=True)
            rows.append((name, path, subs, cells))
    lines = [
        "# Pages and time of the worked solutions",
        "",
        "`symparams derive FILE --format latex --standalone --detail D`, timed as a whole process "
        f"(median of {args.runs} runs, min–max in brackets) and compiled twice with pdflatex (A4, 11 pt); "
        "the pages are the PDF's. A line wider than the page by more than 1 pt would be marked in bold. "
        "The machine is small and shared: compare the ratios.",
        "",
        "- Rerun: `python benchmarks/pages.py --write` (needs pdflatex)",
        "",
        "| model | file | summary | standard | full |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, path, subs, cells in rows:
        where = f"`{path}`" + (f" with `{' '.join(subs)}`" if subs else "")
        lines.append(f"| {name} | {where} | " + " | ".join(cells) + " |")
    lines += ["", "## Targets", "", "| target | measured | met |", "| --- | --- | :---: |"]
    lines += [f"| {t} | {m} | {'yes' if ok else '**no**'} |" for t, m, ok in targets]
    print("\n".join(lines[-len(targets):]))
    if args.write:
        Path(args.out).write_text("\n".join(lines) + "\n")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0 if all(ok for _, _, ok in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
