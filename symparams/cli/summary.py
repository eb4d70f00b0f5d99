"""``symparams summary``: the table ``model.summary()`` prints, exact and symbolic."""

from __future__ import annotations

import json

from ..core.errors import SymparamsError
from .options import read_results


def run_summary(args) -> int:
    from ..core.units import DTYPE_BYTES

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
