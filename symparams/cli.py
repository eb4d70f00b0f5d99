"""The ``symparams`` command.

    symparams summary FILE [--subs NAME=VALUE ...] [--format text|json|markdown]

Bad input (a file that cannot be read, a layer that cannot take its input, a
``--subs`` that names nothing) prints one line on standard error and exits
with status 2. Set ``SYMPARAMS_DEBUG=1`` to see a traceback instead.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Optional, Sequence

from .errors import SymparamsError

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        self.exit(EXIT_BAD_INPUT, f"symparams: {message} (see symparams {self.prog.split()[-1]} --help)\n"
                  if " " in self.prog else f"symparams: {message} (see symparams --help)\n")


def parse_subs(items: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_]\w*", name) or not value.strip():
            raise SymparamsError(f"--subs {item!r}: write NAME=VALUE, e.g. --subs num_classes=10 "
                                 "or --subs input_shape=(224,224,3)")
        out[name] = value.strip()
    return out


def _add_source_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="a model file (Keras 1, 2 or 3, or PyTorch source), or - for standard input")
    p.add_argument("--subs", action="append", default=[], metavar="NAME=VALUE",
                   help="give a free name a value: a number (10, 0.75), a shape ((224,224,3)) "
                        "or an expression in other names (2*w); repeatable")
    p.add_argument("--model", metavar="NAME", help="the model to use: a variable name or a model name "
                                                  "(default: the variable `model`, else the last model built)")
    p.add_argument("--strict", action="store_true",
                   help="treat keyword arguments a layer does not take as errors, not warnings")
    p.add_argument("--assume-divisible", action="store_true",
                   help="take every floor or ceiling of a division of sizes as exact (d_model // n_heads "
                        "as d_model / n_heads), as a textbook writes it; the output says so")
    p.add_argument("--input-shape", metavar="SHAPE",
                   help="the input (without the batch axis) of a model the file never gives one, "
                        "e.g. --input-shape 28,28,1 for a subclassed model or a Sequential without input_shape")
    p.add_argument("--input-size", action="append", default=[], metavar="SIZES",
                   help="PyTorch: the input of one forward pass, batch included, e.g. --input-size "
                        "1,3,224,224 (names stay free: 1,seq_len); repeat it for a model of several inputs")
    p.add_argument("--symbolic", metavar="FIELDS",
                   help="config files: keep these size fields free, e.g. --symbolic hidden_size,num_hidden_layers "
                        "(the others keep the file's values)")
    p.add_argument("--dialect", choices=("keras", "torch"),
                   help="read the file as Keras or as PyTorch code (default: PyTorch if it imports torch)")
    p.add_argument("--keras", type=int, choices=(1, 2, 3), metavar="{1,2,3}",
                   help="which Keras the file was written for (default: guessed from its spellings "
                        "and imports); decides e.g. GRU's reset_after")
    p.add_argument("--limit", action="append", default=[], metavar="NAME=VALUE",
                   help="raise or lower one of the reader's limits, e.g. --limit seconds=30 or "
                        "--limit layers=5000 (see docs/reader.md); repeatable")


def _add_number_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dtype", default="float32", help="dtype for the memory figures (default float32)")
    p.add_argument("--thousands", default=",", metavar="SEP",
                   help="thousands separator (default ','; '' for none)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symparams", description="Exact, symbolic parameter counts of Keras models, "
                                                    "read from their source without running it.")
    from . import __version__
    parser.add_argument("--version", action="version", version=f"symparams {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("summary", help="print the model's summary, like model.summary()",
                       description="Print the summary Keras's model.summary() prints, with exact "
                                   "counts; sizes the file leaves free stay symbols.")
    _add_source_arguments(p)
    p.add_argument("--all", action="store_true", help="summarise every model in the file")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    _add_number_arguments(p)
    p.set_defaults(run=run_summary)

    p = sub.add_parser("derive", help="write the worked solution: formulas, substitutions, arithmetic",
                       description="Write a step-by-step derivation of every layer's parameter count "
                                   "and output shape, rendered through jinja2 templates.")
    _add_source_arguments(p)
    p.add_argument("--format", choices=["latex", "markdown", "text"], default="latex")
    p.add_argument("--profile", choices=["notebook", "document"], default="notebook",
                   help="LaTeX for notebooks and web pages ($$aligned$$ blocks; the default) "
                        "or for documents (align environments)")
    p.add_argument("--standalone", action="store_true",
                   help="a complete LaTeX document that pdflatex compiles (implies --profile document)")
    p.add_argument("--number", action="store_true",
                   help="number each layer's equation and refer to them from the totals (LaTeX documents)")
    p.add_argument("--detail", choices=("summary", "standard", "full"), default="standard",
                   help="how much is worked out: summary (the table, and formulas only for layers with "
                        "parameters), standard (each distinct layer once; repeats in one line), full (every layer)")
    p.add_argument("--layer", action="append", default=[], metavar="NAME",
                   help="derive only this layer (repeatable); totals still cover the model")
    p.add_argument("--templates", metavar="DIR", help="use the templates in DIR (copy templates/ to start)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    _add_number_arguments(p)
    p.set_defaults(run=run_derive)

    p = sub.add_parser("html", help="one self-contained HTML page: the model's diagram, summary and worked "
                                    "solution",
                       description="Write one HTML page that works offline: a diagram of the model (laid "
                                   "out by Graphviz), its summary table and its worked solution with "
                                   "typeset math (MathML). --format svg or dot writes the diagram alone.")
    _add_source_arguments(p)
    p.add_argument("--format", choices=["html", "svg", "dot"], default="html",
                   help="html: the page (default); svg: the diagram, laid out by Graphviz; dot: the "
                        "diagram as Graphviz DOT, which needs no Graphviz")
    p.add_argument("--detail", choices=("summary", "standard", "full"), default="standard",
                   help="how much the worked solution works out (as for derive)")
    p.add_argument("--templates", metavar="DIR", help="use the templates in DIR (copy templates/ to start)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="where to write (default: the model file's name with .html, .svg or .dot, in "
                        "the current directory; - for standard output)")
    _add_number_arguments(p)
    p.set_defaults(run=run_html)

    p = sub.add_parser("scale", help="how parameters, compute and memory grow with the free sizes",
                       description="Algebra on the model's totals: expanded, factored and collected "
                                   "forms, leading terms, shares, budgets, sweeps, compute and memory.")
    _add_source_arguments(p)
    p.add_argument("--in", dest="size", metavar="SIZE",
                   help="the size to study: shares as it grows without bound, crossover with --compare")
    p.add_argument("--flops", action="store_true", help="add MACs and FLOPs (FLOPs = 2·MACs)")
    p.add_argument("--memory", action="store_true", help="add weight and training memory")
    p.add_argument("--optimizer", default="adam", choices=["sgd", "momentum", "adam", "adamw"],
                   help="optimizer state for the training memory (default adam)")
    p.add_argument("--precision", default="fp32", choices=["fp32", "mixed-fp16", "mixed-bf16"],
                   help="training precision (mixed keeps fp32 master weights)")
    p.add_argument("--budget", metavar="N", help="a budget for --solve: parameters (1e6), or flops=F (forward "
                   "FLOPs; per token for a config), or memory=BYTES (the weights at --dtype, e.g. memory=16e9)")
    p.add_argument("--dtype", default="float32", help="dtype of a memory= budget (default float32)")
    p.add_argument("--multiple-of", type=int, default=1, metavar="M",
                   help="--solve gives a multiple of M (e.g. 64); for a config's width, also of the head count")
    p.add_argument("--grid", action="append", default=[], metavar="SIZE=V1,V2,...",
                   help="a table over every combination of several sizes; repeat it, e.g. "
                        "--grid n_layer=12,24 --grid n_embd=768,1024")
    p.add_argument("--solve", metavar="SIZE", help="the largest integer SIZE whose total is within --budget")
    p.add_argument("--sweep", metavar="SIZE=V1,V2,...", help="the totals at several values of a size")
    p.add_argument("--compare", metavar="FILE[:MODEL]",
                   help="another model (a file, optionally :MODEL in it): ratio of totals (and FLOPs "
                        "with --flops), and with --in where one overtakes the other")
    p.add_argument("--plot", metavar="FILE", help="a log-log plot of the --sweep, .png or .svg "
                                                 "(needs matplotlib: pip install 'symparams[plot]')")
    p.add_argument("--format", choices=["text", "json", "markdown", "csv"], default="text",
                   help="markdown and csv print the --sweep table")
    p.set_defaults(run=run_scale)

    p = sub.add_parser("llm", help="a transformer config's scaling arithmetic: N, FLOPs per token, training "
                       "compute, Chinchilla, KV cache, activations, memory",
                       description="The scaling papers' arithmetic on a Hugging Face config.json, each result "
                                   "a formula in the config's fields with its working and its source.")
    p.add_argument("file", help="a Hugging Face config.json (gpt2, bert, t5, llama, mistral, mixtral, qwen2)")
    p.add_argument("--subs", action="append", default=[], metavar="FIELD=VALUE",
                   help="set a field, e.g. --subs hidden_size=2048; repeatable")
    p.add_argument("--symbolic", metavar="FIELDS", help="keep these size fields free, e.g. "
                   "--symbolic hidden_size,num_hidden_layers")
    p.add_argument("--model", metavar="CLASS", help="the transformers class to build (default: the file's "
                   "architectures)")
    p.add_argument("--seq-len", metavar="S", help="the sequence length for the KV cache, activations and "
                   "attention FLOPs (default: the config's context length)")
    p.add_argument("--batch", default="1", metavar="B", help="sequences per batch (default 1)")
    p.add_argument("--tokens", metavar="D", help="training tokens D for C = 6·N·D (default 20·N, Chinchilla)")
    p.add_argument("--budget", metavar="C", help="a compute budget in FLOPs, e.g. 1e21: the "
                   "compute-optimal N and D by Chinchilla's rule and fit")
    p.add_argument("--dtype", default="bf16", help="dtype of the KV cache (default bf16)")
    p.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    p.add_argument("--templates", metavar="DIR", help="use the templates in DIR")
    p.add_argument("--thousands", default=",", metavar="SEP", help="thousands separator (default ',')")
    p.set_defaults(run=run_llm)

    p = sub.add_parser("exam", help="randomized exam or homework variants with worked solutions",
                       description="Draw variants of the questions in a spec (TOML), each with its own "
                                   "numbers, worked solution and misconception distractors.")
    p.add_argument("spec", help="a question spec (TOML); examples in templates/exam/")
    p.add_argument("--variants", type=int, default=1, metavar="N", help="how many versions (default 1)")
    p.add_argument("--seed", type=int, default=0, help="the same seed gives the same files (default 0)")
    p.add_argument("--format", choices=["latex", "markdown", "moodle", "gift", "canvas", "qti", "json"],
                   default="markdown",
                   help="qti: a QTI 1.2 zip (Canvas, Blackboard, D2L) and needs -o FILE.zip")
    p.add_argument("--key", action="store_true",
                   help="LaTeX and Markdown: the answer key instead of the student sheet")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write to FILE; for LaTeX, FILE.tex (students) and FILE-key.tex (answer key)")
    p.add_argument("--report", action="store_true",
                   help="print the variant report (distinct answers, rejections, answer positions, "
                        "spread) on standard error")
    p.add_argument("--templates", metavar="DIR", help="use the templates in DIR")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="processes that write the versions (default: one for each CPU; the files "
                        "are the same for any number)")
    p.set_defaults(run=run_exam)

    p = sub.add_parser("compare", help="two models side by side: the same architecture in Keras and "
                                       "PyTorch, each difference with its convention",
                       description="Line up the layers of two model files (Keras or PyTorch, in any "
                                   "pairing) and give both counts, the difference and the convention "
                                   "behind it: PyTorch's second recurrent bias, BatchNorm's statistics, "
                                   "a bias left out, PReLU's shared axes.")
    p.add_argument("first", help="a model file (Keras or PyTorch); FILE:NAME picks a model in it")
    p.add_argument("second", help="the model file to compare it with")
    p.add_argument("--subs", action="append", default=[], metavar="NAME=VALUE",
                   help="give a free name a value, in both files (each takes the names it uses)")
    p.add_argument("--limit", action="append", default=[], metavar="NAME=VALUE",
                   help="raise one of the reader's limits, in both files")
    p.add_argument("--templates", metavar="DIR", help="use the templates in DIR")
    p.add_argument("--thousands", default=",", metavar="SEP",
                   help="thousands separator (default ','; '' for none)")
    p.set_defaults(run=run_compare)
    return parser


def parse_input_sizes(items: Sequence[str]) -> list:
    """``--input-size 1,3,224,224``: one shape per flag, each size a number or a name."""
    from .parse import as_expr, parse_text

    shapes = []
    for item in items or ():
        parts = [p.strip() for p in item.strip().strip("()[]").split(",") if p.strip()]
        if not parts:
            raise SymparamsError(f"--input-size {item!r}: write the sizes with commas, e.g. --input-size 1,3,224,224")
        shape = []
        for part in parts:
            value = parse_text(part, f"--input-size {item}")
            value = None if isinstance(value, (tuple, bool)) else as_expr(value)
            if value is None or (value.is_number and not (value.is_Integer and value > 0)):
                raise SymparamsError(f"--input-size {item!r}: each size must be a positive whole number "
                                     "or a name, e.g. --input-size 1,3,224,224")
            shape.append(value)
        shapes.append(tuple(shape))
    return shapes


def parse_symbolic(text: Optional[str]) -> list:
    """``--symbolic hidden_size,num_hidden_layers`` as field names."""
    if not text:
        return []
    names = [n.strip() for n in text.split(",") if n.strip()]
    for name in names:
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise SymparamsError(f"--symbolic {text!r}: give field names separated by commas, "
                                 "e.g. --symbolic hidden_size,num_hidden_layers")
    return names


def parse_limits(items: Sequence[str]):
    from .readers.limits import Limits

    values: dict[str, str] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise SymparamsError(f"--limit {item!r}: write NAME=VALUE, e.g. --limit seconds=30")
        values[name.strip()] = value.strip()
    return Limits().with_values(values)


def read_results(args) -> list:
    """The models of ``args.file`` as results (:class:`symparams.results.Result`): every
    model with ``--all``, else the one ``--model`` names or the file's model. The reader's
    warnings and notes join ``args.warnings``, shown once the command has succeeded."""
    from .readers import read_file
    from .results import results_of

    every = getattr(args, "all", False)
    result = read_file(args.file, parse_subs(args.subs), strict=args.strict,
                       limits=parse_limits(args.limit), input_shape=args.input_shape, keras=args.keras,
                       dialect=args.dialect, input_size=parse_input_sizes(args.input_size),
                       model=None if every else args.model,
                       symbolic=parse_symbolic(getattr(args, "symbolic", None)))
    args.warnings += list(result.warnings) + [f"{result.filename}: note: {n}" for n in result.notes]
    models = result.all() if every else [result.pick(args.model) if args.model else result.model]
    return [results_of(result, m) for m in models]


def run_summary(args) -> int:
    from .units import DTYPE_BYTES

    if args.dtype not in DTYPE_BYTES:
        raise SymparamsError(f"--dtype {args.dtype!r}: use one of {', '.join(DTYPE_BYTES)}")
    summaries = [r.summary for r in read_results(args)]
    if args.assume_divisible:
        summaries = [s.assume_divisible() for s in summaries]
    if args.format == "json":
        data = [s.to_dict() for s in summaries]
        print(json.dumps(data[0] if len(data) == 1 and not args.all else data, indent=1))
    elif args.format == "markdown":
        print("\n\n".join(s.to_markdown(args.thousands, args.dtype) for s in summaries))
    else:
        print("\n\n".join(s.to_text(args.thousands, args.dtype) for s in summaries))
    return 0


def run_derive(args) -> int:
    from .render import render

    result = read_results(args)[0]
    derivation = result.derive(detail=args.detail, dtype=args.dtype, assume_divisible=args.assume_divisible,
                               layers=args.layer)
    if args.subs and not args.layer:
        derivation = _with_closed_form(args, derivation)
    text = render(derivation, args.format, profile=args.profile, standalone=args.standalone,
                  numbered=args.number, templates=args.templates, thousands=args.thousands)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise SymparamsError(f"{args.output}: cannot write: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def run_html(args) -> int:
    from pathlib import Path
    from .page import page_of, render_page
    from .render.diagrams import render_dot, render_svg
    from .units import DTYPE_BYTES

    if args.dtype not in DTYPE_BYTES:
        raise SymparamsError(f"--dtype {args.dtype!r}: use one of {', '.join(DTYPE_BYTES)}")
    result = read_results(args)[0]
    source = "standard input" if args.file == "-" else Path(args.file).name
    page = page_of(result, dtype=args.dtype, detail=args.detail, assume_divisible=args.assume_divisible,
                   source=source)
    if args.subs:
        from dataclasses import replace
        page = replace(page, derivation=_with_closed_form(args, page.derivation))
    if args.format == "dot":
        text = render_dot(page.diagram, args.templates, args.thousands)
    elif args.format == "svg":
        text = render_svg(page.diagram, args.templates, args.thousands)
    else:
        from . import __version__
        text, warning = render_page(page, args.templates, args.thousands, generator=f"symparams {__version__}")
        if warning:
            args.warnings.append(f"symparams: the page has no diagram: {warning}")
    output = args.output
    if output is None:
        output = "-" if args.file == "-" else Path(args.file).stem + "." + args.format
    if output == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        _write_file(output, text)
        args.warnings.insert(0, f"wrote {output}")
    return 0


def _with_closed_form(args, derivation):
    """The derivation headed by its total in the free sizes, before ``--subs`` bound them:
    the file read again without them. Left as it is where that reading fails or is not
    the same model (a binding that is a shape, or that decides the structure)."""
    from .parse import parse_text
    from .readers import read_file
    from .results import results_of

    try:
        free = read_file(args.file, {}, strict=False, limits=parse_limits(args.limit),
                         input_shape=args.input_shape, keras=args.keras)
        model = free.pick(args.model) if args.model else free.model
        values = {name: parse_text(text, f"--subs {name}") for name, text in parse_subs(args.subs).items()}
        if any(isinstance(v, tuple) for v in values.values()):
            return derivation
        return derivation.with_closed_form(results_of(free, model).total, values)
    except (SymparamsError, ValueError):
        return derivation


def _parse_sweep(text: str):
    name, sep, values = text.partition("=")
    try:
        numbers = [int(v) if re.fullmatch(r"\s*-?\d+\s*", v) else float(v)
                   for v in values.split(",") if v.strip()]
    except ValueError:
        numbers = []
    if not sep or not re.fullmatch(r"[A-Za-z_]\w*", name.strip()) or not numbers:
        raise SymparamsError(f"--sweep {text!r}: write SIZE=V1,V2,..., e.g. --sweep w=16,32,64")
    bad = [v for v in numbers if v <= 0]
    if bad:
        raise SymparamsError(f"--sweep {name}: sizes must be positive, got {bad[0]}")
    return name.strip(), numbers


def _split_model(spec: str):
    """``FILE`` or ``FILE:MODEL`` (a variable or model name in that file)."""
    path, sep, name = spec.rpartition(":")
    if sep and re.fullmatch(r"[A-Za-z_]\w*", name) and not os.path.exists(spec):
        return path, name
    return spec, None


def _parse_budget(text: str):
    from .parse import as_expr
    try:
        value = as_expr(float(text)) if re.fullmatch(r"[\d.eE+]+", text) else None
    except (ValueError, OverflowError, SymparamsError):
        value = None
    if value is None or value <= 0:
        raise SymparamsError(f"--budget {text!r}: give a positive number, e.g. 1e6")
    return value



def run_compare(args) -> int:
    from .compare import compare
    from .readers import read_file
    from .render import render_comparison
    from .results import results_of

    results = []
    for spec in (args.first, args.second):
        path, name = _split_model(spec)
        read = read_file(path, parse_subs(args.subs), ignore_unused=True, limits=parse_limits(args.limit),
                         model=name if path.endswith(".json") else None)
        results.append(results_of(read, read.pick(name) if name else read.model))
    fields = None
    if all(r.config is not None for r in results):
        from .configs.reader import field_differences
        fields = {"files": [r.config.filename for r in results],
                  "differences": field_differences(*(r.config for r in results))}
    print(render_comparison(compare(*results), args.templates, args.thousands, fields).rstrip())
    return 0


def run_scale(args) -> int:
    import json as _json

    from . import bounds, scaling
    from .readers import read_file
    from .results import results_of
    from .scale_report import build_report, sweep_csv, sweep_markdown, to_text

    sweep_size, sweep_values = _parse_sweep(args.sweep) if args.sweep else (None, ())
    if (args.budget is None) != (args.solve is None):
        raise SymparamsError("--budget and --solve go together: --budget 1e6 --solve w")
    if args.format in ("markdown", "csv") and not args.sweep:
        raise SymparamsError(f"--format {args.format} prints the --sweep table: add --sweep SIZE=V1,V2,...")
    if args.plot and not args.sweep:
        raise SymparamsError("--plot draws the --sweep: add --sweep SIZE=V1,V2,...")
    result = read_results(args)[0]
    config = result.config
    budget_of, budget_text = "params", args.budget
    if args.budget and "=" in args.budget:
        budget_of, _, budget_text = args.budget.partition("=")
        budget_of = budget_of.strip()
        if budget_of not in ("params", "flops", "memory"):
            raise SymparamsError(f"--budget {args.budget!r}: a budget is of params, flops or memory, "
                                 "e.g. --budget flops=2e9")
    multiple = args.multiple_of
    if config is not None and args.solve:
        import math
        multiple = math.lcm(multiple, config.family.multiple_for(config.values, args.solve))
    grid_sizes = dict(_parse_sweep(g) for g in args.grid)
    if len(args.grid) == 1:
        raise SymparamsError("--grid sweeps two or more sizes together; for one size use --sweep "
                             f"{args.grid[0]}")
    other = None
    if args.compare:
        path, name = _split_model(args.compare)
        other_result = read_file(path, parse_subs(args.subs), strict=args.strict, ignore_unused=True,
                                 limits=parse_limits(args.limit))
        args.warnings += other_result.warnings
        other = results_of(other_result, other_result.pick(name) if name else None)
    report = build_report(result, size=args.size, flops=args.flops, memory=args.memory,
                          assume_divisible=args.assume_divisible,
                          optimizer=args.optimizer, precision=args.precision, solve=args.solve,
                          budget=_parse_budget(budget_text) if args.budget else None,
                          sweep_size=sweep_size, sweep_values=sweep_values, other=other,
                          multiple=multiple, budget_of=budget_of, dtype=args.dtype,
                          grid_sizes=grid_sizes)
    if args.plot:
        series = {"parameters": report.total}
        if args.flops:
            series["FLOPs (forward, one example)"] = bounds.expand(2 * report.macs)
        from .parse import parse_text
        held = {k: parse_text(v, f"--subs {k}") for k, v in parse_subs(args.subs).items()}
        scaling.plot(series, sweep_size, sweep_values, args.plot, title=report.name, fixed=held)
    if args.format == "json":
        print(_json.dumps(report.to_dict(), indent=1))
    elif args.format == "markdown":
        print(sweep_markdown(report.sweep))
    elif args.format == "csv":
        sys.stdout.write(sweep_csv(report.sweep))
    else:
        print(to_text(report))
    return 0


def _size_option(text: Optional[str], option: str):
    """A size given on the command line (``--seq-len 4096``, ``--seq-len s``), never evaluated."""
    if text is None:
        return None
    from .parse import as_expr, parse_text
    value = parse_text(text, option)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, tuple):
        value = as_expr(value)
    if isinstance(value, tuple) or (value.is_number and (not value.is_positive)):
        raise SymparamsError(f"{option} {text!r}: give a positive number or a name, e.g. {option} 4096")
    return value


def run_llm(args) -> int:
    from .configs.arithmetic import study
    from .readers import read_file
    from .render import render_study
    from .units import DTYPE_BYTES

    if args.dtype not in DTYPE_BYTES:
        raise SymparamsError(f"--dtype {args.dtype!r}: use one of {', '.join(DTYPE_BYTES)}")
    result = read_file(args.file, parse_subs(args.subs), model=args.model,
                       symbolic=parse_symbolic(args.symbolic))
    if getattr(result, "config", None) is None:
        raise SymparamsError(f"{result.filename}: symparams llm reads config files (config.json); for model "
                             f"code use symparams summary {args.file} or symparams derive {args.file}")
    budget = None
    if args.budget is not None:
        budget = float(_parse_budget(args.budget))
    st = study(result.config, dtype=args.dtype, seq_len=_size_option(args.seq_len, "--seq-len"),
               batch=_size_option(args.batch, "--batch"), tokens=_size_option(args.tokens, "--tokens"),
               budget=budget)
    if args.format == "json":
        print(json.dumps(st.to_dict(), indent=1))
    else:
        print(render_study(st, args.format, args.templates, args.thousands).rstrip())
    return 0


def run_exam(args) -> int:
    from . import exam

    if args.jobs is not None and args.jobs < 1:
        raise SymparamsError(f"--jobs {args.jobs}: give at least 1 process, or leave --jobs out "
                             "for one for each CPU")
    spec = exam.Spec.from_toml(args.spec)
    variants, report = exam.draw(spec, args.variants, seed=args.seed)
    if args.report:
        for line in report.lines():
            print(line, file=sys.stderr)
    if args.format == "latex" and args.output:
        base = args.output[:-4] if args.output.endswith(".tex") else args.output
        for path, key in ((f"{base}.tex", False), (f"{base}-key.tex", True)):
            _write_file(path, exam.write(spec, variants, "latex", key=key, templates=args.templates,
                                         jobs=args.jobs))
        return 0
    text = exam.write(spec, variants, args.format, key=args.key, templates=args.templates, seed=args.seed,
                      jobs=args.jobs)
    if isinstance(text, bytes):
        if not args.output or args.output == "-":
            raise SymparamsError("a QTI package is a zip file: give it a name with -o, such as -o quiz.zip")
        try:
            with open(args.output, "wb") as fh:
                fh.write(text)
        except OSError as exc:
            raise SymparamsError(f"{args.output}: cannot write: {exc.strerror or exc}") from None
        return 0
    if args.output:
        _write_file(args.output, text)
    else:
        sys.stdout.write(text)
    return 0


def _write_file(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise SymparamsError(f"{path}: cannot write: {exc.strerror or exc}") from None


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.warnings = []
    try:
        status = args.run(args)
        for warning in args.warnings:
            print(warning, file=sys.stderr)
        return status
    except SymparamsError as exc:
        if os.environ.get("SYMPARAMS_DEBUG"):
            raise
        print(f"symparams: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug in symparams, not bad input
        if os.environ.get("SYMPARAMS_DEBUG"):
            raise
        print(f"symparams: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
              "(set SYMPARAMS_DEBUG=1 for the traceback, and please report it)", file=sys.stderr)
        return 1


def _one_line(text: str) -> str:
    return " ".join(text.split())


if __name__ == "__main__":
    sys.exit(main())
