"""``symparams summary``: the table ``model.summary()`` prints, exact and symbolic."""

from __future__ import annotations

import json

from ..core.errors import SymparamsError
from .options import read_results


def run_summary(args) -> int:
    from ..core.units import DTYPE_BYTES

    if args.dtype not in DTYPE_BYTES:
        raise SymparamsError(f"--dtype {args.dtype!r}: use one of {', '.join(DTYPE_BYTES)}")
    from ..readers.safetensors import is_checkpoint
    if is_checkpoint(args.file):
        return _checkpoint_summary(args)
    summaries = [r.summary for r in read_results(args)]
    if getattr(args, "depth", None) is not None:
        from dataclasses import replace
        # --depth N: every module to N levels, nothing folded (0: all levels)
        summaries = [replace(s, depth=args.depth or None, fold=False) if hasattr(s, "fold") else s
                     for s in summaries]
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


def _checkpoint_summary(args) -> int:
    """A safetensors checkpoint's tensors, read from its header (never its weights)."""
    from ..readers.safetensors import read_checkpoint
    from ..render import render_checkpoint
    checkpoint = read_checkpoint(args.file)
    if args.format == "json":
        print(json.dumps({"checkpoint": checkpoint.filename, "files": list(checkpoint.files),
                          "total": checkpoint.total, "bytes": checkpoint.nbytes,
                          "by_dtype": {d: {"params": n, "bytes": b} for d, (n, b) in checkpoint.by_dtype().items()},
                          "tensors": [{"name": t.name, "dtype": t.dtype, "shape": list(t.shape)}
                                      for t in checkpoint.tensors]}, indent=1))
    else:
        print(render_checkpoint(checkpoint, getattr(args, "templates", None), args.thousands).rstrip())
    return 0

