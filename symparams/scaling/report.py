"""The report of ``symparams scale``: what scaling asks of one model, as data and as text."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from typing import Any, Optional

import sympy

from ..core import bounds
from . import algebra as scaling
from ..core.parse import as_expr
from ..core.units import readable_size
from ..keras.compute import CONVENTION
from ..core.dims import assume_divisible as exact_division
from .memory import training_memory
from ..core.jsonvalues import json_size
from ..results import result_of
from ..core.units import bytes_per_param


@dataclass
class ScaleReport:
    name: str
    symbols: list
    total: sympy.Expr
    leading: dict
    degree: dict
    collected: dict
    shares: list
    size: Optional[str] = None
    limit_shares: list = field(default_factory=list)
    macs: Optional[sympy.Expr] = None
    #: layers whose compute is not known, as (name, type): left out of the MACs
    not_counted: tuple = ()
    #: whether floors of divisions of sizes were taken as exact (``--assume-divisible``)
    divisible: bool = False
    flops_leading: dict = field(default_factory=dict)
    memory: dict = field(default_factory=dict)
    training: Optional[dict] = None
    solution: dict = field(default_factory=dict)
    sweep: list = field(default_factory=list)
    comparison: Optional[dict] = None
    solution_note: str = ""
    #: how the compute is counted (a config's FLOPs are Kaplan's, per token)
    convention: str = CONVENTION
    compute_heading: str = "Compute (one forward pass, one example)"
    grid: list = field(default_factory=list)
    #: the total split by the kind of part that holds it: (label, params, share)
    by_part: list = field(default_factory=list)

    @property
    def expanded(self):
        return scaling.expanded(self.total)

    def __str__(self) -> str:
        return to_text(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..render.display import mimebundle
        from ..keras.tables import md_escape
        return mimebundle("scale", self, to_text(self), md=md_escape)

    @property
    def factored(self):
        return scaling.factored(self.total)

    def to_dict(self) -> dict:
        out: dict[str, Any] = {
            "name": self.name, "symbols": self.symbols,
            "total": json_size(self.total), "expanded": str(self.expanded),
            "factored": str(self.factored),
            "leading": {k: str(v) for k, v in self.leading.items()},
            "degree": self.degree,
            "shares": {name: str(v) for name, v in self.shares},
        }
        if self.by_part:
            out["by_part"] = {label: {"params": json_size(v), "share": str(share)}
                              for label, v, share in self.by_part}
        if self.limit_shares:
            out["limit_shares"] = {"size": self.size, **{n: str(v) for n, v in self.limit_shares}}
        if self.macs is not None:
            out["macs"] = json_size(self.macs)
            out["flops"] = json_size(bounds.expand(2 * self.macs))
            out["flops_leading"] = {k: str(v) for k, v in self.flops_leading.items()}
            out["convention"] = self.convention
            if self.not_counted:
                out["not_counted"] = [{"name": n, "type": t} for n, t in self.not_counted]
        if self.memory:
            out["memory"] = {k: json_size(v) for k, v in self.memory.items()}
        if self.training:
            out["training_memory"] = {k: (json_size(v) if isinstance(v, sympy.Basic) else v)
                                      for k, v in self.training.items()}
        if self.solution:
            out["solution"] = self.solution
        if self.grid:
            out["grid"] = [{k: json_size(v) for k, v in row.items()} for row in self.grid]
        if self.sweep:
            out["sweep"] = [{k: json_size(v) for k, v in row.items()} for row in self.sweep]
        if self.comparison:
            out["comparison"] = {k: (str(v) if isinstance(v, sympy.Basic) else v)
                                 for k, v in self.comparison.items()}
        return out


def build_report(model, size: Optional[str] = None, flops: bool = False, memory: bool = False,
                 optimizer: str = "adam", precision: str = "fp32", solve: Optional[str] = None,
                 budget=None, sweep_size: Optional[str] = None, sweep_values=(),
                 other=None, assume_divisible: bool = False, multiple: int = 1,
                 budget_of: str = "params", dtype: str = "float32", grid_sizes=None) -> ScaleReport:
    """The report on a model (a :class:`~symparams.results.Result`, or a model symparams read
    or built). A model read from a config file has FLOPs per token (Kaplan's);
    ``budget_of``: what ``budget`` limits (``params``, ``flops`` or ``memory``, the weights'
    bytes at ``dtype``); ``multiple``: the solved size must be a multiple of it."""
    result = result_of(model)
    config = result.config
    exact = exact_division if assume_divisible else (lambda x: x)
    total, trainable = exact(result.total), exact(result.trainable)
    non_trainable = exact(result.non_trainable)
    groups = [replace(g, params=exact(g.params)) for g in result.groups()]
    names = result.symbols
    # Sizes the count depends on (a resolution appears in shapes but cancels here).
    in_total = sorted(s.name for s in total.free_symbols)
    if size is not None and size not in names:
        raise scaling.ScalingError(f"the total does not depend on {size!r}; its free sizes are "
                                   f"{', '.join(names) or 'none'}")
    report = ScaleReport(
        name=result.name, symbols=names, total=total, divisible=assume_divisible,
        leading=scaling.leading_terms(total),
        degree={n: scaling.degree(total, n) for n in in_total},
        collected={n: scaling.collected(total, n) for n in in_total},
        shares=scaling.shares(groups, total) if total != 0 else [],
        size=size,
    )
    if size is not None and size in in_total:
        report.limit_shares = scaling.limit_shares(groups, total, size)
    parts = [(label, exact(v)) for label, v in result.by_part()]
    if len(parts) > 1 and total != 0:
        report.by_part = [(label, v, sympy.cancel(v / total)) for label, v in parts]
    extra = {}
    if flops and config is not None:
        from ..configs.arithmetic import study
        flops_total = study(config).result("forward_flops").value
        report.macs = bounds.expand(flops_total / 2)
        report.compute_heading = "Compute (forward, per token; Kaplan et al. 2020)"
        report.convention = ("FLOPs per token = 2N + 2·n_layer·n_ctx·d_attn (Kaplan et al. 2020, Table 1): 2 per "
                             "non-embedding parameter, and the attention products over the whole context; "
                             "MACs = FLOPs/2. symparams llm shows the working.")
        report.flops_leading = {s.name: scaling.leading_term(flops_total, s.name)
                                for s in sorted(flops_total.free_symbols, key=lambda s: s.name)}
        extra["flops"] = flops_total
    elif flops:
        c = result.compute()
        # --assume-divisible: a head's width ⌊d/h⌋ is d/h in the products too
        report.macs = bounds.expand(exact(c.macs))
        report.not_counted = c.not_counted
        report.convention = c.convention
        report.compute_heading = f"Compute ({c.scope})"
        flops_total = bounds.expand(2 * c.macs)
        report.flops_leading = {s.name: scaling.leading_term(flops_total, s.name)
                                for s in sorted(flops_total.free_symbols, key=lambda s: s.name)}
        extra["flops"] = flops_total
    if memory:
        report.memory = {dtype: bounds.expand(total * bytes_per_param(dtype)) for dtype in ("fp32", "fp16", "bf16", "int8")}
        t = training_memory(trainable, non_trainable, optimizer, precision)
        report.training = {"optimizer": t.optimizer, "precision": t.precision, **t.parts()}
    if solve is not None:
        limited = {"params": total, "flops": extra.get("flops"),
                   "memory": bounds.expand(total * bytes_per_param(dtype))}[budget_of]
        if limited is None:
            raise scaling.ScalingError("a FLOP budget needs --flops")
        report.solution = {solve: scaling.solve_budget(limited, solve, budget, multiple)}
        notes = ([f"a multiple of {multiple}"] if multiple != 1 else []) + \
            ([f"{budget_of} ≤ {_t(budget)}"] if budget_of != "params" else [])
        report.solution_note = "; ".join(notes)
    if grid_sizes:
        report.grid = scaling.grid({"params": total, **extra}, grid_sizes)
    if sweep_size is not None:
        report.sweep = scaling.sweep(total, sweep_size, sweep_values, extra)
    if other is not None:
        theirs = result_of(other)
        cmp = {"other": theirs.name, "other_total": theirs.total,
               "ratio": scaling.ratio(total, theirs.total)}
        if flops:
            cmp["flops_ratio"] = scaling.ratio(report.macs, theirs.compute().macs)
        if size is not None:
            x = scaling.crossover(total, theirs.total, size)
            cmp.update({"size": size, "from": x.value, "larger": {"first": result.name,
                        "second": theirs.name}.get(x.leader, "equal")})
        report.comparison = cmp
    return report


# ---- renderings ------------------------------------------------------------------------


def _t(expr) -> str:
    from ..render.printers import TextPrinter
    return TextPrinter().doprint(as_expr(expr))


def to_text(r: ScaleReport) -> str:
    lines = [f'Model "{r.name}"' + (f" — free sizes: {', '.join(r.symbols)}" if r.symbols else ""), "",
             "Parameters",
             f"  total      = {_t(r.expanded)}"]
    # A form that reads the same as the total says nothing new: it is left out.
    if _t(r.factored) != _t(r.expanded):
        lines.append(f"  factored   = {_t(r.factored)}")
    for n, e in r.collected.items():
        if len(r.collected) > 1 and _t(e) != _t(r.expanded):
            lines.append(f"  by {n:<8} = {_t(e)}")
    if r.leading:
        lines += ["", "Leading terms (floors taken as their arguments)"]
        for n, e in r.leading.items():
            # degree 0: the total does not grow with it (n_heads only inside ⌊d_model/n_heads⌋),
            # and its "leading term" would be the whole total again
            lines.append(f"  in {n}: does not grow with it (degree 0)" if r.degree[n] == 0
                         else f"  in {n}: {_t(e)}  (degree {r.degree[n]})")
    if r.shares:
        lines += ["", "Share of each layer" + (f" (and as {r.size} → ∞)" if r.limit_shares else "")]
        limits = dict(r.limit_shares)
        width = max(len(n) for n, _ in r.shares)
        for n, v in r.shares:
            text = f"{float(v):.2%}" if v.is_number else _t(v)
            tail = f"    → {_t(limits[n])}" if n in limits else ""
            lines.append(f"  {n:<{width}}  {text}{tail}")
    if r.by_part:
        lines += ["", "Share by part (the kind of layer or block part that holds the parameters)"]
        width = max(len(n) for n, _, _ in r.by_part)
        for n, v, share in r.by_part:
            text = f"{float(share):.2%}" if share.is_number else _t(share)
            # a symbolic share is a long fraction the counts already say: it is in the JSON
            lines.append(f"  {n:<{width}}  {_t(v)}" + (f"  ({text})" if share.is_number else ""))
    if r.macs is not None:
        lines += ["", r.compute_heading,
                  f"  MACs  = {_t(r.macs)}", f"  FLOPs = {_t(2 * r.macs)}"]
        for n, e in r.flops_leading.items():
            lines.append(f"  FLOPs, leading in {n}: {_t(e)}")
        lines.append("  " + r.convention)
        if r.not_counted:
            listed = ", ".join(f"{n} ({t})" for n, t in r.not_counted)
            lines.append(f"  Not counted (symparams has no compute rule for them): {listed}")
    if r.memory:
        lines += ["", "Weights in memory (bytes)"]
        for dtype, v in r.memory.items():
            lines.append(f"  {dtype:<5} {_t(v)}{_in_units(v)}")
    if r.training:
        t = r.training
        lines += ["", f"Training memory (bytes; {t['optimizer']}, {t['precision']}; activations not included)"]
        for key in ("weights", "gradients", "master_weights", "optimizer_state", "total"):
            lines.append(f"  {key.replace('_', ' '):<16} {_t(t[key])}{_in_units(t[key])}")
    if r.solution:
        (n, v), = r.solution.items()
        lines += ["", f"Largest {n} within the budget: {n} = {v:,}"
                  + (f" ({r.solution_note})" if r.solution_note else "")]
    if r.grid:
        lines += ["", "Grid", *("  " + line for line in sweep_text(r.grid))]
    if r.comparison:
        c = r.comparison
        lines += ["", f'Compared with "{c["other"]}" ({_t(c["other_total"])} parameters)',
                  f"  ratio of parameters = {_t(c['ratio'])}"]
        if "flops_ratio" in c:
            lines.append(f"  ratio of FLOPs      = {_t(c['flops_ratio'])}")
        if c.get("from") is not None:
            lines.append(f"  from {c['size']} = {c['from']:,} on, \"{c['larger']}\" is the larger")
    if r.sweep:
        lines += ["", "Sweep", *("  " + line for line in sweep_text(r.sweep))]
    if r.divisible:
        from ..keras.tables import DIVISIBLE_NOTE
        lines.append(DIVISIBLE_NOTE)
    return "\n".join(lines)


def _in_units(v) -> str:
    """``  (474.70 MiB)`` after a number of bytes; nothing after a formula or zero."""
    v = as_expr(v)
    return f"  ({readable_size(v)})" if v.is_number and v > 0 else ""


def _cell(v) -> str:
    return f"{v:,}" if isinstance(v, int) else f"{v:g}" if isinstance(v, float) else _t(v)


def sweep_text(rows: list) -> list[str]:
    """The sweep as aligned text columns (the Markdown table is ``--format markdown``'s)."""
    keys = list(rows[0])
    cells = [[_cell(v) for v in row.values()] for row in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    lines = ["  ".join(k.rjust(w) for k, w in zip(keys, widths))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    return lines


def sweep_markdown(rows: list) -> str:
    keys = list(rows[0])
    out = ["| " + " | ".join(keys) + " |", "| " + " | ".join("---:" for _ in keys) + " |"]
    for row in rows:
        out.append("| " + " | ".join(f"{v:,}" if isinstance(v, int) else f"{v:g}" if isinstance(v, float)
                                     else _t(v) for v in row.values()) + " |")
    return "\n".join(out)


def sweep_csv(rows: list) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(rows[0]))
    for row in rows:
        writer.writerow([v if isinstance(v, int) else str(v) for v in row.values()])
    return buf.getvalue()
