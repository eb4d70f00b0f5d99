"""A PyTorch model's summary: its modules as rows, its parameters and buffers, and totals.

PyTorch's counts: a tensor is counted once however many modules hold it (a tied
``lm_head.weight``), and buffers (BatchNorm's running statistics) are not parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import sympy

from ..jsonvalues import json_size
from .module import Module, module_type


@dataclass(frozen=True)
class TorchRow:
    name: str               # qualified, as named_modules() gives it ("layer1.0.conv1")
    type: str
    depth: int
    params: sympy.Expr      # with its children's, each tensor once
    own: sympy.Expr         # its own parameters only
    buffers: sympy.Expr     # its own buffers
    parameters: tuple       # (name, shape, trainable) of its own parameters


@dataclass(frozen=True)
class TorchSummary:
    name: str
    rows: tuple
    total: sympy.Expr
    trainable: sympy.Expr
    buffers: sympy.Expr
    tied: tuple             # (name, the earlier name of the same tensor)

    @property
    def non_trainable(self) -> sympy.Expr:
        return sympy.expand(self.total - self.trainable)

    def to_dict(self) -> dict:
        return {
            "framework": "pytorch",
            "name": self.name,
            "modules": [{
                "name": r.name, "type": r.type, "depth": r.depth,
                "params": json_size(r.params), "own_params": json_size(r.own),
                "buffers": json_size(r.buffers),
                "parameters": [{"name": n, "shape": [json_size(s) for s in shape], "trainable": t}
                               for n, shape, t in r.parameters],
            } for r in self.rows],
            "total": json_size(self.total),
            "trainable": json_size(self.trainable),
            "non_trainable": json_size(self.non_trainable),
            "buffers": json_size(self.buffers),
            "tied": [{"name": n, "same_as": f} for n, f in self.tied],
        }

    def assume_divisible(self) -> "TorchSummary":
        """Every floor or ceiling of a division of sizes taken as exact (``--assume-divisible``)."""
        from ..dims import assume_divisible as exact
        rows = tuple(TorchRow(r.name, r.type, r.depth, exact(r.params), exact(r.own), exact(r.buffers),
                              r.parameters) for r in self.rows)
        return TorchSummary(self.name, rows, exact(self.total), exact(self.trainable), exact(self.buffers),
                            self.tied)

    def memory_line(self, thousands: str, dtype: str) -> str:
        from ..tables import format_count
        from ..units import bytes_per_param, readable_bytes
        per = bytes_per_param(dtype)
        return (f"Parameter memory at {dtype}: {format_count(sympy.expand(self.total * per), thousands)} bytes"
                f" ({readable_bytes(self.total, per)})")

    def to_text(self, thousands: str = ",", dtype: str = "float32") -> str:
        from ..tables import format_count
        header = ("Module (type)", "Param #", "Buffers")
        body = [("  " * (r.depth - 1) + f"{r.name.split('.')[-1]} ({r.type})",
                 format_count(r.params, thousands), format_count(r.buffers, thousands) if r.buffers else "-")
                for r in self.rows if r.name]
        widths = [max(len(row[i]) for row in [header, *body]) for i in range(3)]

        def line(cells):
            return f"{cells[0]:<{widths[0]}}  {cells[1]:>{widths[1]}}  {cells[2]:>{widths[2]}}".rstrip()
        rule = "=" * (sum(widths) + 4)
        out = [f'Model "{self.name}" (PyTorch)', rule, line(header), rule, *map(line, body), rule,
               f"Total params: {format_count(self.total, thousands)}",
               f"Trainable params: {format_count(self.trainable, thousands)}",
               f"Non-trainable params: {format_count(self.non_trainable, thousands)}",
               f"Buffers (saved, not parameters): {format_count(self.buffers, thousands)}",
               self.memory_line(thousands, dtype)]
        for name, first in self.tied:
            out.append(f"Tied: {name} is {first}, counted once")
        out.append(rule)
        return "\n".join(out)

    def to_markdown(self, thousands: str = ",", dtype: str = "float32") -> str:
        from ..tables import format_count, md_escape
        out = [f"**Model: {md_escape(self.name)}** (PyTorch)", "", "| Module (type) | Param # | Buffers |",
               "| --- | ---: | ---: |"]
        for r in self.rows:
            if r.name:
                out.append(f"| {md_escape(r.name)} ({md_escape(r.type)}) | {format_count(r.params, thousands)} "
                           f"| {format_count(r.buffers, thousands) if r.buffers else '-'} |")
        out += ["", f"- **Total params:** {format_count(self.total, thousands)}",
                f"- **Trainable params:** {format_count(self.trainable, thousands)}",
                f"- **Non-trainable params:** {format_count(self.non_trainable, thousands)}",
                f"- **Buffers** (saved, not parameters): {format_count(self.buffers, thousands)}",
                f"- {self.memory_line(thousands, dtype)}"]
        out += [f"- Tied: `{n}` is `{f}`, counted once" for n, f in self.tied]
        return "\n".join(out) + "\n"

    def __str__(self) -> str:
        return self.to_text()


def summarize_module(model: Module, name: Optional[str] = None) -> TorchSummary:
    """The summary of a PyTorch module (``symparams.pytorch`` or read from a file)."""
    rows = []
    for qualified, m in model.named_modules():
        depth = 0 if not qualified else qualified.count(".") + 1
        own = tuple((n, p.shape, p.requires_grad) for n, p in m._parameters.items() if p is not None)
        rows.append(TorchRow(qualified, module_type(m), depth, m.count(), m.count(recurse=False),
                             m.buffer_count(recurse=False), own))
    return TorchSummary(name or module_type(model), tuple(rows), model.count(), model.trainable_count(),
                        model.buffer_count(), tuple(model.tied()))
