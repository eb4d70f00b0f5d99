"""Tensor operations: what ``keras.ops`` (and the Keras 2 backend ``K``) do to shapes.

Keras 3 records ``ops.abs(x)`` or ``x[:, 0]`` on a symbolic tensor as an
*operation* (``keras/src/ops/numpy.py``, ``keras/src/ops/core.py``): a node
of the graph with no weights, named like a layer (``abs``, ``get_item``). Inside
a layer's ``call`` or a ``Lambda`` the same functions only compute shapes.
These classes give those shapes with NumPy's rules (every axis counts, the
batch axis too), which is what ``compute_output_spec`` of each Keras
operation implements.

They are layers to the engine (graph nodes without weights) but not layers
to Keras, so they live in :data:`OPERATIONS`, not in the layer registry.
"""

from __future__ import annotations

from typing import Optional

import sympy

from functools import partial

from ...core.dims import as_size, known_unequal, product
from .base import OPERATOR_LAYERS, Layer, Node, Tensor, no_macs

#: operation classes by the name Keras gives their type
OPERATIONS: dict[str, type] = {}


def _register(cls):
    OPERATIONS[cls.keras_type] = cls
    return cls


def _axis(axis: int, rank: int, layer: Layer) -> int:
    if not isinstance(axis, int) or not -rank <= axis < rank:
        raise layer.error(f"axis {axis} is out of range for a tensor of rank {rank}")
    return axis % rank


def broadcast(shapes: list, layer: Layer) -> tuple:
    """NumPy's broadcasting of full shapes; an unknown size stays unknown unless the other is known."""
    rank = max(len(s) for s in shapes)
    out = []
    for i in range(rank):
        size: Optional[sympy.Expr] = sympy.Integer(1)
        unknown = False
        for shape in shapes:
            j = i - (rank - len(shape))
            if j < 0:
                continue
            s = shape[j]
            if s is None:
                unknown = True
                continue
            if s == 1:
                continue
            if size != 1 and known_unequal(size, s):
                raise layer.error(f"shapes {', '.join(_text(s) for s in shapes)} cannot be broadcast together")
            size = s
        out.append(None if unknown and size == 1 else size)
    return tuple(out)


def _text(shape) -> str:
    from .base import describe
    return describe(shape)


class Operation(Layer):
    """A weightless operation on tensors; ``keras_type`` is Keras's class name for it."""

    keras_type = "Operation"
    prose = "operation"
    macs = no_macs
    inert_args = frozenset()

    def __init__(self, name: Optional[str] = None, **kwargs):
        super().__init__(name=name, **kwargs)

    @property
    def type_name(self) -> str:
        return self.keras_type

    def pack_call(self, *args, **kwargs):
        return list(args) if len(args) > 1 else args[0]


@_register
class Elementwise(Operation):
    """``x + y``, ``ops.maximum(x, y)``: the inputs broadcast to one shape."""

    prose = "merge"

    def __init__(self, keras_type: str = "Add", name: Optional[str] = None):
        self.keras_type = keras_type
        super().__init__(name=name)

    def compute_output_shape(self, input_shape):
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        return broadcast(shapes, self)


@_register
class Unary(Operation):
    """``ops.abs(x)``, ``ops.sqrt(x)``, ``K.l2_normalize(x)``: the shape is kept."""

    def __init__(self, keras_type: str = "Abs", name: Optional[str] = None):
        self.keras_type = keras_type
        super().__init__(name=name)


@_register
class Reduce(Operation):
    """``ops.sum(x, axis, keepdims)`` and the other reductions."""

    def __init__(self, keras_type: str = "Sum", axis=None, keepdims: bool = False,
                 name: Optional[str] = None):
        self.keras_type = keras_type
        self.axis = axis
        self.keepdims = bool(keepdims)
        super().__init__(name=name)

    def compute_output_shape(self, input_shape):
        rank = len(input_shape)
        if self.axis is None:
            axes = set(range(rank))
        else:
            given = self.axis if isinstance(self.axis, (tuple, list)) else [self.axis]
            axes = {_axis(a, rank, self) for a in given}
        if self.keepdims:
            return tuple(sympy.Integer(1) if i in axes else s for i, s in enumerate(input_shape))
        return tuple(s for i, s in enumerate(input_shape) if i not in axes)


