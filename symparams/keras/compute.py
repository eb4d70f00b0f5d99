"""Compute: multiply-accumulates (MACs) and FLOPs of a forward pass, symbolic in every size.

Convention (stated with every result, as ``CONVENTION``): one example (the batch axis
excluded); FLOPs = 2·MACs; only matrix products and convolutions are counted —
activations, normalization, pooling, additions and softmax are not — as in Kaplan et
al. (2020) and most counters. A layer called twice computes twice (unlike its
parameters). Causal attention (``use_causal_mask=True``) counts only the query–key
pairs on or below the diagonal, T(T + 1)/2 of T².

Each layer class gives its own count (``Layer.macs``); a layer that has none is
listed as not counted, never added as 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from ..core import bounds
from ..core.bindings import normalize_bindings
from ..core.dims import substitute
from .layers.base import map_structure

CONVENTION = ("MACs are multiply-accumulates of one forward pass for one example (the batch axis "
              "excluded); FLOPs = 2·MACs. Only matrix products and convolutions are counted "
              "(activations, normalization, pooling, additions and softmax are not), as in "
              "Kaplan et al. (2020). Causal attention counts the query–key pairs on or below the "
              "diagonal.")

ZERO = sympy.Integer(0)


@dataclass(frozen=True)
class LayerCompute:
    name: str
    type: str
    macs: sympy.Expr

    @property
    def flops(self) -> sympy.Expr:
        return 2 * self.macs


@dataclass(frozen=True)
class Compute:
    rows: tuple
    macs: sympy.Expr
    convention: str = CONVENTION
    #: layers whose compute symparams does not know (name, type): the total leaves them out
    not_counted: tuple = ()
    #: what one count covers, as a heading says it
    scope: str = "one forward pass, one example"

    @property
    def flops(self) -> sympy.Expr:
        return bounds.expand(2 * self.macs)

    def __str__(self) -> str:
        from ..render.display import mimebundle
        return mimebundle("compute", self, md=_md)["text/plain"]

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..render.display import mimebundle
        return mimebundle("compute", self, md=_md)

    def subs(self, bindings) -> "Compute":
        names = sorted({s.name for s in self.macs.free_symbols} |
                       {s.name for r in self.rows for s in r.macs.free_symbols})
        values = normalize_bindings(bindings, names)
        rows = tuple(LayerCompute(r.name, r.type, bounds.expand(substitute(r.macs, values)))
                     for r in self.rows)
        return Compute(rows, bounds.expand(substitute(self.macs, values)), self.convention,
                       self.not_counted, self.scope)


def _md(text: str) -> str:
    from .tables import md_escape
    return md_escape(text)


def compute(model) -> Compute:
    """MACs of every layer call in the model's graph, and their total."""
    graph = model.ordered_graph()
    per_layer: dict[int, sympy.Expr] = {}
    unknown: dict[int, tuple] = {}
    for node in graph.nodes:
        if node.is_input:
            continue
        in_shapes = map_structure(lambda t: t.shape, node.structure)
        out_shapes = [t.shape for t in node.outputs]
        layer = node.layer
        macs = layer.macs(in_shapes, out_shapes[0] if len(out_shapes) == 1 else out_shapes,
                          node.options)
        if macs is None:
            unknown[id(layer)] = (layer.name, layer.type_name)
            continue
        per_layer[id(layer)] = per_layer.get(id(layer), ZERO) + bounds.expand(macs)
    rows = tuple(LayerCompute(layer.name, layer.type_name, bounds.expand(per_layer[id(layer)]))
                 for layer in graph.layers if id(layer) in per_layer)
    total = bounds.expand(sum((r.macs for r in rows), ZERO))
    return Compute(rows, total, not_counted=tuple(unknown.values()))
