"""Layers whose shapes come from code the user wrote: their own ``Layer`` subclasses and ``Lambda``.

The engine does not read code. A *tracer*, given by whoever does (the source
reader), runs the user's ``build`` and ``call`` on placeholder tensors of the
input's shapes and hands back the output tensors and the block it traced.
What depends on the layer's type stays here: which weights it owns (its own
``add_weight`` ones and those of the layers it tracks, as Keras's
``Layer.weights`` collects them in ``keras/src/layers/layer.py``), the type
name the summary shows, and the block a derivation opens.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from ...core import bounds
from ...core.dims import as_shape
from ...core.errors import ShapeError
from ...core.formula import add
from .base import Layer, Tensor, Weight, flatten, no_macs
from .textbook import DERIVED, Textbook

#: ``tracer(layer, in_shapes, call, first) -> (output shapes, traced block)``
Tracer = Callable[["Layer", Any, Any, bool], tuple]


def tracked_layers(values) -> list[Layer]:
    """Layers held by attributes, in the order Keras tracks them (lists and dicts opened)."""
    found: list[Layer] = []
    seen: set[int] = set()
    stack = list(reversed(list(values)))
    while stack:
        value = stack.pop()
        if isinstance(value, Layer):
            if id(value) not in seen:
                seen.add(id(value))
                found.append(value)
        elif isinstance(value, dict):
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, (list, tuple)):
            stack.extend(reversed(value))
    return found


def owned_weights(layer: Layer, own: list[Weight], tracked: list[Layer]) -> list[Weight]:
    """A block's weights: its own, then each tracked layer's below that layer's name."""
    weights = [Weight(w.name, w.shape, w.trainable and layer.trainable) for w in own]
    seen: set[int] = set()
    for inner in tracked:
        for leaf in inner.unique_layers():
            if id(leaf) in seen:
                continue
            seen.add(id(leaf))
            weights.extend(Weight(f"{leaf.name}/{w.name}", w.shape, w.trainable) for w in leaf.weights)
    return weights


class UserCode:
    """What a user's layer class and a user's model class share (mixed in before Layer)."""

    defined_by_user = True
    class_name: str
    attributes: dict
    own_weights: list

    def _setup(self, class_name: str, tracer: Tracer) -> None:
        self.class_name = class_name
        self._tracer = tracer
        #: what the file's code set on ``self`` (sublayers, sizes), in assignment order
        self.attributes = {}
        #: weights made by ``self.add_weight``
        self.own_weights = []
        self.named = False
        self.block = None

    @property
    def type_name(self) -> str:
        return self.class_name

    @property
    def tracked(self) -> list[Layer]:
        return tracked_layers(self.attributes.values())

    def add_weight(self, name: str, shape, trainable: bool = True) -> Weight:
        """A weight the class makes itself (``self.add_weight`` in ``__init__`` or ``build``)."""
        weight = Weight(name, as_shape(shape), bool(trainable))
        for size in weight.shape:
            bounds.check(size, f"the size of its weight {name!r}")
        self.own_weights.append(weight)
        return weight

    def __call__(self, *args, **kwargs):
        tensors: list[Tensor] = []
        template = _template((args, kwargs), tensors)
        if not tensors:
            raise ShapeError(self.name, "was called without a tensor")
        structure = tensors[0] if len(tensors) == 1 else tensors
        return super().__call__(structure, _call=template)

    def pack_call(self, structure, **kwargs):
        return structure

    def call_options(self, _call=None, **kwargs):
        return {"call": _call}

    def config(self):
        return {"class": self.class_name}


