"""``symparams llm``: a transformer config's scaling arithmetic."""

from __future__ import annotations

import json

from ..core.errors import SymparamsError
from .options import parse_budget, parse_subs, parse_symbolic, size_option


def run_llm(args) -> int:
    from ..configs.arithmetic import study
    from ..readers import read_file
    from ..render import render_study
    from ..core.units import DTYPE_BYTES

    if args.dtype not in DTYPE_BYTES:
        raise SymparamsError(f"--dtype {args.dtype!r}: use one of {', '.join(DTYPE_BYTES)}")
    result = read_file(args.file, parse_subs(args.subs), model=args.model,
                       symbolic=parse_symbolic(args.symbolic))
    if getattr(result, "config", None) is None:
        raise SymparamsError(f"{result.filename}: symparams llm reads config files (config.json); for model "
                             f"code use symparams summary {args.file} or symparams derive {args.file}")
    budget = None
    if args.budget is not None:
        budget = float(parse_budget(args.budget))
    st = study(result.config, dtype=args.dtype, seq_len=size_option(args.seq_len, "--seq-len"),
               batch=size_option(args.batch, "--batch"), tokens=size_option(args.tokens, "--tokens"),
               budget=budget, causal=args.causal)
    if args.format == "json":
        print(json.dumps(st.to_dict(), indent=1))
    else:
        print(render_study(st, args.format, args.templates, args.thousands).rstrip())
    return 0
