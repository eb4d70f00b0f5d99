"""Derivations as data: the steps a careful teacher writes for each layer.

:func:`derive` turns a model into a :class:`Derivation`: for every row of
the summary, the textbook formula in named sizes, where each size comes from,
the same formula with this layer's numbers, the arithmetic one operation at a
time, the weights' own products, the output-shape arithmetic, and the value;
then the totals and the memory. Templates (:mod:`symparams.render`) decide
how it looks; nothing here builds LaTeX or Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace, field
from functools import cached_property
from typing import Any, Mapping, Optional, Sequence

import sympy

from . import bounds
from .dims import Shape, substitute
from .dims import assume_divisible as exact_division
from .errors import SymparamsError
from .formula import Formula, Group, Num, Product, Sum, from_expr, mul, substitute as fill, working
from .layers.textbook import Quantity
from .in_place import NotInPlace, Numbers, put
from .layers.base import Layer
from .bindings import normalize_bindings
from .summary import Row, Summary, summarize
from .units import bytes_per_param


@dataclass(frozen=True)
class Working:
    """``formula = substituted = … = value``: a formula in names and its lines of working."""

    formula: Optional[Formula]     # in named sizes (None where there is no textbook form)
    lines: tuple                   # Formula lines after substitution, the last a Num
    value: sympy.Expr

    @property
    def substituted(self) -> Formula:
        return self.lines[0]


@dataclass(frozen=True)
class SizeSource:
    """A named size with its value and where it comes from."""

    key: str
    value: sympy.Expr
    kind: str                       # "argument", "default", "input", "derived"
    argument: Optional[str] = None
    axis: Optional[int] = None
    from_layer: Optional[str] = None    # the layer whose output gives it
    from_shape: Optional[Shape] = None
    default: Optional[str] = None       # a default's source argument (strides ← pool_size)
    by: str = "Keras"                   # whose rule fills in the default


@dataclass(frozen=True)
class WeightWorking:
    name: str
    shape: tuple
    trainable: bool
    working: Working


@dataclass(frozen=True)
class AxisWorking:
    axis: int
    label: str
    sizes: tuple                    # SizeSource
    working: Working
    #: at the standard detail: the label of an earlier axis of this layer whose working has
    #: the same numbers, said instead of a second copy of it
    like: Optional[str] = None


@dataclass(frozen=True)
class LayerDerivation:
    name: str
    type: str
    prose: str                      # the template key of the prose that explains it
    config: Mapping[str, Any]
    input_shapes: tuple
    output_shapes: tuple
    inbound: tuple
    sizes: tuple                    # SizeSource, for the textbook formula
    formula: Optional[Working]      # textbook form
    weights: tuple                  # WeightWorking
    weight_sum: Optional[Working]   # kernel + bias + ...
    non_trainable_formula: Optional[Working]
    axes: tuple                     # AxisWorking
    params: sympy.Expr
    trainable: sympy.Expr
    non_trainable: sympy.Expr
    frozen: bool
    calls: int
    nested: Optional["Derivation"] = None
    #: an earlier layer made the same way (a user's class with the same sizes), whose
    #: inner layers stand for this one's
    same_as: Optional[str] = None
    #: at the standard and summary detail: the earlier layer whose working stands for this
    #: one's (the same type with the same sizes, or a parameter-free layer of a kind already
    #: explained); the layer is then a line, not a derivation
    brief_as: Optional[str] = None
    #: at the standard and summary detail: the earlier layer where this kind of layer was
    #: explained in words (the working is still shown)
    explained_in: Optional[str] = None

    @property
    def has_weights(self) -> bool:
        return bool(self.weights) or self.nested is not None

    @property
    def worked_axes(self) -> tuple:
        """The output axes whose working is shown."""
        return tuple(a for a in self.axes if a.like is None)

    @property
    def axis_sizes(self) -> tuple:
        """The sizes the shown axis working uses that the textbook formula did not name."""
        named = {s.key for s in self.sizes}
        out: list = []
        for a in self.worked_axes:
            for s in a.sizes:
                if s.key not in named:
                    named.add(s.key)
                    out.append(s)
        return tuple(out)

    @property
    def alike_axes(self) -> tuple:
        """The output axes said to be worked out like one in :attr:`worked_axes`."""
        return tuple(a for a in self.axes if a.like is not None)

    def size(self, key: str) -> sympy.Expr:
        """The value of a named size of the textbook formula."""
        for s in self.sizes:
            if s.key == key:
                return s.value
        raise KeyError(key)


@dataclass(frozen=True)
class RepeatedBlock:
    """Consecutive copies of the block just before them: the same layer types with the same sizes."""

    first: str                      # the first and last layer of the block they repeat
    last: str
    size: int                       # layers in the block
    copies: tuple                   # each copy's (first, last) layer names
    params_each: sympy.Expr
    total: Working                  # copies · params_each
    trainable_each: sympy.Expr = sympy.Integer(0)
    output_shapes: tuple = ()       # the last copy's output

    @property
    def is_repeat(self) -> bool:
        return True

    @property
    def params(self) -> sympy.Expr:
        return self.total.value

    @property
    def trainable(self) -> sympy.Expr:
        return len(self.copies) * self.trainable_each


@dataclass(frozen=True)
class Brief:
    """Consecutive layers each said in one line, as the layer named in its ``brief_as``."""

    layers: tuple

    @property
    def is_brief(self) -> bool:
        return True


DETAILS = ("summary", "standard", "full")


@dataclass(frozen=True)
class Derivation:
    name: str
    kind: str                       # "Sequential" or "Functional"
    layers: tuple
    total: Working                  # the sum of the layer values
    trainable: Working
    non_trainable: Working
    dtype: str
    bytes_per_param: sympy.Expr
    memory: Working
    symbols: tuple
    bindings: Mapping[str, sympy.Expr] = field(default_factory=dict)
    detail: str = "standard"
    #: (index of the first copy, block length, number of copies) for each run of repeated blocks
    repeats: tuple = ()
    #: whether floors of divisions of sizes were taken as exact (``--assume-divisible``)
    divisible: bool = False
    #: with sizes bound: the total in the free sizes, before they were bound
    closed_total: Optional[sympy.Expr] = None
    #: whose counting rules: "keras", or "pytorch" (modules, buffers, tied weights)
    framework: str = "keras"

    def sections(self) -> list:
        """The layers as a reader meets them: a layer worked out in full, a run of
        consecutive layers each said in one line (:class:`Brief`), or copies of the
        block before them (:class:`RepeatedBlock`)."""
        out: list = []
        starts = {start: (length, copies) for start, length, copies in self.repeats}
        skip_to = 0
        for i, layer in enumerate(self.layers):
            if i < skip_to:
                continue
            if i in starts:
                length, copies = starts[i]
                block = self.layers[i - length:i]
                each = sum((l.params for l in block), sympy.Integer(0))
                spans = tuple((self.layers[i + k * length].name, self.layers[i + (k + 1) * length - 1].name)
                              for k in range(copies))
                out.append(RepeatedBlock(block[0].name, block[-1].name, length, spans, each,
                                         _working(None, mul(Num(sympy.Integer(copies)), Num(each))),
                                         sum((l.trainable for l in block), sympy.Integer(0)),
                                         self.layers[i + copies * length - 1].output_shapes))
                skip_to = i + length * copies
                continue
            if layer.brief_as is None:
                out.append(layer)
            elif out and isinstance(out[-1], Brief):
                out[-1] = Brief(out[-1].layers + (layer,))
            else:
                out.append(Brief((layer,)))
        return out

    @cached_property
    def closed_working(self) -> Optional[Working]:
        """With sizes bound: the total in the free sizes, the bound values put in, and the
        arithmetic down to the value (None when not bound, or when the closed form has a
        term no formula writes; the templates then show the closed form alone)."""
        if self.closed_total is None:
            return None
        try:
            formula = from_expr(self.closed_total)
            lines = tuple(working(fill(formula, self.bindings)))
        except ValueError:
            return None
        if bounds.expand(lines[-1].value - self.total.value) != 0:
            return None
        return Working(formula, lines, lines[-1].value)

    def with_closed_form(self, free_total: sympy.Expr, bindings: Mapping[str, Any]) -> "Derivation":
        """This derivation, of a model read with its sizes bound, headed by the total in the
        free sizes (``free_total``, from the same file read without the bindings).

        Raises ``ValueError`` when ``free_total`` with ``bindings`` is not this total: the
        two readings are then not the same model (a binding changed its structure), and the
        closed form would mislead.
        """
        known = sorted(str(s) for s in free_total.free_symbols)
        values = normalize_bindings({k: v for k, v in bindings.items() if str(k) in known}, known)
        closed = exact_division(free_total) if self.divisible else free_total
        if not free_total.free_symbols or \
                bounds.expand(substitute(closed, values) - self.total.value) != 0:
            raise ValueError("the free total does not give this total")
        return replace(self, closed_total=closed, bindings=values)

    def table_entries(self) -> list:
        """The totals table's entries: each layer, except that the copies of a repeated
        block are one entry (:class:`RepeatedBlock`), counted as its working counts them."""
        out: list = []
        for sec in self.sections():
            out.extend(sec.layers if isinstance(sec, Brief) else [sec])
        return out

    @property
    def symbolic(self) -> bool:
        return bool(self.symbols)

    @property
    def total_expanded(self) -> sympy.Expr:
        return bounds.expand(self.total.value)

    @property
    def total_factored(self) -> sympy.Expr:
        return bounds.factor(self.total.value)

    @property
    def factored_differs(self) -> bool:
        return self.total_factored != self.total_expanded

    @property
    def counted_layers(self) -> int:
        """How many of its layers have parameters (the terms of its total)."""
        return sum(1 for l in self.layers if l.params != 0)

    @property
    def total_is_short(self) -> bool:
        """Whether the total reads well as one sum; longer ones are the table's column."""
        return self.counted_layers <= 8

    def layer(self, name: str) -> LayerDerivation:
        for d in self.layers:
            if d.name == name:
                return d
        raise KeyError(name)

    def render(self, format: str = "latex", **options) -> str:
        from .render import render
        return render(self, format, **options)

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .render import render
        return {"text/markdown": render(self, "markdown"),
                # MathML, which the notebook's browser typesets without MathJax
                "text/html": render(self, "html"),
                "text/latex": render(self, "latex", profile="notebook"),
                "text/plain": render(self, "text")}


