"""``symparams scale``: how parameters, compute and memory grow with the free sizes."""

from __future__ import annotations

import sys

from ..core.errors import SymparamsError
from .options import (parse_budget, parse_limits, parse_subs, parse_sweep, read_results,
                      split_model)


def run_scale(args) -> int:
    import json as _json

    from ..core import bounds
    from ..scaling import algebra as scaling
    from ..readers import read_file
    from ..results import results_of
    from ..scaling.report import build_report, sweep_csv, sweep_markdown, to_text

    sweep_size, sweep_values = parse_sweep(args.sweep) if args.sweep else (None, ())
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
    if args.solve:
        import math
        # a width the file asserts a multiple of (n_embd % n_head == 0), or a config's family requires
        multiple = math.lcm(multiple, scaling.multiple_from(result.conditions, args.solve))
        if config is not None:
            multiple = math.lcm(multiple, config.family.multiple_for(config.values, args.solve))
    grid_sizes = dict(parse_sweep(g, "--grid") for g in args.grid)
    if len(args.grid) == 1:
        raise SymparamsError("--grid sweeps two or more sizes together; for one size use --sweep "
                             f"{args.grid[0]}")
    other = None
    if args.compare:
        path, name = split_model(args.compare)
        other_result = read_file(path, parse_subs(args.subs), strict=args.strict, ignore_unused=True,
                                 limits=parse_limits(args.limit))
        args.warnings += other_result.warnings
        other = results_of(other_result, other_result.pick(name) if name else None)
    report = build_report(result, size=args.size, flops=args.flops, memory=args.memory,
                          assume_divisible=args.assume_divisible,
                          optimizer=args.optimizer, precision=args.precision, solve=args.solve,
                          budget=parse_budget(budget_text) if args.budget else None,
                          sweep_size=sweep_size, sweep_values=sweep_values, other=other,
                          multiple=multiple, budget_of=budget_of, dtype=args.dtype,
                          grid_sizes=grid_sizes)
    if args.plot:
        series = {"parameters": report.total}
        if args.flops:
            series["FLOPs (forward, one example)"] = bounds.expand(2 * report.macs)
        from ..core.parse import parse_text
        held = {k: parse_text(v, f"--subs {k}") for k, v in parse_subs(args.subs).items()}
        free = sorted({str(x) for v in series.values() for x in v.free_symbols} - {sweep_size})
        if free:  # a plot draws numbers: every size but the swept one needs a value
            raise SymparamsError(f"--plot draws numbers, and the total is still in {', '.join(free)}: give "
                                 f"{'it' if len(free) == 1 else 'them'} values, e.g. "
                                 + " ".join(f"--subs {n}=64" for n in free))
        scaling.plot(series, sweep_size, sweep_values, args.plot, title=report.name, fixed=held)
        args.written.append(args.plot)
    if args.format == "json":
        print(_json.dumps(report.to_dict(), indent=1))
    elif args.format == "markdown":
        print(sweep_markdown(report.sweep))
    elif args.format == "csv":
        sys.stdout.write(sweep_csv(report.sweep))
    else:
        print(to_text(report))
    return 0
