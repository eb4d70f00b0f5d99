"""The ``symparams`` command.

    symparams summary FILE [--subs NAME=VALUE ...] [--format text|json|markdown]

Bad input (a file that cannot be read, a layer that cannot take its input, a
``--subs`` that names nothing) prints one line on standard error and exits
with status 2. Set ``SYMPARAMS_DEBUG=1`` to see a traceback instead.

One module per command (``cli/summary.py``, ``cli/derive.py``...); ``cli/parser.py`` holds
the options, ``cli/options.py`` what the commands share.
"""

from __future__ import annotations

import os
import sys
from typing import Optional, Sequence

from ..core.errors import SymparamsError
from .options import parse_input_sizes, parse_limits, parse_subs, parse_symbolic, read_results  # noqa: F401
from .parser import EXIT_BAD_INPUT, build_parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.warnings, args.written = [], []
    try:
        status = args.run(args)
        for warning in [f"wrote {path}" for path in args.written] + args.warnings:
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