# --------------------------------------------------------------------------


def derive(model, subs: Optional[Mapping[Any, Any]] = None, layers: Optional[Sequence[str]] = None,
           dtype: str = "float32", detail: str = "standard", assume_divisible: bool = False) -> Derivation:
    """The worked derivation of a model's parameter counts (optionally with sizes bound).

    ``detail``: ``full`` works out every layer; ``standard`` (the default) works out
    each distinct layer once and says a repeat (the same type with the same sizes)
    or a parameter-free layer of a kind already explained in one line; ``summary``
    also says every parameter-free layer in one line and leaves out the
    output-shape working and the weight checks.

    ``assume_divisible`` takes every floor or ceiling of a division of free sizes
    as exact (``d_model // n_heads`` as ``d_model / n_heads``), and says so.
    """
    if detail not in DETAILS:
        raise SymparamsError(f"unknown detail {detail!r}; use one of {', '.join(DETAILS)}")
    summary = summarize(model)
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
    def sub(x):
        if not isinstance(x, sympy.Basic):
            return x
        value = bounds.expand(substitute(x, values))
        return exact_division(value) if divisible else value

    if numbers is not None:
        sub = numbers                   # numbers in place: no bindings, no division to assume

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
    repeats = _repeated_blocks(derived) if detail != "full" else ()
    derived = _briefly(derived, detail)
    all_rows = [(sub(r.params), sub(r.trainable), sub(r.non_trainable)) for r in summary.rows]

    def total_of(index):
        nums = [v[index] for v in all_rows if v[index] != 0] or [sympy.Integer(0)]
        f = Sum(tuple(Group(Num(v)) for v in nums)) if len(nums) > 1 else Num(nums[0])
        return _working(None, f)

    # The model's own totals count shared and nested weights once; the rows
    # already do (a shared layer is one row), so the sums agree.
    total = total_of(0)
    trainable, non_trainable = total_of(1), total_of(2)
    per = bytes_per_param(dtype)
    memory = _working(None, mul(Num(total.value), Num(per)))
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


