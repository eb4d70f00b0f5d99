"""Activation layers. Only PReLU has weights."""

from __future__ import annotations

from ..dims import as_size
from .base import Layer, Weight


class Activation(Layer):
    def __init__(self, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.activation = activation


class ReLU(Layer):
    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)


class LeakyReLU(Layer):
    # ``alpha`` is the Keras 2 name of ``negative_slope``.
    inert_args = frozenset({"alpha"})

    def __init__(self, negative_slope=0.3, **kwargs):
        super().__init__(**kwargs)


class ELU(Layer):
    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)


class Softmax(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)


class PReLU(Layer):
    inert_args = frozenset({"alpha_initializer", "alpha_regularizer", "alpha_constraint"})

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [int(a) for a in shared_axes]
        else:
            self.shared_axes = [int(shared_axes)]

    def declare_weights(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            shape[axis - 1] = as_size(1)
        yield Weight("alpha", tuple(shape))

    def config(self):
        return {"shared_axes": self.shared_axes}
