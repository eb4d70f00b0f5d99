"""A spec's model read once, and its numbers at each draw.

The sizes that change a model's structure (switches such as ``pool``, strings such as a
padding, tuples, floats) are bound before reading; every whole-number size is left
free. So a spec is read once for each combination of its structural sizes (twice for
``pool = [true, false]``), and each draw only evaluates the model's expressions at its
numbers (:mod:`symparams.exam.program`). A source the reader cannot read with free sizes
(``range(depth)``, ``if units > 64:``) is read at every draw's numbers instead, and
the first draw of every reading is checked against a reading at its own numbers.
"""

from __future__ import annotations

import math
import types
from dataclasses import dataclass
from typing import Any, Optional

import sympy

from ..core.errors import SymparamsError
from ..keras.layers import window
from ..core.in_place import NotInPlace, Numbers
from ..readers import read_source
from ..keras.derivation import derive_reusing
from ..keras.summary import summarize
from .misconceptions import SHAPE_RULES
from .program import Program, Values


def structural(value) -> bool:
    """Whether a drawn value is bound before reading (it may change the structure)."""
    return not isinstance(value, int) or isinstance(value, bool)


def free_sizes(sizes: dict) -> dict:
    """The drawn sizes a reading leaves free (the whole numbers)."""
    return {k: v for k, v in sizes.items() if not structural(v)}


class Reading:
    """One reading of the source: symbolic in the free sizes (or all numbers, ``exact``).

    A subclass reads one framework's code (:class:`KerasReading`, and
    :class:`symparams.exam.torch_reading.TorchReading`): it sets the model, its summary
    rows, its inputs' shapes and each row's input shape (``_read``), and says how a student's
    wrong window rule is put in force (``shape_rules``, ``_using``)."""

    framework = "keras"
    #: tag -> the wrong window rule that misconception reads the model with
    shape_rules: dict = {}
    #: what the framework calls a row of its summary
    unit = "layer"
    #: whether shapes and compute include the batch axis (PyTorch's do; Keras's say None)
    batch_included = False
    #: whether the framework names the layers the code leaves unnamed by a counter the
    #: student never sees (Keras's conv2d_1): questions then say "the second Conv2D layer"
    automatic_names = True
    #: whether the model's input is a row of its own (Keras's InputLayer)
    input_layer = True

    def textbook(self, row):
        """The row's textbook formula (Keras's layers take their input's shape)."""
        return row.layer.textbook(row.input_shape) if row.layer is not None else None

    def moves_channels(self, layer) -> bool:
        """Whether a student may put this layer's channels on the other side (every Keras
        layer can be channels_first)."""
        return True

    def __init__(self, source: str, path: str, bound: dict, exact: bool):
        self.source, self.path, self.bound, self.exact = source, path, bound, exact
        self._read()
        self.program = Program(_expressions(self.summary, self.input_shapes))
        # what View.valid checks: each output size at least 1, each count and weight size at least 0
        self.bounds = [(d, 1) for r in self.summary.rows for sh in r.output_shapes for d in sh if d is not None]
        self.bounds += [(r.params, 0) for r in self.summary.rows]
        self.bounds += [(d, 0) for r in self.summary.rows for w in r.weights for d in w.shape]
        self._wrong: dict = {}
        self._compute = None

    #: whether a version's derivation is this reading's with its numbers in place (False:
    #: a check found them different, and each version's own source is read)
    in_place = True

    def _read(self) -> None:
        raise NotImplementedError

    def derive_at(self, sizes: dict, known: dict):
        raise NotImplementedError

    def _numbers(self, sizes: dict, values: Values) -> Numbers:
        """The draw's numbers to put in place, with the expressions the program has
        evaluated already (exactly) taken from it."""
        index = self.program.index      # values.slots grows as the program does: read it late
        return Numbers(free_sizes(sizes),
                       lambda e: values.slots[index[e]] if index.get(e, len(values.slots)) < len(values.slots) else None)

    def derivation(self, version, known: dict):
        """A version's worked solution: this reading with the version's numbers in place
        (:meth:`derive_at`), or else the version's own source read and derived."""
        d = self.derive_at(version.sizes, known) if self.in_place else None
        return d if d is not None else self.read_derivation(version, known)

    def read_derivation(self, version, known: dict):
        """The derivation of the version's own source, read again."""
        raise NotImplementedError

    def _using(self, rule):
        raise NotImplementedError

    def wrong(self, tag: str) -> Optional["Reading"]:
        """The same source read with a student's wrong window rule (None: it cannot be read)."""
        if tag not in self._wrong:
            try:
                with self._using(self.shape_rules[tag]):
                    self._wrong[tag] = type(self)(self.source, self.path, self.bound, self.exact)
            except (SymparamsError, ValueError):
                self._wrong[tag] = None
        return self._wrong[tag]

    def view(self, sizes: dict) -> "View":
        return View(self, Values(self.program, sizes))


