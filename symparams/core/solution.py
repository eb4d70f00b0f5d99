"""A worked solution as data: the steps every framework's deriver fills in and every
template renders (:mod:`symparams.derivation` for Keras models, :mod:`symparams.pytorch.derivation`
for PyTorch modules), and what both do alike to them: the working of a formula, a weight's
product, the repeated blocks found, and the layers said in one line at a detail."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Mapping, Optional

import sympy

from . import bounds
from .bindings import normalize_bindings
from .dims import Shape, substitute
from .dims import assume_divisible as exact_division
from .formula import Formula, Num, Product, from_expr, mul, substitute as fill, working


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
                                         working_of(None, mul(Num(sympy.Integer(copies)), Num(each))),
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
        from ..render import render
        return render(self, format, **options)

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..render import render
        return {"text/markdown": render(self, "markdown"),
                # MathML, which the notebook's browser typesets without MathJax
                "text/html": render(self, "html"),
                "text/latex": render(self, "latex", profile="notebook"),
                "text/plain": render(self, "text")}


def signature(d: LayerDerivation) -> tuple:
    """What makes two layers the same for a reader: type, sizes and counts, not names."""
    return (d.type, d.prose, repr(sorted((k, repr(v)) for k, v in d.config.items()
                                         if not isinstance(v, str) or k not in ("name",))),
            d.input_shapes, d.output_shapes, tuple((w.shape, w.trainable) for w in d.weights),
            d.params, d.trainable, d.nested is None)


_LONGEST_BLOCK = 64


def repeated_blocks(derived: tuple) -> tuple:
    """Runs of blocks that repeat the block just before them (ResNet's bottlenecks,
    a transformer's layers): ``(first copy's index, block length, copies)``."""
    sigs = [signature(d) for d in derived]
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


def briefly(derived: tuple, detail: str) -> tuple:
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


def working_of(formula: Optional[Formula], substituted: Formula) -> Working:
    lines = tuple(working(substituted))
    return Working(formula, lines, lines[-1].value)


def product_of(shape, sub) -> Formula:
    factors = [Num(sub(s)) for s in shape]
    if not factors:
        return Num(sympy.Integer(1))
    return factors[0] if len(factors) == 1 else Product(tuple(factors))


def substituter(values: Mapping, divisible: bool = False, numbers=None):
    """What a deriver puts in each size: the bound ``values`` (and every floor of a division
    taken as exact when ``divisible``), or else the ``numbers`` in place of free sizes, which
    need neither (:class:`symparams.core.in_place.Numbers`)."""
    if numbers is not None:
        return numbers

    def sub(x):
        if not isinstance(x, sympy.Basic):
            return x
        value = bounds.expand(substitute(x, values))
        return exact_division(value) if divisible else value
    return sub
