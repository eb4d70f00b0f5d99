"""``Repeat(block, n)``: a block applied ``n`` times in a row, each time with its own weights.

The block (a layer or a model) must keep its input shape, so that its output
can feed the next repetition. Its weights are declared ``n`` times over, as one
stacked weight per block weight with a leading axis of length ``n``, so the
count is ``n`` times the block's and ``n`` may stay a free size. This is how a
model written once with a free depth (``n_layer``) keeps that depth symbolic.
"""

from __future__ import annotations

import sympy

from ...core import bounds
from ...core.dims import as_positive, known_unequal
from ...core.errors import SymparamsError
from .base import Layer, Weight, describe, what_it_is
from .textbook import DERIVED, Textbook, arg
from ...core.formula import mul


class Repeat(Layer):
    prose = "repeat"
    def __init__(self, block: Layer, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(block, Layer):
            raise SymparamsError(f"Repeat needs a layer or a model to repeat, got {what_it_is(block)}")
        self.block = block
        self.n = as_positive(n, "n")

    def check_input(self, in_shapes):
        out = self.block.infer(in_shapes)
        if isinstance(out, list) or isinstance(in_shapes, list) or len(out) != len(in_shapes) or any(
                known_unequal(a, b) for a, b in zip(out, in_shapes)):
            raise self.error(f"a repeated block must keep its input shape, but {self.block.name!r} "
                             f"turns {describe(in_shapes)} into {describe(out)}")

    def declare_weights(self, input_shape):
        for w in _block_weights(self.block):
            yield Weight(w.name, (self.n, *w.shape), w.trainable)

    def compute_output_shape(self, input_shape):
        return input_shape

    def counts_by_type(self) -> dict:
        out: dict = {}
        for layer in self.block.unique_layers():
            for kind, count in layer.counts_by_type().items():
                out[kind] = sympy.expand(out.get(kind, 0) + self.n * count)
        return out

    @property
    def weights(self):
        # The block's weights (and its trainable flags, which can change after
        # the call), stacked n times.
        stacked = [Weight(w.name, (self.n, *w.shape), w.trainable and self.trainable)
                   for w in _block_weights(self.block)]
        return stacked if self._weights is not None else []

    def _sublayers(self) -> list:
        return [self.block]

    def config(self):
        return {"n": self.n, "block": self.block}

    def textbook(self, shape):
        t = Textbook()
        block = sum((w.count for w in self.weights), sympy.Integer(0)) / self.n
        t.formula = mul(t.q("n", self.n, arg("n")), t.q("P_block", bounds.expand(block), DERIVED))
        return t

    def macs(self, i, o, options):
        inner = self.block.macs(i, o, {})
        return None if inner is None else self.n * inner

    def nested_model(self):
        return self.block.nested_model()


def _block_weights(block: Layer) -> list[Weight]:
    return [Weight(f"{layer.name}/{w.name}", w.shape, w.trainable)
            for layer in block.unique_layers() for w in layer.weights]