@_register
class ReshapeOp(Operation):
    """``ops.reshape(x, shape)``: the whole shape, batch axis included, with at most one -1."""

    keras_type = "Reshape"

    def __init__(self, shape, name: Optional[str] = None):
        self.target = tuple(shape)
        super().__init__(name=name)

    def compute_output_shape(self, input_shape):
        target = [None if s is None else as_size(s) if s != -1 else -1 for s in self.target]
        if target.count(-1) > 1:
            raise self.error("reshape takes at most one -1")
        if -1 in target:
            given, rest = tuple(input_shape), target
            if target[0] is None and given and given[0] is None:
                # reshape(x, (tf.shape(x)[0], -1, h, d)): the batch axis carries over.
                given, rest = given[1:], target[1:]
            known = [s for s in rest if s != -1]
            if None in given or None in known:
                fill = None
            else:
                fill = product(given) / product(known)
                if fill.is_Rational and not fill.is_Integer:
                    raise self.error(f"cannot reshape {_text(input_shape)} to {_text(tuple(self.target))}")
            target[target.index(-1)] = fill
        elif None not in input_shape and None not in target and known_unequal(product(input_shape), product(target)):
            raise self.error(f"cannot reshape {_text(input_shape)} to {_text(tuple(self.target))}")
        return tuple(target)


@_register
class Transpose(Operation):
    keras_type = "Transpose"

    def __init__(self, axes=None, name: Optional[str] = None):
        self.axes = None if axes is None else tuple(axes)
        super().__init__(name=name)

    def compute_output_shape(self, input_shape):
        rank = len(input_shape)
        axes = self.axes if self.axes is not None else tuple(reversed(range(rank)))
        if sorted(_axis(a, rank, self) for a in axes) != list(range(rank)):
            raise self.error(f"axes {axes} are not a permutation of the {rank} axes")
        return tuple(input_shape[_axis(a, rank, self)] for a in axes)


@_register
class ConcatenateOp(Operation):
    keras_type = "Concatenate"

    def __init__(self, axis: int = 0, name: Optional[str] = None):
        self.axis = axis
        super().__init__(name=name)

    def compute_output_shape(self, input_shape):
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes):
            raise self.error("concatenated tensors must have the same rank")
        axis = _axis(self.axis, rank, self)
        out = []
        for i in range(rank):
            sizes = [s[i] for s in shapes]
            if i == axis:
                out.append(None if None in sizes else sum(sizes, sympy.Integer(0)))
            else:
                known = [s for s in sizes if s is not None]
                out.append(known[0] if known else None)
        return tuple(out)


@_register
class Stack(Operation):
    keras_type = "Stack"

    def __init__(self, axis: int = 0, name: Optional[str] = None):
        self.axis = axis
        super().__init__(name=name)

    def compute_output_shape(self, input_shape):
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        first = list(shapes[0])
        axis = _axis(self.axis, len(first) + 1, self)
        first.insert(axis, sympy.Integer(len(shapes)))
        return tuple(first)


@_register
class Matmul(Operation):
    keras_type = "Matmul"

    """``x @ y`` and ``ops.matmul``: NumPy's matmul, with a count of multiply-accumulates."""

    def __init__(self, transpose_b: bool = False, name: Optional[str] = None):
        self.transpose_b = transpose_b
        super().__init__(name=name)

    def _operands(self, input_shape):
        a, b = input_shape
        if self.transpose_b and len(b) >= 2:
            b = (*b[:-2], b[-1], b[-2])
        return a, b

    def compute_output_shape(self, input_shape):
        a, b = self._operands(input_shape)
        if len(a) == 0 or len(b) == 0:
            raise self.error("matmul needs tensors of rank 1 or more")
        k_a = a[-1]
        k_b = b[0] if len(b) == 1 else b[-2]
        if k_a is not None and k_b is not None and known_unequal(k_a, k_b):
            raise self.error(f"matmul of {_text(a)} and {_text(b)}: inner sizes differ")
        head = broadcast([a[:-2], b[:-2]], self) if len(a) > 1 and len(b) > 1 else ()
        rows = (a[-2],) if len(a) > 1 else ()
        cols = (b[-1],) if len(b) > 1 else ()
        if len(a) > 1 and len(b) == 1:
            head = a[:-2]
        if len(a) == 1 and len(b) > 1:
            head = b[:-2]
        return (*head, *rows, *cols)

    def macs(self, in_shapes, out_shapes, options):
        a, _ = self._operands(in_shapes)
        k = a[-1]
        sizes = [s for s in out_shapes[1:]] + [k]
        if any(s is None for s in sizes):
            return None
        return product(sizes)


