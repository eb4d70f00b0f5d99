"""``symparams html``: the page (diagram, summary, worked solution), or the diagram alone."""

from __future__ import annotations

import sys

from ..core.errors import SymparamsError
from .derive import with_closed_form
from .options import read_results, write_file


def run_html(args) -> int:
    from pathlib import Path
    from ..html.page import page_of, render_page
    from ..render.diagrams import render_dot, render_svg
    from ..core.units import DTYPE_BYTES

    if args.dtype not in DTYPE_BYTES:
        raise SymparamsError(f"--dtype {args.dtype!r}: use one of {', '.join(DTYPE_BYTES)}")
    result = read_results(args)[0]
    source = "standard input" if args.file == "-" else Path(args.file).name
    page = page_of(result, dtype=args.dtype, detail=args.detail, assume_divisible=args.assume_divisible,
                   source=source)
    if args.subs:
        from dataclasses import replace
        page = replace(page, derivation=with_closed_form(args, page.derivation))
    if args.format == "dot":
        text = render_dot(page.diagram, args.templates, args.thousands)
    elif args.format == "svg":
        text = render_svg(page.diagram, args.templates, args.thousands)
    else:
        from .. import __version__
        text, warning = render_page(page, args.templates, args.thousands, generator=f"symparams {__version__}")
        if warning:
            args.warnings.append(f"symparams: the page has no diagram: {warning}")
    output = args.output
    if output is None:
        output = "-" if args.file == "-" else Path(args.file).stem + "." + args.format
    if output == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        write_file(args, output, text)
    return 0
