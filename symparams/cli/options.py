"""What the commands share: the options' values parsed, the model file read into results,
and files written."""

from __future__ import annotations

import math
import os
import re
from typing import Optional, Sequence

from ..core.errors import SymparamsError


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


def parse_input_sizes(items: Sequence[str]) -> list:
    """``--input-size 1,3,224,224``: one shape per flag, each size a number or a name."""
    from ..core.parse import as_expr, parse_text

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
    from ..readers.python.limits import Limits

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
    from ..readers import read_file
    from ..readers.python.environment import parse_assume
    from ..results import results_of

    every = getattr(args, "all", False)
    result = read_file(args.file, parse_subs(args.subs), strict=args.strict,
                       limits=parse_limits(args.limit), input_shape=args.input_shape, keras=args.keras,
                       dialect=args.dialect, input_size=parse_input_sizes(args.input_size),
                       model=None if every else args.model,
                       symbolic=parse_symbolic(getattr(args, "symbolic", None)),
                       machine=parse_assume(args.assume) if getattr(args, "assume", None) else None)
    args.warnings += list(result.warnings) + [f"{result.filename}: note: {n}" for n in result.notes]
    models = result.all() if every else [result.pick(args.model) if args.model else result.model]
    return [results_of(result, m) for m in models]


def parse_sweep(text: str, option: str = "--sweep"):
    name, sep, values = text.partition("=")
    try:
        numbers = [int(v) if re.fullmatch(r"\s*-?\d+\s*", v) else float(v)
                   for v in values.split(",") if v.strip()]
    except ValueError:
        numbers = []
    if not sep or not re.fullmatch(r"[A-Za-z_]\w*", name.strip()) or not numbers:
        raise SymparamsError(f"{option} {text!r}: write SIZE=V1,V2,..., e.g. {option} w=16,32,64")
    bad = [v for v in numbers if not 0 < v < math.inf]
    if bad:
        raise SymparamsError(f"{option} {name}: sizes must be positive and finite, got {bad[0]}")
    return name.strip(), numbers


def split_model(spec: str):
    """``FILE`` or ``FILE:MODEL`` (a variable or model name in that file)."""
    path, sep, name = spec.rpartition(":")
    if sep and re.fullmatch(r"[A-Za-z_]\w*", name) and not os.path.exists(spec):
        return path, name
    return spec, None


def parse_budget(text: str):
    from ..core.parse import as_expr
    try:
        value = as_expr(float(text)) if re.fullmatch(r"[\d.eE+]+", text) else None
    except (ValueError, OverflowError, SymparamsError):
        value = None
    if value is None or value <= 0:
        raise SymparamsError(f"--budget {text!r}: give a positive number, e.g. 1e6")
    return value


def size_option(text: Optional[str], option: str):
    """A size given on the command line (``--seq-len 4096``, ``--seq-len s``), never evaluated."""
    if text is None:
        return None
    from ..core.parse import as_expr, parse_text
    value = parse_text(text, option)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, tuple):
        value = as_expr(value)
    if isinstance(value, tuple) or (value.is_number and (not value.is_positive)):
        raise SymparamsError(f"{option} {text!r}: give a positive number or a name, e.g. {option} 4096")
    return value


def write_file(args, path: str, content) -> None:
    """Write text (or a zip's bytes) to ``path``; the command then says ``wrote PATH`` on
    standard error, so a file never appears (or changes) unannounced."""
    try:
        if isinstance(content, bytes):
            with open(path, "wb") as fh:
                fh.write(content)
        else:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(content)
    except OSError as exc:
        raise SymparamsError(f"{path}: cannot write: {exc.strerror or exc}") from None
    args.written.append(path)
