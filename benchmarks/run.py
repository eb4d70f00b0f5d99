#!/usr/bin/env python3
"""Benchmark symparams against building the model in real Keras, whole process each.

    python benchmarks/run.py --write     # 5 runs each, writes docs/benchmarks.md
    python benchmarks/run.py --runs 1 --no-keras    # prints the report, writes nothing

For each model file it runs, as separate processes, (a) ``symparams summary FILE``,
(b) ``symparams derive FILE`` and (c) real Keras 3 building the model and calling
``model.summary()`` (in the script's own environment, ``.cache/keras-venv``, JAX on
the CPU). It reports the median wall time with the min–max over the runs and the
peak resident memory, prints the table with the ratios side by side and checks the
targets; with ``--write`` it writes the report to ``docs/benchmarks.md`` (or ``--out
PATH``), and says so. The exit status is 1 only when a target measured is missed: one
not measured (``--no-keras`` skips Keras's side) is said as such. The machine is small
and noisy: compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tools"))
from keras_env import keras_environ, keras_python  # noqa: E402

GPT3 = ["vocab=50257", "n_ctx=2048", "d_model=12288", "n_heads=96", "n_layer=96"]

# name, file, --subs for symparams (also Keras's values), Keras can build it
MODELS = [
    ("seed 004 CNN", "tests/fixtures/models/seed_cnn_004.py", ["input_shape=(28,28,1)"], True),
    ("seed 003 Conv1D", "tests/fixtures/models/seed_conv1d.py", [], True),
    ("seed 001 CNN", "tests/fixtures/models/seed_conv_same.py", [], True),
    ("VGG16", "tests/fixtures/models/vgg16.py", [], True),
    ("ResNet-50", "tests/fixtures/models/resnet50.py", [], True),
    ("keras-io text transformer (its own layer classes)", "tests/fixtures/models/text_transformer.py", [], True),
    ("GPT-3 size, 96 layers", "examples/gpt_decoder.py", GPT3, False),
    ("MLP, 100 layers, free width", "benchmarks/models/mlp_100.py", [], True),
    ("MLP, 1000 layers, free width", "benchmarks/models/mlp_1000.py", [], True),
]
KERAS_VALUES = {"benchmarks/models/mlp_100.py": ["width=256"], "benchmarks/models/mlp_1000.py": ["width=256"]}


@dataclass
class Measure:
    times: list
    peak_kib: int
    failure: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def cell(self) -> str:
        if self.failure:
            return f"fails: {self.failure}"
        return (f"{self.median:.2f} s ({min(self.times):.2f}–{max(self.times):.2f}), "
                f"{self.peak_kib / 1024:.0f} MiB")


def measure(cmd: list, runs: int, env=None, may_fail: bool = False) -> Measure:
    """Wall time and peak resident memory of a whole process, over several runs."""
    times, peak = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            if may_fail:  # the baseline's own failure is a result worth reporting
                last = [l for l in err.strip().splitlines() if l.strip()][-1:] or ["no message"]
                return Measure([elapsed], usage.ru_maxrss, failure=last[0].strip()[:120])
            raise SystemExit(f"failed: {' '.join(cmd)}\n{err[-2000:]}")
        times.append(elapsed)
        peak = max(peak, usage.ru_maxrss)  # KiB on Linux
    return Measure(times, peak)


def symparams_cmd(sub: str, path: str, subs: list) -> list:
    exe = shutil.which("symparams") or str(Path(sys.executable).parent / "symparams")
    return [exe, sub, path] + [a for s in subs for a in ("--subs", s)] + (
        ["--format", "text"] if sub == "derive" else [])


def python_cmd(code: str) -> list:
    return [sys.executable, "-c", code]


PHASES = """
import json, time
t0 = time.perf_counter()
import symparams
from symparams.readers import read_file
t1 = time.perf_counter()
model = read_file("tests/fixtures/models/resnet50.py").model
t2 = time.perf_counter()
text = symparams.summarize(model).to_text()
t3 = time.perf_counter()
derivation = symparams.derive(model)
t4 = time.perf_counter()
out = derivation.render("text")
t5 = time.perf_counter()
print(json.dumps({"import symparams (sympy is most of it)": t1 - t0, "read the source (ast, interpret, build the graph)": t2 - t1,
                  "summary and its table": t3 - t2, "derivation as data": t4 - t3, "render it (jinja2 loaded here)": t5 - t4}))
