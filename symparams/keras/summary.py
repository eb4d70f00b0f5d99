"""Summaries: the rows ``model.summary()`` prints, as data, and their renderings.

A :class:`Summary` holds exact sympy values. ``subs`` binds sizes and gives
another Summary; ``to_dict`` is the JSON contract of ``symparams summary
--format json``; ``to_text`` and ``to_markdown`` are tables for people.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Optional

import sympy

from ..core import bounds
from ..core.dims import Shape, substitute, substitute_shape
from ..core.bindings import normalize_bindings
from ..core.jsonvalues import json_size
from ..core.units import bytes_per_param
from .layers.base import Layer, Weight

ZERO = sympy.Integer(0)



@dataclass(frozen=True)
class Row:
    """One line of the summary: a layer as Keras lists it."""

    name: str
    type: str
    output_shapes: tuple[Shape, ...]
    params: sympy.Expr
    trainable: sympy.Expr
    non_trainable: sympy.Expr
    weights: tuple[Weight, ...]
    inbound: tuple[str, ...]
    #: Keras's "Connected to" cells: ``dense[0][0]``
    connections: tuple[str, ...]
    layer: Optional[Layer] = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Summary:
    name: str
    rows: tuple[Row, ...]
    total: sympy.Expr
    trainable: sympy.Expr
    non_trainable: sympy.Expr
    #: whether Keras would print the "Connected to" column
    connected: bool = False
    bindings: Mapping[str, sympy.Expr] = field(default_factory=dict)
    #: whether floors of divisions of sizes were taken as exact (``--assume-divisible``)
    divisible: bool = False

    # ---- Keras-like names ---------------------------------------------------
    @property
    def total_params(self) -> sympy.Expr:
        return self.total

    @property
    def trainable_params(self) -> sympy.Expr:
        return self.trainable

    @property
    def non_trainable_params(self) -> sympy.Expr:
        return self.non_trainable

    @property
    def free_symbols(self) -> set[sympy.Symbol]:
        found: set[sympy.Symbol] = set()
        for row in self.rows:
            for value in (row.params, *[s for shape in row.output_shapes for s in shape]):
                if isinstance(value, sympy.Basic):
                    found |= value.free_symbols
        for value in (self.total, self.trainable, self.non_trainable):
            found |= value.free_symbols
        return found

    @property
    def symbols(self) -> list[str]:
        return sorted({s.name for s in self.free_symbols})

    def bytes(self, dtype: str = "float32") -> sympy.Expr:
        """Memory of all parameters at ``dtype`` (4 bytes a float32 parameter)."""
        return self.total * bytes_per_param(dtype)

    def row(self, name: str) -> Row:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(name)

    # ---- substitution ----------------------------------------------------------
    def subs(self, bindings: Optional[Mapping[Any, Any]] = None, **kwargs) -> "Summary":
        """Bind sizes by name (``w=64``, ``alpha="0.75"``, ``d="2*w"``)."""
        values = normalize_bindings({**(bindings or {}), **kwargs}, self.symbols)
        if not values:
            return self

        def sub(x):
            return bounds.expand(substitute(x, values)) if isinstance(x, sympy.Basic) else x

        rows = tuple(replace(
            r,
            output_shapes=tuple(substitute_shape(s, values) for s in r.output_shapes),
            params=sub(r.params), trainable=sub(r.trainable), non_trainable=sub(r.non_trainable),
            weights=tuple(Weight(w.name, substitute_shape(w.shape, values), w.trainable) for w in r.weights),
        ) for r in self.rows)
        return replace(self, rows=rows, total=sub(self.total), trainable=sub(self.trainable),
                       non_trainable=sub(self.non_trainable), bindings={**self.bindings, **values})

    def assume_divisible(self) -> "Summary":
        """Every ``⌊a/b⌋`` of free sizes taken as ``a/b``: the textbook's polynomial (see
        :func:`symparams.dims.assume_divisible`)."""
        from ..core.dims import assume_divisible as exact

        def shape(s):
            return tuple(None if v is None else exact(v) for v in s)
        rows = tuple(replace(
            r, output_shapes=tuple(shape(s) for s in r.output_shapes), params=exact(r.params),
            trainable=exact(r.trainable), non_trainable=exact(r.non_trainable),
            weights=tuple(Weight(w.name, shape(w.shape), w.trainable) for w in r.weights),
        ) for r in self.rows)
        return replace(self, rows=rows, total=exact(self.total), trainable=exact(self.trainable),
                       non_trainable=exact(self.non_trainable), divisible=True)

    # ---- renderings --------------------------------------------------------------
    def to_dict(self) -> dict:
        """The JSON contract of ``symparams summary --format json``."""
        return {
            "name": self.name,
            "symbols": self.symbols,
            "layers": [{
                "name": r.name,
                "type": r.type,
                "output_shapes": [[json_size(s) for s in shape] for shape in r.output_shapes],
                "params": json_size(r.params),
                "trainable": json_size(r.trainable),
                "non_trainable": json_size(r.non_trainable),
                "weights": [{"name": w.name, "shape": [json_size(s) for s in w.shape],
                             "trainable": w.trainable} for w in r.weights],
                "inbound": list(r.inbound),
            } for r in self.rows],
            "total": json_size(self.total),
            "trainable": json_size(self.trainable),
            "non_trainable": json_size(self.non_trainable),
            **({"assumed": "every floor or ceiling of a division of sizes taken as exact"}
               if self.divisible else {}),
        }

    def to_text(self, thousands: str = ",", dtype: str = "float32") -> str:
        from .tables import text_table
        return text_table(self, thousands=thousands, dtype=dtype)

    def to_markdown(self, thousands: str = ",", dtype: str = "float32") -> str:
        from .tables import markdown_table
        return markdown_table(self, thousands=thousands, dtype=dtype)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..render.display import mimebundle
        from .tables import latex_table, md_escape
        from ..core.units import readable_bytes
        out = mimebundle("summary", self, self.to_text(), md=md_escape,
                         bytes=lambda count: readable_bytes(count, 4))
        return {**out, "text/latex": latex_table(self)}


# --------------------------------------------------------------------------


def summarize(model, subs: Optional[Mapping[Any, Any]] = None) -> Summary:
    """The summary of a model (a Sequential or a functional Model)."""
    graph = model.ordered_graph()
    nodes = model.listed_calls()
    rows_layers = model.layers
    rows = tuple(_row(layer, nodes) for layer in rows_layers)
    summary = Summary(
        name=model.name,
        rows=rows,
        total=bounds.expand(model.count_params()),
        trainable=bounds.expand(model.trainable_params),
        non_trainable=bounds.expand(model.non_trainable_params),
        connected=model.lists_connections and not _sequential_like(model, graph),
    )
    return summary.subs(subs) if subs else summary


def _row(layer: Layer, nodes) -> Row:
    weights = tuple(layer.weights)
    trainable = sum((w.count for w in weights if w.trainable), sympy.Integer(0))
    non_trainable = sum((w.count for w in weights if not w.trainable), sympy.Integer(0))
    inbound, connections = [], []
    for node in layer._inbound_nodes:
        if node not in nodes:
            continue
        for t in node.inputs:
            inbound.append(t.layer.name)
            connections.append(f"{t.layer.name}[{t.node.index}][{t.index}]")
    # Keras shows the output of the layer's last call.
    last = layer._inbound_nodes[-1] if layer._inbound_nodes else None
    shapes = tuple(t.shape for t in last.outputs) if last else ()
    return Row(
        name=layer.name,
        type=layer.type_name,
        output_shapes=shapes,
        params=bounds.expand(trainable + non_trainable),
        trainable=bounds.expand(trainable),
        non_trainable=bounds.expand(non_trainable),
        weights=weights,
        inbound=tuple(inbound),
        connections=tuple(connections),
        layer=layer,
    )


def _sequential_like(model, graph) -> bool:
    """Keras prints a functional model without "Connected to" when it is a plain chain."""
    for depth in sorted(graph.nodes_by_depth, reverse=True):
        level = graph.nodes_by_depth[depth]
        if len(level) > 1 or (len(level) == 1 and len(level[0].inputs) > 1):
            return False
    node_set = graph.node_set
    for layer in graph.layers:
        if sum(1 for n in layer._inbound_nodes if n in node_set) > 1:
            return False
    return True