class UserLayer(UserCode, Layer):
    """An instance of a ``keras.layers.Layer`` subclass the file defines."""

    prose = "user_layer"

    def __init__(self, class_name: str, tracer: Tracer):
        self._setup(class_name, tracer)
        Layer.__init__(self, name=f"<{class_name}>")

    def _sublayers(self) -> list:
        return self.tracked

    @property
    def weights(self) -> list[Weight]:
        if self._weights is None:
            return []
        return owned_weights(self, self.own_weights, self.tracked)

    def infer(self, in_shapes, options=None):
        first = self._weights is None
        out_shapes, block = self._tracer(self, in_shapes, (options or {}).get("call"), first)
        if first:
            self._weights = []
            self.block = block
        return out_shapes

    def macs(self, in_shapes, out_shapes, options):
        return None if self.block is None else self.block.macs(in_shapes, out_shapes, {})

    def nested_model(self):
        # Its layers are derived below it; a class with only its own weights has none.
        return self.block if self.tracked else None

    def weights_checked_here(self) -> list[str]:
        # The tracked layers' weights are checked in their own derivations below.
        return [w.name for w in self.own_weights]

    def textbook(self, shape):
        # The sum of its parts: each weight it makes, then each layer it keeps (worked out below).
        t = Textbook()
        terms = [t.q(f"P_{w.name}", bounds.expand(w.count), DERIVED) for w in self.own_weights]
        seen: set[int] = set()
        for inner in self.tracked:
            count = bounds.expand(inner.count_params()) if inner.built else 0
            if id(inner) not in seen and count != 0:
                seen.add(id(inner))
                terms.append(t.q(f"P_{inner.name}", count, DERIVED))
        if not terms:
            return None
        t.formula = add(*terms) if len(terms) > 1 else terms[0]
        return t


def user_layer(class_name: str, tracer: Tracer) -> Layer:
    """A new instance of a user's layer class (named when its ``super().__init__`` runs)."""
    return UserLayer(class_name, tracer)


class Lambda(Layer):
    """``Lambda(function, output_shape=None)``: no weights; the shape from ``output_shape`` or the function."""

    prose = "lambda"
    macs = no_macs
    #: its function is traced by the reader (see :func:`fill`)
    traced_function = True
    inert_args = frozenset({"mask"})

    def __init__(self, function=None, output_shape=None, arguments=None,
                 tracer: Optional[Tracer] = None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.output_shape_given = output_shape
        self.arguments = dict(arguments or {})
        self._tracer = tracer

    def __call__(self, *args, **kwargs):
        return super().__call__(*args, _call=(args, kwargs))

    def call_options(self, _call=None, **kwargs):
        return {"call": _call}

    def compute_output_shape(self, input_shape):
        raise NotImplementedError  # output_shapes_for decides

    def output_shapes_for(self, in_shapes, options):
        given = self.output_shape_given
        if given is not None and not callable(given):
            batch = flatten(in_shapes)[0][0] if isinstance(in_shapes, list) else in_shapes[0]
            if isinstance(given, list):
                return [(batch, *shape) for shape in given]
            return (batch, *given)
        if self._tracer is None:
            raise self.error("its output shape is unknown: give Lambda an output_shape=")
        out, _ = self._tracer(self, in_shapes, options.get("call"), True)
        return out

    def config(self):
        return {}


class _Slot:
    """Where a tensor stood in a call's arguments (a template is refilled with placeholders)."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


def _template(value, tensors: list):
    if isinstance(value, Tensor):
        tensors.append(value)
        return _Slot(len(tensors) - 1)
    if isinstance(value, tuple):
        return tuple(_template(v, tensors) for v in value)
    if isinstance(value, list):
        return [_template(v, tensors) for v in value]
    if isinstance(value, dict):
        return {k: _template(v, tensors) for k, v in value.items()}
    return value


def slot_labels(template, parameters: list[str]) -> dict[int, str]:
    """What the code calls each tensor of a call: ``inputs``, ``x[0]``, ``mask``."""
    labels: dict[int, str] = {}

    def walk(value, label: str) -> None:
        if isinstance(value, _Slot):
            labels[value.index] = label
        elif isinstance(value, (list, tuple)):
            for j, item in enumerate(value):
                walk(item, f"{label}[{j}]")
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{label}[{key!r}]")

    args, kwargs = template
    for name, value in zip(parameters, args):
        walk(value, name)
    for key, value in kwargs.items():
        walk(value, key)
    return labels


def fill(template, tensors: list):
    """A call's arguments with each tensor replaced by the one at its place in ``tensors``."""
    if isinstance(template, _Slot):
        return tensors[template.index]
    if isinstance(template, tuple):
        return tuple(fill(v, tensors) for v in template)
    if isinstance(template, list):
        return [fill(v, tensors) for v in template]
    if isinstance(template, dict):
        return {k: fill(v, tensors) for k, v in template.items()}
    return template