"""


def phases(runs: int) -> dict:
    """Where the time of a ResNet-50 summary and derivation goes, phase by phase (medians)."""
    import json
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", PHASES], capture_output=True, text=True, cwd=ROOT, check=True)
        samples.append(json.loads(out.stdout))
    return {k: statistics.median(s[k] for s in samples) for k in samples[0]}


def versions(keras_py) -> dict:
    import sympy

    import symparams
    out = {"python": platform.python_version(), "symparams": symparams.__version__, "sympy": sympy.__version__}
    if keras_py:
        probe = subprocess.run([str(keras_py), "-c", "import keras, jax; print(keras.__version__, jax.__version__)"],
                               capture_output=True, text=True, env=keras_environ())
        k, j = probe.stdout.split()
        out.update({"keras": k, "jax (CPU backend)": j})
    return out


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 2**20:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores{mem}" + (f", {cpu}" if cpu else "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-keras", action="store_true", help="skip the Keras baseline")
    parser.add_argument("--write", action="store_true",
                        help="write the report to --out (default docs/benchmarks.md); without it, only print")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"), metavar="PATH",
                        help="where --write writes the report")
    args = parser.parse_args(argv)
    keras_py = None if args.no_keras else keras_python()

    rows, results = [], {}
    for name, path, subs, keras_can in MODELS:
        summary = measure(symparams_cmd("summary", path, subs), args.runs)
        derive = measure(symparams_cmd("derive", path, subs), args.runs)
        keras = None
        if keras_py and keras_can:
            values = KERAS_VALUES.get(path, subs)
            keras = measure([str(keras_py), str(HERE / "keras_summary.py"), path, *values], args.runs,
                            env=keras_environ(), may_fail=True)
        results[name] = (summary, derive, keras)
        ratio = f"{keras.median / summary.median:.1f}×" if keras and not keras.failure else "—"
        rows.append(f"| {name} | {summary.cell()} | {derive.cell()} | "
                    f"{keras.cell() if keras else 'cannot allocate' if not keras_can else 'skipped'} | "
                    f"{ratio} | {derive.median / summary.median:.2f}× |")
        print(rows[-1], flush=True)

    imp_sp = measure(python_cmd("import symparams"), args.runs * 2)
    imp_sy = measure(python_cmd("import sympy"), args.runs * 2)

    resnet_s, resnet_d, resnet_k = results["ResNet-50"]
    mlp100 = results["MLP, 100 layers, free width"][0]
    mlp1000 = results["MLP, 1000 layers, free width"][0]
    targets = [
        ("ResNet-50 summary at least 5× faster than Keras (whole process)",
         f"{resnet_k.median / resnet_s.median:.1f}×" if resnet_k and not resnet_k.failure else "not measured",
         resnet_k.median / resnet_s.median >= 5 if resnet_k and not resnet_k.failure else None),
        ("ResNet-50 summary under 150 MiB peak", f"{resnet_s.peak_kib / 1024:.0f} MiB",
         resnet_s.peak_kib / 1024 < 150),
        ("ResNet-50 derivation within 2× of its summary", f"{resnet_d.median / resnet_s.median:.2f}×",
         resnet_d.median / resnet_s.median <= 2),
        ("1,000-layer MLP within 12× of the 100-layer one", f"{mlp1000.median / mlp100.median:.2f}×",
         mlp1000.median / mlp100.median <= 12),
        ("import symparams within 1.2× of import sympy", f"{imp_sp.median / imp_sy.median:.2f}× "
         f"({imp_sp.median:.2f} s against {imp_sy.median:.2f} s)", imp_sp.median / imp_sy.median <= 1.2),
    ]
    info = versions(keras_py)
    split = phases(args.runs)
    lines = [
        "# Benchmarks", "",
        "Whole-process wall time (median of the runs, min–max in brackets) and peak resident memory "
        "of each command, on the same model files. Keras builds the model (allocating its weights) "
        "and calls `model.summary()`; symparams reads the source and prints its summary or its "
        "worked derivation (`--format text`). The machine is small and shared: read the ratios.", "",
        f"- Machine: {machine()}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in info.items()),
        f"- Runs: {args.runs} per command ({args.runs * 2} for the imports)",
        "- Rerun: `python benchmarks/run.py --write` (it creates `.cache/keras-venv` with Keras and JAX on first use)", "",
        "| model | symparams summary | symparams derive | Keras build + summary | Keras ÷ summary | derive ÷ summary |",
        "| --- | --- | --- | --- | ---: | ---: |", *rows, "",
        f"`import symparams`: {imp_sp.cell()}; `import sympy`: {imp_sy.cell()}.", "",
        "## Targets", "", "| target | measured | met |", "| --- | --- | :---: |",
        *[f"| {t} | {m} | {'—' if ok is None else 'yes' if ok else '**no**'} |" for t, m, ok in targets], "",
        "The GPT-3-sized decoder (96 layers, d_model 12,288, 175 billion parameters) is read and "
        "summarised by symparams alone: Keras would need 700 GB to allocate its weights. "
        "Keras 3 cannot build the 1,000-layer MLP at all: its graph walk (`map_graph`) recurses "
        "once per layer and passes Python's recursion limit.", "",
        "## Where the time goes", "",
        "ResNet-50, in one process, phase by phase (medians):", "",
        "| phase | time |", "| --- | ---: |",
        *[f"| {k} | {v * 1000:.0f} ms |" for k, v in split.items()], "",
        "Importing sympy is most of every run; the work itself is tens of milliseconds. What keeps "
        "it there: sizes stay expanded polynomials and nothing calls `simplify()`; the graph is "
        "ordered with an explicit stack (linear in depth, no recursion limit); `Sequential.add` "
        "calls only the new layer (Keras rebuilds the whole stack on every add, quadratic in "
        "depth); and jinja2, the readers and the renderers load only when used.", "",
        "The worked solutions' pages and time at each detail are in "
        "[benchmarks-pages.md](benchmarks-pages.md) (`python benchmarks/pages.py --write`).", "",
        "Exams (1,000 versions of a spec, drawn and written in each format) are measured by "
        "`python benchmarks/exam_speed.py`; its figures and the 5 s target are in "
        "[exam.md](exam.md#speed).", "",
    ]
    print("\n".join(f"| {t} | {m} | {'not measured' if ok is None else 'met' if ok else 'MISSED'} |"
                    for t, m, ok in targets))
    if args.write:
        Path(args.out).write_text("\n".join(lines))
        print(f"wrote {args.out}", file=sys.stderr)
    return 1 if any(ok is False for _, _, ok in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
