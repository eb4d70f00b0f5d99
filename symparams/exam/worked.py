"""What a question's worked solution goes through: the layers it works out (each explained in
full unless the layer it is said to be like is among them), and the table a kind shows."""

from __future__ import annotations

from dataclasses import replace

from .draw import Variant


def solution_layers(q, d, blank=None) -> list:
    """The layers a question's worked solution goes through (one blank's of a cloze table,
    where a format asks each blank as a question of its own: its row's layer), each
    explained in full unless the layer it is said to be like is among them."""
    return _self_contained(_solution_layers(q, d, blank))


def _self_contained(layers: list) -> list:
    """A derivation says a layer is "as for dense above" when an earlier one of its kind was
    explained; a solution that leaves that one out explains this one itself."""
    shown = {l.name for l in layers}
    return [replace(l, explained_in=None) if l.explained_in and l.explained_in not in shown else l
            for l in layers]


def _solution_layers(q, d, blank=None) -> list:
    if blank is not None and blank.column == "params":
        return _named(d, blank.row)
    if q.kind in ("layer_params", "output_shape", "formula") or (q.kind == "compute" and q.layer):
        return _named(d, q.layer)
    if q.kind == "find_bug":
        return _named(d, q.facts["wrong_row"])
    if q.kind == "flatten_size":
        out = []
        for l in d.layers:
            if l.axes:
                out.append(l)
            if l.name == q.layer:
                break
        return out
    if q.kind in ("total_params", "trainable_params", "non_trainable_params", "cloze"):
        return [l for l in d.layers if l.has_weights]
    return []


def _named(d, name: str) -> list:
    """The derivation's step for the layer ``name`` (none for a PyTorch module with nothing
    to work out, such as an activation)."""
    return [l for l in d.layers if l.name == name]


def unit_heading(q) -> str:
    return q.unit.capitalize()


def kind_table(q, fmt, named=None):
    """The table a kind's solution shows (header, rows, alignment), or None; ``named(name)``
    writes a layer as the student's code shows it (its name in code, by default)."""
    f = q.facts
    named = named or fmt.code
    if q.kind in ("largest_layer", "param_free_layers"):
        rows = [[named(n), fmt.n(p)] for n, p in f.get("params", {}).items()]
        return [unit_heading(q), "Parameters"], rows, "lr"
    if q.kind == "compute":
        rows = [[named(n), fmt.n(m)] for n, m in f["rows"]]
        rows.append([fmt.text("Total"), fmt.n(f["total_macs"])])
        return [unit_heading(q), "MACs"], rows, "lr"
    return None


def version_layers(v: Variant, d) -> list:
    """Every layer some question of the version works through, each once, in model order."""
    names = {l.name for q in v.questions for l in _solution_layers(q, d)}
    return _self_contained([l for l in d.layers if l.name in names])
