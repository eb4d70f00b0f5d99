"""The base of every layer: weights, naming, calling a layer on tensors.

A layer is configured like its Keras counterpart and answers two pure
questions about a (possibly symbolic) input shape:

* :meth:`Layer.declare_weights` yields its :class:`Weight` objects with the
  names, shapes and trainable flags that Keras's ``build`` gives them;
* :meth:`Layer.compute_output_shape` gives the output shape(s).

Calling a layer on :class:`Tensor` objects records a :class:`Node` in the graph
(as Keras does), so functional models, sharing and nesting work unchanged.
"""

from __future__ import annotations

import re
from collections import defaultdict
from contextlib import contextmanager
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable, Iterator, Optional, Sequence

import sympy

from ...core import bounds
from ...core.dims import Shape, as_shape, as_size, format_size, product, symbol
from ...core.in_place import InPlace
from ...core.errors import ShapeError, SymparamsError
from .textbook import AxisRule, Textbook

# --------------------------------------------------------------------------
# Naming: Keras 3 gives "dense", "dense_1", ... from one counter per prefix.

_uids: defaultdict[str, int] = defaultdict(int)


@lru_cache(maxsize=1024)
def to_snake_case(name: str) -> str:
    # Cached: every layer made asks it for its class's name, and three regular expressions
    # are most of a small layer's construction.
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def auto_name(prefix: str) -> str:
    """The next Keras-style unique name for ``prefix`` (a class name)."""
    prefix = to_snake_case(prefix)
    uid = _uids[prefix]
    _uids[prefix] += 1
    return f"{prefix}_{uid}" if uid else prefix


def clear_session() -> None:
    """Restart automatic names, like ``keras.backend.clear_session()``."""
    _uids.clear()


@contextmanager
def naming_scope() -> Iterator[None]:
    """Names restart inside the block and the caller's counters are restored after."""
    saved = dict(_uids)
    _uids.clear()
    try:
        yield
    finally:
        _uids.clear()
        _uids.update(saved)


# --------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class Weight:
    """One weight tensor of a layer: its Keras name, shape and trainable flag.

    ``name`` is the path below the layer, as Keras's ``variable.path`` has it
    (``kernel``, ``query/kernel``, ``forward_lstm/lstm_cell/kernel``).
    """

    name: str
    shape: Shape
    trainable: bool = True

    def __post_init__(self) -> None:
        # Sizes are sympy values everywhere downstream, whoever wrote the shape.
        if any(isinstance(s, int) for s in self.shape):
            object.__setattr__(self, "shape", tuple(sympy.Integer(s) if isinstance(s, int) else s
                                                    for s in self.shape))

    @property
    def count(self) -> sympy.Expr:
        return product(self.shape)


class UnknownArgumentError(SymparamsError, TypeError):
    """A layer was given a keyword argument that its Keras class does not take."""

    def __init__(self, cls_name: str, names: Sequence[str]):
        self.cls_name = cls_name
        self.names = list(names)
        listed = ", ".join(repr(n) for n in names)
        super().__init__(f"{cls_name} does not take the keyword argument{'s' if len(names) > 1 else ''} {listed}")


# Keyword arguments every Keras layer takes and that never change a size.
COMMON_INERT = frozenset({
    "dtype", "autocast", "activity_regularizer", "weights", "implementation",
    "seed", "input_dtype",
})
# Arguments of layers with a kernel and a bias that never change a size.
KERNEL_INERT = frozenset({
    "activation", "kernel_initializer", "bias_initializer", "kernel_regularizer",
    "bias_regularizer", "kernel_constraint", "bias_constraint", "lora_rank",
    "lora_alpha", "quantization_config",
})


#: what makes the operation behind each tensor operator (``Add`` for ``+``), filled in by ``ops``
OPERATOR_LAYERS: dict[str, Any] = {}


class Tensor:
    """A symbolic tensor: a shape and the layer call that produced it."""

    __slots__ = ("shape", "node", "index")

    def __init__(self, shape: Shape, node: Optional["Node"] = None, index: int = 0):
        self.shape = tuple(shape)
        self.node = node
        self.index = index

    @property
    def layer(self) -> Optional["Layer"]:
        return self.node.layer if self.node else None

    def __repr__(self) -> str:
        origin = f" from {self.node.layer.name}" if self.node else ""
        return f"<Tensor shape=({', '.join(format_size(s) for s in self.shape)}){origin}>"

    # Operators on tensors are layers, as in Keras (``x + y`` is an Add). The
    # ops module registers them here, so this module need not import it.
    def _merge(self, other, cls_name: str, reverse: bool = False):
        operands = [other, self] if reverse else [self, other]
        if not all(isinstance(o, Tensor) for o in operands):
            raise SymparamsError(f"operator {cls_name} on a tensor needs another tensor")
        return OPERATOR_LAYERS[cls_name]()(operands)

    def __add__(self, other):
        return self._merge(other, "Add")

    def __radd__(self, other):
        return self._merge(other, "Add", reverse=True)

    def __sub__(self, other):
        return self._merge(other, "Subtract")

    def __mul__(self, other):
        return self._merge(other, "Multiply")

    def __rmul__(self, other):
        return self._merge(other, "Multiply", reverse=True)


