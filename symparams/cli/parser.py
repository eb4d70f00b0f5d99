"""The command line: each command's options and help, and one-line usage errors."""

from __future__ import annotations

import argparse

from .compare import run_compare
from .derive import run_derive
from .exam import run_exam
from .html import run_html
from .llm import run_llm
from .scale import run_scale
from .summary import run_summary

EXIT_BAD_INPUT = 2

#: what symparams reads and what it does, as README.md opens with it
DESCRIPTION = ("Exact, symbolic sizes of neural networks, read from their source without running it: "
               "Keras code (Keras 1, 2 or 3, tf.keras, a snippet without imports), PyTorch code (nn.Module "
               "classes and their forward) and Hugging Face transformers config.json files (GPT-2, BERT, T5, "
               "Llama, Mistral, Mixtral, Qwen2). Sizes the file leaves free stay symbols.")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        self.exit(EXIT_BAD_INPUT, f"symparams: {message} (see symparams {self.prog.split()[-1]} --help)\n"
                  if " " in self.prog else f"symparams: {message} (see symparams --help)\n")


def _add_source_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="a model file: Keras code (Keras 1, 2 or 3), PyTorch code, or a transformers "
                                "config.json; - reads standard input; summary and compare also read a "
                                "checkpoint's header (model.safetensors, model.safetensors.index.json)")
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
    p.add_argument("--symbolic", metavar="NAMES",
                   help="keep these sizes free: a config's fields (--symbolic hidden_size,num_hidden_layers), "
                        "or a Python file's module-level constants, dataclass fields and keyword defaults "
                        "(--symbolic n_layer,n_embd); the others keep the file's values")
    p.add_argument("--assume", action="append", default=[], metavar="NAME=VALUE",
                   help="source code: change the machine the file is read as running on (default: a CPU "
                        "with no CUDA, no files, run as a program, an empty environment): cuda=true, "
                        "files=true, main=false, env.KERAS_BACKEND=jax")
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
    parser = _Parser(prog="symparams", description=DESCRIPTION,
                     epilog="Each command says more with --help, e.g. symparams summary --help.")
    from .. import __version__
    parser.add_argument("--version", action="version", version=f"symparams {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("summary", help="the model's summary table, as Keras's model.summary() or torchinfo "
                                       "prints it, with exact counts",
                       description="Print the model's summary table as its framework prints it (Keras's "
                                   "model.summary(); for PyTorch code and configs, torchinfo's modules with "
                                   "their parameters and buffers), with exact counts; sizes the file leaves "
                                   "free stay symbols.")
    _add_source_arguments(p)
    p.add_argument("--all", action="store_true", help="summarise every model in the file")
    p.add_argument("--depth", type=int, metavar="N",
                   help="PyTorch and configs: show modules N levels deep, repeated blocks each on its own "
                        "row (a config's summary folds them, 3 levels deep, by default; 0: every level)")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text",
                   help="text: the table (default); json: every row, weight and total, symbolic sizes as "
                        "text (docs/cli.md); markdown: the table for a notebook or a README")
    _add_number_arguments(p)
    p.set_defaults(run=run_summary)

    p = sub.add_parser("derive", help="write the worked solution: formulas, substitutions, arithmetic",
                       description="Write a step-by-step derivation of every layer's (or module's) "
                                   "parameter count and output shape: the textbook formula, the numbers, "
                                   "the arithmetic, and the totals, as LaTeX (default), Markdown or text, "
                                   "rendered through jinja2 templates.")
    _add_source_arguments(p)
    p.add_argument("--format", choices=["latex", "markdown", "text"], default="latex",
                   help="latex: for notebooks and documents (default); markdown: with $...$ math; text: "
                        "Unicode arithmetic for a terminal")
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
                       description="Algebra on the totals of any model symparams reads (Keras, PyTorch, a "
                                   "config with --symbolic fields): expanded, factored and collected forms, "
                                   "leading terms, shares, budgets, sweeps and plots, compute and memory.")
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
    p.add_argument("file", help="a Hugging Face config.json (42 model types, from gpt2 and llama to deepseek_v3 "
                                "and mamba2: docs/transformers.md lists them)")
    p.add_argument("--subs", action="append", default=[], metavar="FIELD=VALUE",
                   help="set a field, e.g. --subs hidden_size=2048; repeatable")
    p.add_argument("--symbolic", metavar="FIELDS", help="keep these size fields free, e.g. "
                   "--symbolic hidden_size,num_hidden_layers")
    p.add_argument("--model", metavar="CLASS", help="the transformers class to build (default: the file's "
                   "architectures)")
    p.add_argument("--seq-len", metavar="S", help="the sequence length for the KV cache, activations and "
                   "attention FLOPs (default: the config's context length)")
    p.add_argument("--batch", default="1", metavar="B", help="sequences per batch (default 1)")
    p.add_argument("--tokens", metavar="D", help="training tokens D for C = 6·N·D (default 20·N, N every "
                                                  "parameter as Chinchilla counts them)")
    p.add_argument("--causal", choices=("full", "half"), default="full",
                   help="attention FLOPs over the context: full counts every position as Kaplan et al. do "
                        "(default); half counts the positions a causal mask keeps, about half")
    p.add_argument("--budget", metavar="C", help="a compute budget in FLOPs, e.g. 1e21: the "
                   "compute-optimal N and D by Chinchilla's rule and fit")
    p.add_argument("--dtype", default="bf16", help="dtype of the KV cache (default bf16)")
    p.add_argument("--format", choices=["text", "markdown", "json"], default="text",
                   help="text (default); markdown, with the formulas as math; json: every result as data")
    p.add_argument("--templates", metavar="DIR", help="use the templates in DIR")
    p.add_argument("--thousands", default=",", metavar="SEP", help="thousands separator (default ',')")
    p.set_defaults(run=run_llm)

    p = sub.add_parser("exam", help="randomized exam or homework variants with worked solutions",
                       description="Draw variants of the questions in a spec (TOML), each with its own "
                                   "numbers, worked solution and misconception distractors.")
    p.add_argument("spec", nargs="?",
                   help="a question spec (TOML) whose model is Keras or PyTorch code, or a shipped spec's "
                        "name (cnn, attention, ...: --list names them)")
    p.add_argument("--list", action="store_true", help="name the specs shipped with symparams, and stop")
    p.add_argument("--variants", type=int, default=1, metavar="N", help="how many versions (default 1)")
    p.add_argument("--seed", type=int, default=0, help="the same seed gives the same files (default 0)")
    p.add_argument("--format", choices=["latex", "markdown", "moodle", "gift", "canvas", "qti", "json"],
                   default="markdown",
                   help="qti: a QTI 1.2 zip (Canvas, Blackboard, D2L) and needs -o FILE.zip")
    p.add_argument("--key", action="store_true",
                   help="LaTeX and Markdown: the answer key instead of the student sheet")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write to FILE; for LaTeX, FILE-exam.tex (students) and FILE-key.tex (answer key)")
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
                       description="Line up the layers of two model files (Keras, PyTorch or configs, in any "
                                   "pairing) and give both counts, the difference and the convention "
                                   "behind it: PyTorch's second recurrent bias, BatchNorm's statistics, "
                                   "a bias left out, PReLU's shared axes.")
    p.add_argument("first", help="a model file (Keras, PyTorch or a config.json); FILE:NAME picks a model in it")
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
