"""Derivations as data: the steps a careful teacher writes for each layer.

:func:`derive` turns a model into a :class:`Derivation`: for every row of
the summary, the textbook formula in named sizes, where each size comes from,
the same formula with this layer's numbers, the arithmetic one operation at a
time, the weights' own products, the output-shape arithmetic, and the value;
then the totals and the memory. Templates (:mod:`symparams.render`) decide
how it looks; nothing here builds LaTeX or Markdown.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping, Optional, Sequence

import sympy

from ..core import bounds
from ..core.dims import assume_divisible as exact_division
from ..core.errors import SymparamsError
from ..core.formula import Group, Num, Sum, mul, substitute as fill
from .layers.textbook import Quantity
from ..core.in_place import NotInPlace, Numbers, put
from .layers.base import Layer
from ..core.bindings import normalize_bindings
from .summary import Row, Summary, summarize
from ..core.units import bytes_per_param
# The steps as data live in solution.py; they are this module's public names too.
from ..core.solution import (DETAILS, AxisWorking, Brief, Derivation, LayerDerivation, RepeatedBlock,
                             SizeSource, WeightWorking, Working, briefly, product_of, repeated_blocks,
                             substituter, working_of)


# --------------------------------------------------------------------------


def derive(model, subs: Optional[Mapping[Any, Any]] = None, layers: Optional[Sequence[str]] = None,
           dtype: str = "float32", detail: str = "standard", assume_divisible: bool = False,
           summary: Optional[Summary] = None) -> Derivation:
    """The worked derivation of a model's parameter counts (optionally with sizes bound).

    ``detail``: ``full`` works out every layer; ``standard`` (the default) works out
    each distinct layer once and says a repeat (the same type with the same sizes)
    or a parameter-free layer of a kind already explained in one line; ``summary``
    also says every parameter-free layer in one line and leaves out the
    output-shape working and the weight checks.

    ``assume_divisible`` takes every floor or ceiling of a division of free sizes
    as exact (``d_model // n_heads`` as ``d_model / n_heads``), and says so. ``summary`` is
    ``summarize(model)`` when the caller has it already.
    """
    if detail not in DETAILS:
        raise SymparamsError(f"unknown detail {detail!r}; use one of {', '.join(DETAILS)}")
    summary = summary if summary is not None else summarize(model)
    values = normalize_bindings(subs or {}, summary.symbols) if subs else {}
    bytes_per_param(dtype)  # an unknown dtype is an error before any work
    if layers:
        known = [r.name for r in summary.rows]
        missing = [n for n in layers if n not in known]
        if missing:
            raise SymparamsError(f"no layer named {', '.join(repr(m) for m in missing)} in model "
                                 f"{summary.name!r}; it has {', '.join(known)}")
    return _derive(model, summary, values, layers, dtype, detail, assume_divisible)


def derive_reusing(model, keys: Sequence[Optional[tuple]], known: dict,
                   at: "Optional[Mapping[str, Any] | Numbers]" = None,
                   summary: Optional[Summary] = None) -> Derivation:
    """``derive(model)``, each layer whose key is in ``known`` taken from there, not derived.

    ``keys`` holds one key per summary row, each starting with the row's name (None: derive
    that row). A key must stand for everything a layer's derivation is made from (its type,
    configuration, input shapes, weights, place in the graph): an exam's versions of one
    model share most of their layers (:meth:`symparams.exam.views.Reading.row_keys`). The
    model-wide passes (repeats, one-line layers, totals) run on every call.

    ``at`` puts numbers in place of the model's free sizes: the derivation is the one of the
    same source read with those numbers written in (no bindings stated, every value a
    number), so an exam reads its source once, not once for each version (a
    :class:`symparams.in_place.Numbers` may carry numbers found already). ``summary`` is
    ``summarize(model)`` when the caller has it already."""
    summary = summary if summary is not None else summarize(model)
    if len(keys) != len(summary.rows) or any(k is not None and k[0] != r.name for k, r in zip(keys, summary.rows)):
        keys = [None] * len(summary.rows)      # not the model the keys were made for
    numbers = at if isinstance(at, Numbers) else Numbers(at) if at else None
    return _derive(model, summary, {}, None, "float32", "standard", False, (keys, known), numbers)


def _derive(model, summary: Summary, values, only, dtype, detail: str = "full",
            divisible: bool = False, reuse: Optional[tuple] = None,
            numbers: Optional[Numbers] = None) -> Derivation:
    sub = substituter(values, divisible, numbers)

    graph_nodes = _graph_nodes(model)
    rows = [r for r in summary.rows if not only or r.name in only]

    def layer(i, r):
        key = reuse[0][i] if reuse is not None else None
        if key is None:
            return _layer(r, graph_nodes, values, sub, dtype, detail, divisible, numbers)
        known = reuse[1]
        d = known.get(key)
        if d is None:
            d = known[key] = _layer(r, graph_nodes, values, sub, dtype, detail, divisible, numbers)
        return d

    derived = _same_blocks_once(tuple(layer(i, r) for i, r in enumerate(rows)), rows)
    # Blocks are compared as derived, before the detail drops any working from them.
    repeats = repeated_blocks(derived) if detail != "full" else ()
    derived = briefly(derived, detail)
    all_rows = [(sub(r.params), sub(r.trainable), sub(r.non_trainable)) for r in summary.rows]

    def total_of(index):
        nums = [v[index] for v in all_rows if v[index] != 0] or [sympy.Integer(0)]
        f = Sum(tuple(Group(Num(v)) for v in nums)) if len(nums) > 1 else Num(nums[0])
        return working_of(None, f)

    # The model's own totals count shared and nested weights once; the rows
    # already do (a shared layer is one row), so the sums agree.
    total = total_of(0)
    trainable, non_trainable = total_of(1), total_of(2)
    per = bytes_per_param(dtype)
    memory = working_of(None, mul(Num(total.value), Num(per)))
    if numbers is not None:
        symbols = tuple(s for s in summary.symbols if s not in numbers.values)
    else:
        symbols = tuple((summary.subs(values) if values else summary).symbols)
    return Derivation(
        name=summary.name, kind=model.type_name, layers=derived, total=total,
        trainable=trainable, non_trainable=non_trainable, dtype=dtype, bytes_per_param=per,
        memory=memory, symbols=symbols, bindings=values, detail=detail,
        repeats=repeats, divisible=divisible,
        closed_total=(exact_division(summary.total) if divisible else summary.total) if values else None,
    )


def _same_blocks_once(derived: tuple, rows: list) -> tuple:
    """A user's layer made like an earlier one keeps its own count but not a second copy of its inner working."""
    first: dict = {}
    out = []
    for d, row in zip(derived, rows):
        if d.nested is not None and row.layer is not None and row.layer.defined_by_user:
            key = (d.type, tuple((w.shape, w.trainable) for w in d.weights), d.input_shapes,
                   d.output_shapes)
            if key in first:
                d = replace(d, nested=None, same_as=first[key])
            else:
                first[key] = d.name
        out.append(d)
    return tuple(out)