@dataclass(eq=False)
class Node:
    """One call of a layer: the tensors it took and the tensors it made."""

    layer: "Layer"
    inputs: list[Tensor]
    outputs: list[Tensor] = field(default_factory=list)
    # How the inputs were passed (a tensor, a list, or the call's own packing)
    # so a nested model can replay the call with other shapes.
    structure: Any = None
    # Call arguments that changed the outputs (``return_attention_scores=True``).
    options: dict = field(default_factory=dict)

    @property
    def is_input(self) -> bool:
        return not self.inputs

    @property
    def index(self) -> int:
        return self.layer._inbound_nodes.index(self)

    @property
    def parent_nodes(self) -> list["Node"]:
        return [t.node for t in self.inputs if t.node is not None]


# --------------------------------------------------------------------------
# Structures of shapes/tensors: a single item or a (nested) list of them.


def map_structure(fn, structure):
    if isinstance(structure, (list, tuple)) and not _is_shape(structure):
        return [map_structure(fn, s) for s in structure]
    return fn(structure)


def flatten(structure) -> list:
    if isinstance(structure, (list, tuple)) and not _is_shape(structure):
        return [item for s in structure for item in flatten(s)]
    return [structure]


def _is_shape(value) -> bool:
    return isinstance(value, tuple) and all(v is None or isinstance(v, sympy.Basic) for v in value)


def shapes_of(structure):
    return map_structure(lambda t: t.shape, structure)


# --------------------------------------------------------------------------
# Compute conventions shared by the families (see symparams/compute.py)

ZERO = sympy.Integer(0)


def positions(shape, drop_last: bool = True) -> sympy.Expr:
    """Positions a per-vector operation runs at: every axis but the batch (and the last).

    An unknown length (a sequence of any length) is the symbol ``T``.
    """
    axes = shape[1:-1] if drop_last else shape[1:]
    sizes = [symbol("T") if s is None else s for s in axes]
    return product(sizes) if sizes else sympy.Integer(1)


def steps(shape) -> sympy.Expr:
    """The time steps of a sequence input (``T`` when unknown)."""
    return symbol("T") if shape[1] is None else shape[1]


def what_it_is(value) -> str:
    """A value as an error message names it: a layer by its name, anything else by its kind."""
    if isinstance(value, Layer):
        return f"layer {value.name!r}"
    if isinstance(value, (int, float, str, bool)) or value is None:
        return repr(value)
    return f"a {type(value).__name__}" if type(value).__module__ == "builtins" else "a value of another kind"


def no_macs(self, in_shapes, out_shapes, options) -> sympy.Expr:
    """For layers with no matrix product or convolution: 0 MACs, by the convention."""
    return ZERO


# --------------------------------------------------------------------------