def _signature(d: LayerDerivation) -> tuple:
    """What makes two layers the same for a reader: type, sizes and counts, not names."""
    return (d.type, d.prose, repr(sorted((k, repr(v)) for k, v in d.config.items()
                                         if not isinstance(v, str) or k not in ("name",))),
            d.input_shapes, d.output_shapes, tuple((w.shape, w.trainable) for w in d.weights),
            d.params, d.trainable, d.nested is None)


_LONGEST_BLOCK = 64


def _repeated_blocks(derived: tuple) -> tuple:
    """Runs of blocks that repeat the block just before them (ResNet's bottlenecks,
    a transformer's layers): ``(first copy's index, block length, copies)``."""
    sigs = [_signature(d) for d in derived]
    n = len(sigs)
    found = []
    i = 1
    while i < n:
        best = None
        for length in range(min(_LONGEST_BLOCK, i, n - i), 1, -1):
            if sigs[i:i + length] == sigs[i - length:i]:
                best = length
                break
        if best is None or all(d.params == 0 for d in derived[i:i + best]):
            i += 1
            continue
        i, copies = _aligned(derived, sigs, i, best)
        found.append((i, best, copies))
        i += best * copies
    return tuple(found)


def _copies(sigs: list, start: int, length: int) -> int:
    """How many blocks from ``start`` on repeat the one just before it."""
    copies = 0
    while start + (copies + 1) * length <= len(sigs) and \
            sigs[start + copies * length:start + (copies + 1) * length] == sigs[start - length:start]:
        copies += 1
    return copies