@_register
class GetItem(Operation):
    keras_type = "GetItem"

    """``x[:, 0]``, ``x[..., 1:]``: integers drop an axis, slices shorten one."""

    def __init__(self, key, name: Optional[str] = None):
        self.key = key if isinstance(key, tuple) else (key,)
        super().__init__(name=name)

    def compute_output_shape(self, input_shape):
        key = list(self.key)
        if any(k is Ellipsis for k in key):
            i = key.index(Ellipsis)
            used = sum(1 for k in key if k is not None and k is not Ellipsis)
            key[i:i + 1] = [slice(None)] * (len(input_shape) - used)
        used = sum(1 for k in key if k is not None)
        if used > len(input_shape):
            raise self.error(f"too many indices for a tensor of shape {_text(input_shape)}")
        key += [slice(None)] * (len(input_shape) - used)
        out, axis = [], 0
        for k in key:
            if k is None:
                out.append(sympy.Integer(1))
                continue
            size = input_shape[axis]
            axis += 1
            if isinstance(k, slice):
                out.append(_slice_length(k, size))
            elif isinstance(k, int) or (isinstance(k, sympy.Basic) and k.is_Integer):
                if size is not None and size.is_Integer and not -size <= int(k) < size:
                    raise self.error(f"index {k} is out of range for an axis of size {size}")
            else:
                raise self.error("a tensor can be indexed only with integers, slices, None and ...")
        return tuple(out)


def _slice_length(k: slice, size):
    if k.start is None and k.stop is None and k.step in (None, 1):
        return size
    if size is not None and size.is_Integer:
        return sympy.Integer(len(range(*k.indices(int(size)))))
    step = 1 if k.step is None else k.step
    if step != 1 or size is None:
        return None
    start, stop = k.start or 0, k.stop
    if isinstance(start, int) and start < 0 and stop is None:
        return sympy.Integer(-start)
    if isinstance(start, int) and start >= 0:
        if stop is None:
            return size - start
        if isinstance(stop, int) and stop >= 0:
            return sympy.Integer(max(stop - start, 0))
        if isinstance(stop, int) and stop < 0:
            return size + stop - start
    return None


@_register
class ExpandDims(Operation):
    keras_type = "ExpandDims"

    def __init__(self, axis: int = -1, name: Optional[str] = None):
        self.axis = axis
        super().__init__(name=name)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape.insert(_axis(self.axis, len(shape) + 1, self), sympy.Integer(1))
        return tuple(shape)


@_register
class Squeeze(Operation):
    keras_type = "Squeeze"

    def __init__(self, axis=None, name: Optional[str] = None):
        self.axis = axis
        super().__init__(name=name)

    def compute_output_shape(self, input_shape):
        rank = len(input_shape)
        if self.axis is None:
            return tuple(s for s in input_shape if s != 1)
        axes = {_axis(a, rank, self) for a in (self.axis if isinstance(self.axis, (tuple, list)) else [self.axis])}
        for a in axes:
            if input_shape[a] is not None and known_unequal(input_shape[a], 1):
                raise self.error(f"cannot squeeze axis {a} of size {input_shape[a]}")
        return tuple(s for i, s in enumerate(input_shape) if i not in axes)


@_register
class Flatten2D(Operation):
    """``K.batch_flatten(x)``: everything after the batch axis on one axis."""

    keras_type = "BatchFlatten"

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else product(rest))


@_register
class Constant(Operation):
    """A tensor made from no input (``ops.arange(n)``, ``ops.zeros(shape)``): a start of the graph."""

    input_layer = True

    def __init__(self, shape, keras_type: str = "Arange", name: Optional[str] = None):
        self.keras_type = keras_type
        super().__init__(name=name)
        self.batch_shape = tuple(as_size(s) for s in shape)
        self._weights = []
        node = Node(self, [], structure=[])
        node.outputs = [Tensor(self.batch_shape, node, 0)]
        self._inbound_nodes.append(node)

    @property
    def output(self) -> Tensor:
        return self._inbound_nodes[0].outputs[0]


# ``x + y`` on tensors is Keras's numpy operation (keras_tensor.py: ``ops.Add().symbolic_call``).
OPERATOR_LAYERS.update({name: partial(Elementwise, name) for name in ("Add", "Subtract", "Multiply")})


def constant(shape, keras_type: str, name: Optional[str] = None) -> Tensor:
    """A tensor made from sizes alone (``ops.arange``, a weight made by ``add_weight``)."""
    return Constant(shape, keras_type, name=name).output


def get_item(tensor: Tensor, key: tuple, name: Optional[str] = None) -> Tensor:
    """``tensor[key]``."""
    return GetItem(key, name=name)(tensor)