class Layer(InPlace):
    """Base class of every layer.

    Subclasses set their size-shaping configuration in ``__init__`` (with the
    Keras argument names), list the Keras arguments that do not change sizes
    in ``inert_args``, and implement ``declare_weights`` and
    ``compute_output_shape``.
    """

    inert_args: ClassVar[frozenset[str]] = frozenset()
    #: a copy at numbers (:meth:`at`) shares the graph with this layer
    in_place_links: ClassVar[frozenset[str]] = frozenset({"_inbound_nodes", "_outbound_nodes"})
    #: rank of the input including the batch axis, when the layer requires one
    input_rank: ClassVar[Optional[int]] = None
    #: the macro of templates/prose.j2 that explains this kind of layer
    prose: ClassVar[str] = "generic"
    #: whether it is the layer behind ``Input`` (the start of a graph)
    input_layer: ClassVar[bool] = False
    #: the exam's misconceptions (tags in symparams/exam/misconceptions.py) that apply to it
    misconceptions: ClassVar[frozenset[str]] = frozenset()
    #: what it is in any framework, so that ``symparams compare`` lines up a Dense with a
    #: PyTorch Linear ("linear"); None: a kind of its own, named by its type
    kind: ClassVar[Optional[str]] = None
    #: its weights that are running statistics (BatchNormalization's moving mean and
    #: variance), which Keras counts as non-trainable parameters and PyTorch keeps as buffers
    statistics: ClassVar[tuple[str, ...]] = ()
    #: whether its kernels put the output axis first: Keras's are (..., in, out)
    kernel_out_first: ClassVar[bool] = False
    #: the names of its input's sizes when a model never gives its input (None: named by
    #: the rank it takes, ``steps``, ``height``...)
    input_sizes: ClassVar[Optional[tuple[str, ...]]] = None
    #: layers Keras creates inside it when it is built, which use up automatic names
    inner_layers: ClassVar[tuple[str, ...]] = ()
    #: whether it is an instance of a class the user's file defines (its code is traced)
    defined_by_user: ClassVar[bool] = False
    #: whether it takes a function of tensors that the reader traces (``Lambda``)
    traced_function: ClassVar[bool] = False

    def __init__(self, *, name: Optional[str] = None, trainable: bool = True,
                 input_shape=None, batch_input_shape=None, batch_size=None,
                 input_dim=None, **kwargs):
        unknown = [k for k in kwargs if k not in self.inert_args and k not in COMMON_INERT]
        if unknown:
            raise UnknownArgumentError(type(self).__name__, unknown)
        self.name: str = name if name is not None else auto_name(self.type_name)
        self._trainable = bool(trainable)
        self._weights: Optional[list[Weight]] = None
        self._inbound_nodes: list[Node] = []
        # Keras 2 style ``input_shape=`` on the first layer of a Sequential.
        self.batch_input_shape: Optional[Shape] = None
        if batch_input_shape is not None:
            self.batch_input_shape = as_shape(batch_input_shape)
        elif input_shape is not None:
            self.batch_input_shape = (as_size(batch_size),) + as_shape(input_shape)
        elif input_dim is not None:
            self.batch_input_shape = (as_size(batch_size), as_size(input_dim))

    @property
    def type_name(self) -> str:
        """The type Keras's summary shows (the user's class name for their own layers)."""
        return type(self).__name__

    # ---- what a subclass provides -------------------------------------
    def declare_weights(self, input_shape) -> Iterable[Weight]:
        """The weights Keras's ``build`` creates for this input shape."""
        return ()

    def compute_output_shape(self, input_shape):
        return input_shape

    def config(self) -> dict[str, Any]:
        """The size-shaping configuration, for summaries and derivations."""
        return {}

    # ---- what a subclass may provide to explain itself -------------------
    def textbook(self, input_shape) -> Optional["Textbook"]:
        """Its parameter count as a formula in named sizes (None: no textbook form)."""
        return None

    def axis_rules(self, input_shape) -> list["AxisRule"]:
        """The working of each output size a reader would want to see."""
        return []

    def macs(self, in_shapes, out_shapes, options: dict) -> Optional[sympy.Expr]:
        """Multiply-accumulates of one call for one example; None: symparams does not count them.

        Layers with no matrix product or convolution return 0, by the
        convention of :mod:`symparams.compute`.
        """
        return None

    def nested_model(self):
        """The model inside this layer that a derivation opens (a nested model, a repeated block)."""
        return None

    def unique_layers(self) -> list["Layer"]:
        """The layers that own its weights, each once (a model opens itself)."""
        return [self]

    def weights_checked_here(self) -> list[str]:
        """Names of the weights its derivation multiplies out (the rest are derived below it)."""
        return [w.name for w in self.weights]

    # ---- state --------------------------------------------------------
    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        # As in Keras 3, freezing a layer freezes every layer inside it.
        self._trainable = bool(value)
        for inner in self._sublayers():
            inner.trainable = value

    def _sublayers(self) -> list:
        """Layers inside this one (a model's layers, a repeated block) that freezing reaches."""
        return []

    @property
    def built(self) -> bool:
        return self._weights is not None

    @property
    def weights(self) -> list[Weight]:
        """The weights as built, with the layer's own trainable flag applied."""
        if self._weights is None:
            return []
        if self.trainable:
            return list(self._weights)
        return [Weight(w.name, w.shape, False) for w in self._weights]

    @property
    def trainable_weights(self) -> list[Weight]:
        return [w for w in self.weights if w.trainable]

    @property
    def non_trainable_weights(self) -> list[Weight]:
        return [w for w in self.weights if not w.trainable]

    def count_params(self) -> sympy.Expr:
        return sum((w.count for w in self.weights), sympy.Integer(0))

    def counts_by_type(self) -> dict:
        """Its parameters by the type of the layer that holds them (what ``scale``'s shares
        by part add up): its own type here; a repeated block splits into its own layers."""
        return {type(self).__name__: sympy.expand(self.count_params())}

    @property
    def input_shape(self):
        self._require_called()
        return shapes_of(self._inbound_nodes[0].structure)

    @property
    def output_shape(self):
        self._require_called()
        outs = self._inbound_nodes[-1].outputs
        return outs[0].shape if len(outs) == 1 else [t.shape for t in outs]

    @property
    def output(self):
        self._require_called()
        outs = self._inbound_nodes[0].outputs
        return outs[0] if len(outs) == 1 else outs

    def _require_called(self):
        if not self._inbound_nodes:
            raise SymparamsError(f"layer {self.name!r} has not been called on an input yet")

    # ---- calling --------------------------------------------------------
    def pack_call(self, *args, **kwargs):
        """The structure of input tensors of a call (one tensor, or a list)."""
        if not args:
            if "inputs" in kwargs:
                return kwargs["inputs"]
            raise SymparamsError(f"layer {self.name!r} was called without an input")
        return args[0]

    def extra_inputs(self, *args, **kwargs) -> list[Tensor]:
        """Tensors a call takes besides its main inputs (a decoder's ``initial_state``)."""
        return []

    def call_options(self, **kwargs) -> dict[str, Any]:
        """Call arguments that change the outputs (``return_attention_scores``...)."""
        return {}

    def __call__(self, *args, **kwargs):
        structure = self.pack_call(*args, **kwargs)
        flat = flatten(structure) + self.extra_inputs(*args, **kwargs)
        for t in flat:
            if not isinstance(t, Tensor):
                raise SymparamsError(f"layer {self.name!r} was called on {what_it_is(t)}, not on a tensor")
        options = self.call_options(**kwargs)
        in_shapes = shapes_of(structure)
        try:
            out_shapes = self.infer(in_shapes, options)
            self._check_cost(out_shapes)
        except bounds.TooLarge as exc:
            raise ShapeError(self.name, str(exc)) from None
        node = Node(self, flat, structure=structure, options=options)
        self._inbound_nodes.append(node)
        outs = [Tensor(s, node, i) for i, s in enumerate(flatten_shapes(out_shapes))]
        node.outputs = outs
        return outs[0] if not _is_multi(out_shapes) else _restructure(out_shapes, iter(outs))

    def infer(self, in_shapes, options: Optional[dict] = None):
        """Build on first use (or check a shared call) and give the output shapes."""
        self.check_input(in_shapes)
        weights = list(self.declare_weights(in_shapes))
        if self._weights is None:
            for inner in self.inner_layers:
                auto_name(inner)
            self._weights = weights
        elif [w.shape for w in weights] != [w.shape for w in self._weights]:
            raise ShapeError(self.name, f"called again on input {describe(in_shapes)}, "
                             f"which needs other weights than its first call")
        return self.output_shapes_for(in_shapes, options or {})

    def _check_cost(self, out_shapes) -> None:
        """Refuse sizes that would cost more than :mod:`symparams.bounds` allows.

        Every size downstream (totals, derivations, scaling) is built from
        these, so checking them here bounds all later work.
        """
        for shape in flatten_shapes(out_shapes):
            for size in shape:
                bounds.check(size, "its output size")
        for weight in self._weights or ():
            # The count is the product of the axes: bound it from the axes, without building it.
            terms = 1
            for size in weight.shape:
                bounds.check(size, f"the size of its weight {weight.name!r}")
                terms *= bounds.expanded_terms(size)
            if terms > bounds.MAX_EXPANDED_TERMS:
                raise bounds.TooLarge(f"the size of its weight {weight.name!r} expands to more "
                                      f"than {bounds.MAX_EXPANDED_TERMS:,} terms; give the free "
                                      "sizes values with --subs")

    def output_shapes_for(self, in_shapes, options: dict):
        return self.compute_output_shape(in_shapes)

    def check_input(self, in_shapes) -> None:
        if self.input_rank is not None and not isinstance(in_shapes, list):
            if len(in_shapes) != self.input_rank:
                raise ShapeError(self.name, f"{type(self).__name__} expects input of rank "
                                 f"{self.input_rank}, got shape {describe(in_shapes)}")

    def error(self, message: str) -> ShapeError:
        return ShapeError(self.name, message)

    def __repr__(self) -> str:
        return f"<{self.type_name} name={self.name}>"


def _is_multi(out_shapes) -> bool:
    return isinstance(out_shapes, list)


def flatten_shapes(out_shapes) -> list[Shape]:
    if isinstance(out_shapes, list):
        return [s for o in out_shapes for s in flatten_shapes(o)]
    return [out_shapes]


def _restructure(out_shapes, tensors):
    if isinstance(out_shapes, list):
        return [_restructure(o, tensors) for o in out_shapes]
    return next(tensors)


def describe(shapes) -> str:
    """A shape (or list of shapes) as Keras prints it: ``(None, 28, 28, 1)``."""
    if isinstance(shapes, list):
        return "[" + ", ".join(describe(s) for s in shapes) + "]"
    inner = ", ".join(format_size(s) for s in shapes)
    return f"({inner},)" if len(shapes) == 1 else f"({inner})"
