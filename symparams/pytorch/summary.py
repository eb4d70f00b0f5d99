"""A PyTorch model's summary: its modules as rows, its parameters and buffers, and totals.

PyTorch's counts: a tensor is counted once however many modules hold it (a tied
``lm_head.weight``), and buffers (BatchNorm's running statistics) are not parameters.

The table adds up: each row's count is its children's rows plus the parameters it makes
itself (``nn.Parameter``: a ViT's ``cls_token``, MultiheadAttention's ``in_proj_weight``),
which are rows of their own beneath it, named by the parameter as torchinfo's verbose
table names them (torchinfo's plain table puts them on the module's own row, as
"leftover" parameters; a nested table needs them apart). A tensor is counted at the first
name PyTorch gives it, so a tied ``lm_head`` row counts only what it does not share.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

import sympy

from ..core.jsonvalues import json_size
from .module import Module, module_type
from .tensor import text as shape_text
from .trace import CONVENTION, Trace


@dataclass(frozen=True)
class TorchRow:
    name: str               # qualified, as named_modules() gives it ("layer1.0.conv1")
    type: str
    depth: int
    params: sympy.Expr      # with its children's, each tensor once
    own: sympy.Expr         # its own parameters only
    buffers: sympy.Expr     # its own buffers
    parameters: tuple       # (name, shape, trainable) of its own parameters
    #: with a forward pass: the output of its first call (None if never called), and the
    #: multiply-accumulates of all its calls
    output_shape: object = None
    macs: Optional[sympy.Expr] = None
    #: a row of the table for one of a module's own parameters (``TorchSummary.table``)
    is_parameter: bool = False


@dataclass(frozen=True)
class TorchSummary:
    name: str
    rows: tuple
    total: sympy.Expr
    trainable: sympy.Expr
    buffers: sympy.Expr
    tied: tuple             # (name, the earlier name of the same tensor)
    #: with a forward pass: the input shapes and the whole pass's multiply-accumulates
    input_sizes: Optional[tuple] = None
    macs: Optional[sympy.Expr] = None
    #: lines said under the title: where the model comes from (a config file's family,
    #: the defaults it used)
    about: tuple = ()
    #: the deepest rows shown (None: all), and whether alike numbered siblings fold into one
    #: row (``layers.0–31 (LlamaDecoderLayer) × 32``), as torchinfo's ``depth`` keeps a big
    #: model to a screen
    depth: Optional[int] = None
    fold: bool = False

    @property
    def non_trainable(self) -> sympy.Expr:
        return sympy.expand(self.total - self.trainable)

    @property
    def traced(self) -> bool:
        return self.input_sizes is not None

    @property
    def table(self) -> tuple:
        """The rows a table shows (the root's own row left out), adding up to the total:
        each module's count is what is counted under its name (a tensor at the first name
        PyTorch gives it), and the parameters a module with children (or the model itself)
        makes of its own follow its row, one row each, at its children's depth."""
        from ..core.dims import product
        duplicate = {name: first for name, first in self.tied}
        out = []
        for i, r in enumerate(self.rows):
            inside = r.name + "." if r.name else ""
            below = [x for x in self.rows[i + 1:] if x.name.startswith(inside)] if r.name else self.rows[1:]
            # tensors under this row that PyTorch counts under a name outside it, each once
            elsewhere = {duplicate[_joined(x.name, n)]: product(shape) for x in (r, *below)
                         for n, shape, _ in x.parameters
                         if not duplicate.get(_joined(x.name, n), inside).startswith(inside)}
            if r.name:
                out.append(replace(r, params=sympy.expand(r.params - sum(elsewhere.values(), sympy.Integer(0)))))
            if below or not r.name:
                for n, shape, trainable in r.parameters:
                    count = sympy.Integer(0) if _joined(r.name, n) in duplicate else sympy.expand(product(shape))
                    out.append(TorchRow(_joined(r.name, n), "Parameter", r.depth + 1, count, count,
                                        sympy.Integer(0), ((n, shape, trainable),), is_parameter=True))
        return tuple(out)

    def shown(self) -> tuple:
        """The table's rows to ``depth``, alike numbered siblings folded when ``fold``: each
        folded row is ``(row, repeat)``, its count the sum of theirs."""
        table = self.table
        rows = [r for r in table if self.depth is None or r.depth <= self.depth]
        if not self.fold:
            return tuple((r, 1) for r in rows)
        below = _subtrees(table)
        out: list = []
        for r in rows:
            last = out[-1] if out else None
            if last and _alike(last[0], last[2], r, below):
                first, repeat, _ = last
                params = sympy.expand(first.params + r.params)
                buffers = sympy.expand(first.buffers + r.buffers)
                out[-1] = (replace(first, params=params, buffers=buffers), repeat + 1, r)
                continue
            out.append((r, 1, r))
        return tuple((replace(r, name=_span(r.name, n)) if n > 1 else r, n) for r, n, _ in out)

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
                **({"output_shape": _json_shape(r.output_shape),
                    "macs": json_size(r.macs)} if self.traced else {}),
            } for r in self.rows],
            "total": json_size(self.total),
            "trainable": json_size(self.trainable),
            "non_trainable": json_size(self.non_trainable),
            "buffers": json_size(self.buffers),
            "tied": [{"name": n, "same_as": f} for n, f in self.tied],
            **({"about": list(self.about)} if self.about else {}),
            **({"input_size": [_json_shape(s) for s in self.input_sizes],
                "compute": {"macs": json_size(self.macs), "flops": json_size(sympy.expand(2 * self.macs)),
                            "convention": CONVENTION}} if self.traced else {}),
        }

    def assume_divisible(self) -> "TorchSummary":
        """Every floor or ceiling of a division of sizes taken as exact (``--assume-divisible``)."""
        from ..core.dims import assume_divisible as exact
        rows = tuple(TorchRow(r.name, r.type, r.depth, exact(r.params), exact(r.own), exact(r.buffers),
                              r.parameters, r.output_shape, None if r.macs is None else exact(r.macs))
                     for r in self.rows)
        return TorchSummary(self.name, rows, exact(self.total), exact(self.trainable), exact(self.buffers),
                            self.tied, self.input_sizes, None if self.macs is None else exact(self.macs),
                            self.about, self.depth, self.fold)

    def memory_line(self, thousands: str, dtype: str) -> str:
        from ..keras.tables import format_count
        from ..core.units import bytes_per_param, readable_bytes
        per = bytes_per_param(dtype)
        return (f"Parameter memory at {dtype}: {format_count(sympy.expand(self.total * per), thousands)} bytes"
                f" ({readable_bytes(self.total, per)})")

    def compute_lines(self, thousands: str) -> list[str]:
        from ..keras.tables import format_count
        if not self.traced:
            return []
        return [f"Input size: {', '.join(shape_text(s) for s in self.input_sizes)}",
                f"MACs of this forward pass: {format_count(self.macs, thousands)} "
                f"(FLOPs = 2·MACs = {format_count(sympy.expand(2 * self.macs), thousands)}; matrix products "
                "and convolutions, batch included)"]

    def to_text(self, thousands: str = ",", dtype: str = "float32") -> str:
        from ..keras.tables import format_count
        header = ("Module (type)", "Output shape", "Param #", "Buffers")
        body = [("  " * (r.depth - 1) + f"{r.name.split('.')[-1]} ({r.type})" + (f" × {n}" if n > 1 else ""),
                 "" if r.is_parameter else _shape_cell(r.output_shape),
                 format_count(r.params, thousands), format_count(r.buffers, thousands) if r.buffers else "-")
                for r, n in self.shown()]
        keep = [0, 1, 2, 3] if self.traced else [0, 2, 3]
        widths = {i: max(len(row[i]) for row in [header, *body]) for i in keep}

        def line(cells):
            return "  ".join(f"{cells[i]:<{widths[i]}}" if i < 2 else f"{cells[i]:>{widths[i]}}"
                             for i in keep).rstrip()
        rule = "=" * (sum(widths.values()) + 2 * (len(keep) - 1))
        out = [f'Model "{self.name}" (PyTorch)', *self.about, rule, line(header), rule, *map(line, body), rule,
               f"Total params: {format_count(self.total, thousands)}",
               f"Trainable params: {format_count(self.trainable, thousands)}",
               f"Non-trainable params: {format_count(self.non_trainable, thousands)}",
               f"Buffers (saved, not parameters): {format_count(self.buffers, thousands)}",
               self.memory_line(thousands, dtype), *self.compute_lines(thousands)]
        for name, first in self.tied:
            out.append(f"Tied: {name} is {first}, counted once")
        out.append(rule)
        return "\n".join(out)

    def to_markdown(self, thousands: str = ",", dtype: str = "float32") -> str:
        from ..keras.tables import format_count, md_escape
        shape = self.traced
        out = [f"**Model: {md_escape(self.name)}** (PyTorch)", "", *(f"{md_escape(a)}  " for a in self.about),
               *([""] if self.about else []),
               "| Module (type) |" + (" Output shape |" if shape else "") + " Param # | Buffers |",
               "| --- |" + (" --- |" if shape else "") + " ---: | ---: |"]
        for r, n in self.shown():
            out.append(f"| {md_escape(r.name)} ({md_escape(r.type)}){f' × {n}' if n > 1 else ''} |"
                       + (f" {'' if r.is_parameter else md_escape(_shape_cell(r.output_shape))} |" if shape else "")
                       + f" {format_count(r.params, thousands)} "
                       f"| {format_count(r.buffers, thousands) if r.buffers else '-'} |")
        out += ["", f"- **Total params:** {format_count(self.total, thousands)}",
                f"- **Trainable params:** {format_count(self.trainable, thousands)}",
                f"- **Non-trainable params:** {format_count(self.non_trainable, thousands)}",
                f"- **Buffers** (saved, not parameters): {format_count(self.buffers, thousands)}",
                f"- {self.memory_line(thousands, dtype)}", *(f"- {x}" for x in self.compute_lines(thousands))]
        out += [f"- Tied: `{n}` is `{f}`, counted once" for n, f in self.tied]
        return "\n".join(out) + "\n"

    def __str__(self) -> str:
        return self.to_text()


