"""``symparams compare``: two models lined up layer by layer, each difference named."""

from __future__ import annotations

from ..core.errors import SymparamsError
from .options import parse_limits, parse_subs, split_model


def run_compare(args) -> int:
    from ..results.compare import compare
    from ..readers import read_file
    from ..render import render_comparison
    from ..results import results_of

    from ..readers.safetensors import is_checkpoint
    if is_checkpoint(args.second) or is_checkpoint(args.first):
        return _compare_checkpoint(args)
    results = []
    for spec in (args.first, args.second):
        path, name = split_model(spec)
        read = read_file(path, parse_subs(args.subs), ignore_unused=True, limits=parse_limits(args.limit),
                         model=name if path.endswith(".json") else None)
        results.append(results_of(read, read.pick(name) if name else read.model))
    if all(r.config is not None for r in results):
        return _compare_configs(results, args)
    print(render_comparison(compare(*results), args.templates, args.thousands).rstrip())
    return 0


def _compare_configs(results, args) -> int:
    """Two configs: one table of the fields that differ and one of their module groups (the
    summaries' rows, repeated layers folded), each with both counts and the difference."""
    from ..configs.reader import field_differences
    from ..render import render_config_comparison
    a, b = results
    rows_a = {r.name: (r, n) for r, n in a.summary.shown()}
    rows_b = {r.name: (r, n) for r, n in b.summary.shown()}
    groups = []
    for name in dict.fromkeys([*rows_a, *rows_b]):
        ra, rb = rows_a.get(name), rows_b.get(name)
        groups.append({"name": name, "depth": (ra or rb)[0].depth,
                       "a_type": ra[0].type if ra else None, "b_type": rb[0].type if rb else None,
                       "a": ra[0].params if ra else None, "b": rb[0].params if rb else None,
                       "repeat": (ra or rb)[1]})
    context = {"files": [r.config.filename for r in results], "names": [r.config.architecture for r in results],
               "fields": field_differences(a.config, b.config), "groups": groups,
               "totals": (a.total, b.total)}
    print(render_config_comparison(context, args.templates, args.thousands).rstrip())
    return 0


def _compare_checkpoint(args) -> int:
    """A config.json against a safetensors checkpoint: every tensor that differs, by name."""
    from ..configs.reconcile import reconcile
    from ..readers.safetensors import is_checkpoint, read_checkpoint
    from ..render import render_reconciliation
    from ..readers import read_file
    config_path, checkpoint_path = (args.second, args.first) if is_checkpoint(args.first) else \
        (args.first, args.second)
    if is_checkpoint(config_path):
        raise SymparamsError("compare a config.json with a checkpoint, or two configs; both files are checkpoints")
    path, name = split_model(config_path)
    read = read_file(path, parse_subs(args.subs), model=name)
    if getattr(read, "config", None) is None:
        raise SymparamsError(f"{path}: a checkpoint is compared with a config.json; this file is model code")
    print(render_reconciliation(reconcile(read.config, read_checkpoint(checkpoint_path)), args.templates,
                                args.thousands).rstrip())
    return 0

