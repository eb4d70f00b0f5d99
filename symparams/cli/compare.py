"""``symparams compare``: two models lined up layer by layer, each difference named."""

from __future__ import annotations

from .options import parse_limits, parse_subs, split_model


def run_compare(args) -> int:
    from ..results.compare import compare
    from ..readers import read_file
    from ..render import render_comparison
    from ..results import results_of

    results = []
    for spec in (args.first, args.second):
        path, name = split_model(spec)
        read = read_file(path, parse_subs(args.subs), ignore_unused=True, limits=parse_limits(args.limit),
                         model=name if path.endswith(".json") else None)
        results.append(results_of(read, read.pick(name) if name else read.model))
    fields = None
    if all(r.config is not None for r in results):
        from ..configs.reader import field_differences
        fields = {"files": [r.config.filename for r in results],
                  "differences": field_differences(*(r.config for r in results))}
    print(render_comparison(compare(*results), args.templates, args.thousands, fields).rstrip())
    return 0