def summarize_module(model: Module, name: Optional[str] = None, trace: Optional[Trace] = None) -> TorchSummary:
    """The summary of a PyTorch module (``symparams.pytorch`` or read from a file); with
    the ``trace`` of a forward pass, its output shapes and compute too."""
    first = trace.first_calls() if trace is not None else {}
    macs = trace.module_macs() if trace is not None else {}
    rows = []
    for qualified, m in model.named_modules():
        depth = 0 if not qualified else qualified.count(".") + 1
        own = tuple((n, p.shape, p.requires_grad) for n, p in m._parameters.items() if p is not None)
        call = first.get(qualified)
        rows.append(TorchRow(qualified, module_type(m), depth, m.count(), m.count(recurse=False),
                             m.buffer_count(recurse=False), own,
                             call.output if call is not None else None,
                             macs.get(qualified) if trace is not None else None))
    return TorchSummary(name or module_type(model), tuple(rows), model.count(), model.trainable_count(),
                        model.buffer_count(), tuple(model.tied()),
                        trace.inputs if trace is not None else None, trace.macs if trace is not None else None)


def _alike(first: TorchRow, previous: TorchRow, row: TorchRow, below: dict) -> bool:
    """Whether ``row`` is the next numbered sibling of ``previous`` with the same modules,
    types and counts below it as ``first`` (so the three fold into one row)."""
    parent, _, index = row.name.rpartition(".")
    before, _, last = previous.name.rpartition(".")
    if not (index.isdigit() and last.isdigit() and parent == before and int(index) == int(last) + 1
            and row.type == first.type and row.depth == first.depth and not row.is_parameter):
        return False
    return below[first.name] == below[row.name]