class KerasReading(Reading):
    """A Keras model read from the spec's source."""

    shape_rules = SHAPE_RULES

    def _read(self) -> None:
        self.model = read_source(self.source, self.path, self.bound).model
        self.summary = summarize(self.model)
        # found once here, not at every draw: the model's inputs and each row's input shape
        self.input_shapes = [t.shape for t in self.model.ordered_graph().inputs]
        self.row_inputs = [_input_shape(r.layer) for r in self.summary.rows]
        self._row_exprs: Optional[list] = None

    def _using(self, rule):
        return window.using(rule)

    @property
    def compute(self):
        if self._compute is None:
            from ..keras.compute import compute
            self._compute = compute(self.model)
        return self._compute

    def derive_at(self, sizes: dict, known: dict):
        """The model's derivation with ``sizes`` in place (the numbers of a reading with
        free sizes, nothing for an exact one), sharing the layers an earlier version
        derived (``known``); None where it cannot be made so (a model inside a layer)."""
        self._list_row_exprs()
        values = Values(self.program, sizes)
        keys = self.row_keys(sizes, values)
        if self.exact:
            return derive_reusing(self.model, keys, known, summary=self.summary)
        if any(k is None for k in keys):
            return None
        try:
            return derive_reusing(self.model, keys, known, at=self._numbers(sizes, values), summary=self.summary)
        except NotInPlace:
            return None

    def read_derivation(self, version, known: dict):
        return derive_reusing(version.read.model, self.row_keys(version.sizes), known)

    def _list_row_exprs(self) -> None:
        if self._row_exprs is None:
            self._row_exprs = [_row_exprs(r) for r in self.summary.rows]
            for exprs in self._row_exprs:
                for e in exprs or ():
                    self.program.add(e)

    def row_keys(self, sizes: dict, values: Optional[Values] = None) -> list:
        """For each summary row, what its layer at ``sizes`` is made from: its name and place,
        the sizes bound before reading, and the values of the expressions its state, its
        inputs' shapes and its weights hold (None for a layer with a model inside). Two
        versions whose keys agree have the same layer there, so its derivation is made once
        (:func:`symparams.derivation.derive_reusing`)."""
        self._list_row_exprs()
        if values is None:
            values = Values(self.program, sizes)
        bound = tuple(sorted(self.bound.items(), key=lambda kv: kv[0]))
        return [None if exprs is None else (r.name, i, bound, tuple(values[e] for e in exprs))
                for i, (r, exprs) in enumerate(zip(self.summary.rows, self._row_exprs))]


def _row_exprs(row) -> Optional[tuple]:
    """The expressions in free sizes a row's layer is made from: every one its state, its
    inputs' shapes, its weights and its outputs hold (None: a layer with a model inside,
    derived each time)."""
    layer = row.layer
    if layer is None or layer.nested_model() is not None:
        return None
    found: dict = {}
    gather_expressions(vars(layer), found, {id(layer)})
    for node in layer._inbound_nodes:
        for t in node.inputs:
            gather_expressions(t.shape, found, set())
    gather_expressions((row.output_shapes, [w.shape for w in row.weights], row.params), found, set())
    return tuple(found)


_GRAPH = ("_inbound_nodes", "_outbound_nodes")
_OPAQUE = (type, types.ModuleType, types.FunctionType, types.MethodType, types.BuiltinFunctionType)