def _aligned(derived: tuple, sigs: list, start: int, length: int) -> tuple:
    """The same repeat shifted to where its blocks begin and end as the model names them
    (``conv2_block2_1_conv`` … ``conv2_block2_out``): the shift whose first and last layer
    names share the longest prefix."""
    def fit(j: int) -> int:
        a, b = derived[j].name, derived[j + length - 1].name
        k = 0
        while k < min(len(a), len(b)) and a[k] == b[k]:
            k += 1
        return k
    candidates = []
    for j in range(max(length, start - length + 1), min(start + length, len(derived) - length + 1)):
        copies = _copies(sigs, j, length)
        if copies:
            candidates.append((fit(j), copies, -abs(j - start), j))
    j = max(candidates)[3] if candidates else start
    return j, _copies(sigs, j, length)


def _briefly(derived: tuple, detail: str) -> tuple:
    """Mark the layers said in one line at this detail (see :func:`derive`)."""
    if detail == "full":
        return derived
    # A long model's later layers of a kind drop the checks the first of the kind showed;
    # a short one (a textbook exercise) keeps every check, as the seeds' solutions do.
    long_model = sum(1 for d in derived if d.params != 0) > _SHORT_MODEL
    seen: dict = {}
    kinds: dict = {}
    out = []
    for d in derived:
        if d.nested is not None or d.same_as is not None:
            out.append(d)
            continue
        d = _alike_axes(d)
        if d.params == 0:
            first = kinds.get((d.type, d.prose))
            if first is not None or detail == "summary":
                d = replace(d, brief_as=first or "")
            else:
                kinds[(d.type, d.prose)] = d.name
            out.append(d)
            continue
        key = (d.type, d.prose, repr(sorted((k, repr(v)) for k, v in d.config.items())), d.input_shapes,
               d.output_shapes, tuple((w.shape, w.trainable) for w in d.weights), d.params, d.trainable)
        if key in seen:
            d = replace(d, brief_as=seen[key])
        else:
            seen[key] = d.name
            explained = kinds.get((d.type, d.prose))
            if explained is None:
                kinds[(d.type, d.prose)] = d.name
            else:
                d = replace(d, explained_in=explained)
                if detail == "standard" and long_model:
                    d = _shortened(d)
            if detail == "summary":
                d = replace(d, axes=(), weights=(), weight_sum=None)
        out.append(d)
    return tuple(out)