def _subtrees(table: tuple) -> dict:
    """Each row's name → its type, count and the rows below it (relative names, types,
    counts): the table is in pre-order, so a row's subtree is the run after it."""
    out = {}
    for i, row in enumerate(table):
        inside = row.name + "."
        rows = []
        for r in table[i + 1:]:
            if not r.name.startswith(inside):
                break
            rows.append((r.name[len(inside):], r.type, r.params, r.buffers))
        out[row.name] = (row.type, row.params, tuple(rows))
    return out


def _span(name: str, repeat: int) -> str:
    parent, _, index = name.rpartition(".")
    first = int(index)
    return f"{parent}.{first}–{first + repeat - 1}" if parent else f"{first}–{first + repeat - 1}"


def _joined(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _shape_cell(shape) -> str:
    """An output as torchinfo shows it: ``[1, 64, 56, 56]``, several outputs side by side,
    ``--`` for a module never called."""
    if shape is None:
        return "--"
    if shape and isinstance(shape[0], tuple) or any(s is None or isinstance(s, tuple) for s in shape):
        return ", ".join(_shape_cell(s) for s in shape if s is not None)
    return shape_text(shape)


def _json_shape(shape):
    if shape is None:
        return None
    if any(s is None or isinstance(s, tuple) for s in shape):
        return [_json_shape(s) for s in shape]
    return [json_size(s) for s in shape]
