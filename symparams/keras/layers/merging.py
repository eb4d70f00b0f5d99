"""Layers that combine several tensors. None has weights."""

from __future__ import annotations

from ...core.dims import as_size, known_unequal
from ...core.formula import add as sum_of
from .base import Layer, describe, no_macs, positions
from .textbook import AxisRule, Textbook, axis


class Merge(Layer):
    """Element-wise merges with Keras's broadcasting rule."""

    prose = "merge"
    macs = no_macs  # element-wise: no products, by the convention

    min_inputs = 1
    max_inputs = None

    def check_input(self, in_shapes):
        if not isinstance(in_shapes, list):
            raise self.error(f"{type(self).__name__} must be called on a list of tensors")
        n = len(in_shapes)
        if n < self.min_inputs or (self.max_inputs is not None and n > self.max_inputs):
            want = self.min_inputs if self.max_inputs == self.min_inputs else f"at least {self.min_inputs}"
            raise self.error(f"{type(self).__name__} takes {want} inputs, got {n}")

    def compute_output_shape(self, input_shape):
        out = tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            out = self._broadcast(out, tuple(shape[1:]), input_shape)
        batches = {s[0] for s in input_shape} - {None}
        batch = next(iter(batches)) if len(batches) == 1 else None
        return (batch, *out)

    def _broadcast(self, a, b, all_shapes):
        if len(a) < len(b):
            a, b = b, a
        if not b:
            return a
        out = list(a[: len(a) - len(b)])
        for i, j in zip(a[len(a) - len(b):], b):
            if i is None or j is None:
                out.append(None)
            elif i == 1:
                out.append(j)
            elif j == 1:
                out.append(i)
            else:
                if known_unequal(i, j):
                    raise self.error(f"inputs have incompatible shapes {describe(all_shapes)}")
                out.append(i)
        return tuple(out)


class Add(Merge):
    min_inputs = 1


class Subtract(Merge):
    min_inputs = max_inputs = 2


class Multiply(Merge):
    pass


class Average(Merge):
    pass


class Maximum(Merge):
    pass


class Minimum(Merge):
    pass


class Concatenate(Merge):
    prose = "concatenate"

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def check_input(self, in_shapes):
        super().check_input(in_shapes)
        ranks = {len(s) for s in in_shapes}
        if len(ranks) != 1:
            raise self.error(f"Concatenate needs inputs of one rank, got {describe(in_shapes)}")
        rank = ranks.pop()
        axis = self.axis % rank
        for i in range(rank):
            if i == axis:
                continue
            sizes = [s[i] for s in in_shapes if s[i] is not None]
            if any(known_unequal(sizes[0], x) for x in sizes[1:]):
                raise self.error(f"Concatenate on axis {self.axis} needs inputs that match on every "
                                 f"other axis, got {describe(in_shapes)}")

    def compute_output_shape(self, input_shape):
        out = list(input_shape[0])
        for shape in input_shape[1:]:
            if out[self.axis] is None or shape[self.axis] is None:
                out[self.axis] = None
                break
            out[self.axis] = out[self.axis] + shape[self.axis]
        return tuple(out)

    def config(self):
        return {"axis": self.axis}

    def axis_rules(self, input_shape):
        ax = self.axis % len(input_shape[0])
        sizes = [s[ax] for s in input_shape]
        if any(s is None for s in sizes):
            return []
        t = Textbook()
        names = [t.q(f"n_{i + 1}", s, axis(ax, i)) for i, s in enumerate(sizes)]
        return [AxisRule(ax, "n_out", sum_of(*names), t.quantities)]


class Dot(Merge):
    min_inputs = max_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.axes = int(axes) if not isinstance(axes, (list, tuple)) else [int(a) for a in axes]

    def _axes(self, shape1, shape2):
        if isinstance(self.axes, int):
            if self.axes < 0:
                return [self.axes % len(shape1), self.axes % len(shape2)]
            return [self.axes, self.axes]
        return [a % len(s) if a < 0 else a for a, s in zip(self.axes, (shape1, shape2))]

    def check_input(self, in_shapes):
        super().check_input(in_shapes)
        a1, a2 = self._axes(*in_shapes)
        for summed, shape in ((a1, in_shapes[0]), (a2, in_shapes[1])):
            if not 1 <= summed < len(shape):
                raise self.error(f"Dot over axes {self.axes} does not fit inputs "
                                 f"{describe(in_shapes)}: an axis must be 1 to {len(shape) - 1} "
                                 "(or negative)")
        if known_unequal(in_shapes[0][a1], in_shapes[1][a2]):
            raise self.error(f"Dot over axes {self.axes} needs equal sizes, got {describe(in_shapes)}")

    def compute_output_shape(self, input_shape):
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        a1, a2 = self._axes(shape1, shape2)
        shape1.pop(a1)
        shape2.pop(a2)
        shape2.pop(0)
        out = shape1 + shape2
        if len(out) == 1:
            out.append(as_size(1))
        return tuple(out)

    def config(self):
        return {"axes": self.axes}

    def macs(self, i, o, options):
        a1, _ = self._axes(i[0], i[1])
        return positions(o, drop_last=False) * i[0][a1]




# Keras's functional forms: ``concatenate([a, b])`` is ``Concatenate()([a, b])``.
def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, **kwargs):
    return Dot(axes=axes, **kwargs)(inputs)
