"""Activation layers. Only PReLU has weights."""

from __future__ import annotations

import sympy

from ...core.dims import as_size
from ...core.formula import Num, mul
from .base import Layer, Weight, describe, no_macs
from .textbook import Textbook, axis


class _Elementwise(Layer):
    """A fixed function applied to each value: no weights, no products."""

    prose = "activation"
    macs = no_macs


class Activation(_Elementwise):
    def __init__(self, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.activation = activation


class ReLU(_Elementwise):
    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)


class LeakyReLU(_Elementwise):
    # ``alpha`` is the Keras 2 name of ``negative_slope``.
    inert_args = frozenset({"alpha"})

    def __init__(self, negative_slope=0.3, **kwargs):
        super().__init__(**kwargs)


class ELU(_Elementwise):
    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)


class Softmax(_Elementwise):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)


class PReLU(Layer):
    kind = "prelu"
    inert_args = frozenset({"alpha_initializer", "alpha_regularizer", "alpha_constraint"})
    prose = "prelu"
    macs = no_macs

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [int(a) for a in shared_axes]
        else:
            self.shared_axes = [int(shared_axes)]

    def check_input(self, in_shapes):
        for a in self.shared_axes or ():
            if not 1 <= a < len(in_shapes):
                shown = f"the axis {a}" if abs(a) < 10 ** 6 else "an axis number that large"
                raise self.error(f"shared_axes holds {shown}, which does not fit input "
                                 f"{describe(in_shapes)}: an axis must be 1 to {len(in_shapes) - 1}")

    def declare_weights(self, input_shape):
        shape = list(input_shape[1:])
        for shared in self.shared_axes or ():
            shape[shared - 1] = as_size(1)
        yield Weight("alpha", tuple(shape))

    def config(self):
        return {"shared_axes": self.shared_axes}

    def textbook(self, shape):
        t = Textbook()
        shared = set(self.shared_axes or ())
        sizes = [t.q(f"n_{i}", s, axis(i)) for i, s in enumerate(shape[1:], start=1) if i not in shared]
        t.formula = mul(*sizes) if sizes else Num(sympy.Integer(1))
        return t