def gather_expressions(value, found: dict, seen: set) -> None:
    """Every expression in free sizes reachable from ``value``, in the order first met (the
    graph's links are not followed: the inputs' shapes are collected on their own)."""
    if isinstance(value, sympy.Basic):
        if value.free_symbols:
            found.setdefault(value, None)
    elif isinstance(value, (str, int, float, bool, type(None))):
        return
    elif isinstance(value, (tuple, list, set, frozenset)):
        for v in value:
            gather_expressions(v, found, seen)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in _GRAPH:
                gather_expressions(k, found, seen)
                gather_expressions(v, found, seen)
    elif isinstance(value, _OPAQUE) or id(value) in seen:
        return
    else:
        seen.add(id(value))
        if hasattr(value, "__dict__"):
            gather_expressions(vars(value), found, seen)
        for cls in type(value).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                gather_expressions(getattr(value, slot, None), found, seen)


def _input_shape(layer) -> Optional[tuple]:
    nodes = getattr(layer, "_inbound_nodes", None)
    return nodes[0].inputs[0].shape if nodes and nodes[0].inputs else None


def _expressions(summary, input_shapes) -> list:
    out = [summary.total, summary.trainable, summary.non_trainable]
    for r in summary.rows:
        out += [r.params, r.trainable, r.non_trainable]
        out += [d for s in r.output_shapes for d in s if d is not None]
        out += [d for w in r.weights for d in w.shape if d is not None]
        out += [d for _, sh in getattr(r, "buffers", ()) for d in sh]
    for shape in input_shapes:
        out += [d for d in shape if d is not None]
    return [e for e in out if hasattr(e, "free_symbols")]


@dataclass
class RowView:
    """One summary row at a draw's numbers."""

    name: str
    type: str
    layer: Any
    params: int
    trainable: int
    non_trainable: int
    shape: Optional[tuple]           # the first output shape
    shapes: tuple
    weights: tuple                   # (name, shape, trainable)
    input_shape: Optional[tuple]
    values_of: Any
    buffers: tuple = ()              # (name, shape): PyTorch's buffers (running statistics)

    def values(self, exprs) -> tuple:
        return tuple(self.values_of[e] for e in exprs)


class View:
    """A reading at one draw: every count and shape as a number (the rows made when first used:
    a wrong reading's view is mostly asked only for its total and whether it is valid)."""

    def __init__(self, reading: Reading, values: Values):
        self.reading = reading
        self.ev = values
        s = reading.summary
        self.total, self.trainable, self.non_trainable = values[s.total], values[s.trainable], values[s.non_trainable]
        self._rows: Optional[list] = None

    def _shape(self, sh) -> tuple:
        values = self.ev
        return tuple(None if d is None else values[d] for d in sh)

    @property
    def rows(self) -> list:
        if self._rows is None:
            values, shape = self.ev, self._shape
            rows = []
            for r, given in zip(self.reading.summary.rows, self.reading.row_inputs):
                shapes = tuple(shape(sh) for sh in r.output_shapes)
                rows.append(RowView(r.name, r.type, r.layer, values[r.params], values[r.trainable],
                                    values[r.non_trainable], shapes[0] if shapes else None, shapes,
                                    tuple((w.name, shape(w.shape), w.trainable) for w in r.weights),
                                    None if given is None else shape(given), values,
                                    tuple((n, shape(sh)) for n, sh in getattr(r, "buffers", ()))))
            self._rows = rows
        return self._rows

    @property
    def input_shapes(self) -> list:
        return [self._shape(sh) for sh in self.reading.input_shapes]

    @property
    def input_size(self) -> int:
        inputs = self.input_shapes
        return sum(math.prod(s[1:]) for s in inputs if None not in s[1:]) if inputs else 0

    @property
    def valid(self) -> bool:
        """No size at or below zero anywhere (the reader refuses such a model at its numbers)."""
        values = self.ev
        for expr, least in self.reading.bounds:
            v = values[expr]
            if not isinstance(v, int) or v < least:
                return False
        return isinstance(self.total, int)

    def row(self, ref) -> RowView:
        from .spec import SpecError
        if isinstance(ref, int) and not isinstance(ref, bool):
            if not 1 <= ref <= len(self.rows):
                raise SpecError(f"layer {ref} is not a row of the model (it has {len(self.rows)})")
            return self.rows[ref - 1]
        for r in self.rows:
            if r.name == ref:
                return r
        raise SpecError(f"no layer named {ref!r}; the model has {', '.join(r.name for r in self.rows)}")

    def macs(self) -> tuple[dict, int]:
        c = self.reading.compute
        return {r.name: self.ev[r.macs] for r in c.rows}, self.ev[c.macs]