#: layers with parameters in a model whose every check the standard detail shows
_SHORT_MODEL = 12


def _shortened(d: LayerDerivation) -> LayerDerivation:
    """A layer of a kind worked out in full above, at the standard detail of a long model: the textbook
    formula with its own sizes stays; the check with the weights and the non-trainable
    split (shown for the first of its kind) go, and so does the working of every output
    axis the layer leaves as it was."""
    if d.formula is not None:
        # The output line says how the count splits; the first of its kind shows the formula.
        d = replace(d, weights=(), weight_sum=None, non_trainable_formula=None)
    kept = tuple(a for a in d.axes if not _axis_unchanged(d, a))
    return replace(d, axes=kept)


def _alike_axes(d: LayerDerivation) -> LayerDerivation:
    """Axes worked out with the same numbers as an earlier axis (a square image's height
    and width) are said once: the later ones name the earlier."""
    out: list = []
    for a in d.axes:
        twin = next((b for b in out if b.like is None and b.working.lines == a.working.lines), None)
        if twin is not None:
            a = replace(a, like=twin.label)
        out.append(a)
    return replace(d, axes=tuple(out))


def _axis_unchanged(d: LayerDerivation, a: AxisWorking) -> bool:
    if not d.input_shapes or not d.output_shapes:
        return False
    before, after = d.input_shapes[0], d.output_shapes[0]
    if a.axis >= len(before) or a.axis >= len(after):
        return False
    return before[a.axis] is not None and before[a.axis] == after[a.axis] == a.working.value


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


def _working(formula: Optional[Formula], substituted: Formula) -> Working:
    lines = tuple(working(substituted))
    return Working(formula, lines, lines[-1].value)


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
        formula = _working(book.formula, fill(book.formula, table))
        if book.non_trainable is not None and row.non_trainable != 0 and layer.trainable:
            non_trainable_formula = _working(book.non_trainable, fill(book.non_trainable, table))
    checked = set(layer.weights_checked_here())
    weights = tuple(
        WeightWorking(w.name, tuple(sub(s) for s in w.shape), w.trainable,
                      _working(None, _product(w.shape, sub)))
        for w in row.weights if w.name in checked)
    weight_sum = None
    if len(weights) > 1 and len(weights) == len(row.weights):
        weight_sum = _working(None, Sum(tuple(w.working.lines[0] for w in weights)))
    elif len(weights) == 1 and len(row.weights) == 1:
        # One weight: its shape multiplied out is the check (embeddings (10000, 64): 10000·64).
        weight_sum = weights[0].working
    axes = []
    for rule in layer.axis_rules(structure_shapes):
        rule_sizes = tuple(size_source(q) for q in rule.quantities)
        table = {s.key: s.value for s in rule_sizes}
        axes.append(AxisWorking(rule.axis, rule.label, rule_sizes,
                                _working(rule.formula, fill(rule.formula, table))))
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


def _product(shape, sub) -> Formula:
    factors = [Num(sub(s)) for s in shape]
    if not factors:
        return Num(sympy.Integer(1))
    return factors[0] if len(factors) == 1 else Product(tuple(factors))


def _config_value(v, sub):
    if isinstance(v, sympy.Basic):
        return sub(v)
    if isinstance(v, tuple):
        return tuple(_config_value(x, sub) for x in v)
    if isinstance(v, Layer):
        return v.name
    return v
