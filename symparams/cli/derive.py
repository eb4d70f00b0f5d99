"""``symparams derive``: the worked solution, headed by its closed form when ``--subs`` bound sizes."""

from __future__ import annotations

import sys

from ..core.errors import SymparamsError
from .options import parse_limits, parse_subs, read_results, write_file


def run_derive(args) -> int:
    from ..render import render

    result = read_results(args)[0]
    derivation = result.derive(detail=args.detail, dtype=args.dtype, assume_divisible=args.assume_divisible,
                               layers=args.layer)
    if args.subs and not args.layer:
        derivation = with_closed_form(args, derivation)
    text = render(derivation, args.format, profile=args.profile, standalone=args.standalone,
                  numbered=args.number, templates=args.templates, thousands=args.thousands)
    if args.output and args.output != "-":
        write_file(args, args.output, text)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def with_closed_form(args, derivation):
    """The derivation headed by its total in the free sizes, before ``--subs`` bound them:
    the file read again without them. Left as it is where that reading fails or is not
    the same model (a binding that is a shape, or that decides the structure)."""
    from ..core.parse import parse_text
    from ..readers import read_file
    from ..results import results_of

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