def _graph_nodes(model):
    return model.ordered_graph().node_set


def _layer(row: Row, nodes, values, sub, dtype, detail: str = "full", divisible: bool = False,
           numbers: Optional[Numbers] = None) -> LayerDerivation:
    layer = row.layer
    node = next((n for n in layer._inbound_nodes if n in nodes), layer._inbound_nodes[0])
    in_shapes = [t.shape for t in node.inputs]
    structure_shapes = _structure_shapes(node)
    if numbers is not None:
        # The layer's rules choose their working by its numbers (no floor for a stride of
        # 1), so they are asked of the layer at the numbers, not of the symbolic one.
        if layer.nested_model() is not None:
            raise NotInPlace(row.name)
        layer = layer.at(numbers)
        structure_shapes = put(structure_shapes, numbers)
    sources = [t.layer.name if t.layer else None for t in node.inputs]

    def size_source(q: Quantity) -> SizeSource:
        o = q.origin
        from_layer = from_shape = None
        if o.kind == "input" and o.input_index < len(sources):
            from_layer = sources[o.input_index]
            from_shape = tuple(sub(s) if s is not None else None for s in in_shapes[o.input_index])
        return SizeSource(q.key, sub(q.value), o.kind, o.argument, o.axis, from_layer, from_shape,
                          o.default)

    book = layer.textbook(structure_shapes) if row.weights else None
    formula = non_trainable_formula = None
    sizes: tuple = ()
    if book is not None:
        sizes = tuple(size_source(q) for q in book.quantities)
        table = {s.key: s.value for s in sizes}
        formula = working_of(book.formula, fill(book.formula, table))
        if book.non_trainable is not None and row.non_trainable != 0 and layer.trainable:
            non_trainable_formula = working_of(book.non_trainable, fill(book.non_trainable, table))
    checked = set(layer.weights_checked_here())
    weights = tuple(
        WeightWorking(w.name, tuple(sub(s) for s in w.shape), w.trainable,
                      working_of(None, product_of(w.shape, sub)))
        for w in row.weights if w.name in checked)
    weight_sum = None
    if len(weights) > 1 and len(weights) == len(row.weights):
        weight_sum = working_of(None, Sum(tuple(w.working.lines[0] for w in weights)))
    elif len(weights) == 1 and len(row.weights) == 1:
        # One weight: its shape multiplied out is the check (embeddings (10000, 64): 10000·64).
        weight_sum = weights[0].working
    axes = []
    for rule in layer.axis_rules(structure_shapes):
        rule_sizes = tuple(size_source(q) for q in rule.quantities)
        table = {s.key: s.value for s in rule_sizes}
        axes.append(AxisWorking(rule.axis, rule.label, rule_sizes,
                                working_of(rule.formula, fill(rule.formula, table))))
    inner = layer.nested_model()
    nested = _derive(inner, summarize(inner), dict(values), None, dtype, detail, divisible) \
        if inner is not None else None
    value = sub(row.params)
    if formula is not None and bounds.expand(formula.value - value) != 0:
        raise AssertionError(f"textbook formula of {row.name} disagrees with its weights")
    return LayerDerivation(
        name=row.name, type=row.type, prose=layer.prose,
        config={k: _config_value(v, sub) for k, v in layer.config().items()},
        input_shapes=tuple(tuple(sub(s) if s is not None else None for s in shape) for shape in in_shapes),
        output_shapes=tuple(tuple(sub(s) if s is not None else None for s in shape)
                            for shape in row.output_shapes),
        inbound=tuple(row.inbound), sizes=sizes, formula=formula, weights=weights,
        weight_sum=weight_sum, non_trainable_formula=non_trainable_formula, axes=tuple(axes),
        params=value, trainable=sub(row.trainable), non_trainable=sub(row.non_trainable),
        frozen=not layer.trainable and bool(row.weights),
        calls=sum(1 for n in layer._inbound_nodes if n in nodes), nested=nested,
    )


def _structure_shapes(node):
    from .layers.base import map_structure
    if node.is_input:
        return node.outputs[0].shape
    return map_structure(lambda t: t.shape, node.structure)


def _config_value(v, sub):
    if isinstance(v, sympy.Basic):
        return sub(v)
    if isinstance(v, tuple):
        return tuple(_config_value(x, sub) for x in v)
    if isinstance(v, Layer):
        return v.name
    return v
