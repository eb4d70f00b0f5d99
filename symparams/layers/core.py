"""InputLayer, Dense, EinsumDense-free core layers, Embedding, Identity."""

from __future__ import annotations

from typing import Optional

from ..dims import Shape, as_positive, as_shape, as_size
from ..formula import add, mul
from .base import KERNEL_INERT, Layer, Node, Tensor, Weight, describe, no_macs, positions
from .textbook import Textbook, arg, axis


class InputLayer(Layer):
    """The layer behind ``Input(shape)``; it has no weights."""

    prose = "input"
    input_layer = True
    misconceptions = frozenset({"invented_params"})
    macs = no_macs

    def __init__(self, shape=None, batch_size=None, name=None, batch_shape=None,
                 input_shape=None, batch_input_shape=None, sparse=None, ragged=None,
                 input_tensor=None, optional=False, **kwargs):
        super().__init__(name=name, **kwargs)
        if batch_shape is None and batch_input_shape is not None:
            batch_shape = batch_input_shape
        if shape is None and input_shape is not None:
            shape = input_shape
        if batch_shape is not None:
            self.batch_shape: Shape = as_shape(batch_shape)
        elif shape is not None:
            if not isinstance(shape, (tuple, list)):
                shape = (shape,)
            self.batch_shape = (as_size(batch_size),) + as_shape(shape)
        else:
            raise TypeError("InputLayer needs a shape")
        self._weights = []
        # The input node has no inbound tensors; its one output is the model input.
        node = Node(self, [], structure=[])
        node.outputs = [Tensor(self.batch_shape, node, 0)]
        self._inbound_nodes.append(node)

    def config(self):
        return {"batch_shape": self.batch_shape}


class Dense(Layer):
    inert_args = KERNEL_INERT
    prose = "dense"
    misconceptions = frozenset({"bias_per_input"})

    def __init__(self, units, activation=None, use_bias: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.units = as_positive(units, "units")
        self.use_bias = bool(use_bias)

    def check_input(self, in_shapes):
        if len(in_shapes) < 2 or in_shapes[-1] is None:
            raise self.error(f"Dense needs a known last dimension, got input {describe(in_shapes)}")

    def declare_weights(self, input_shape):
        yield Weight("kernel", (input_shape[-1], self.units))
        if self.use_bias:
            yield Weight("bias", (self.units,))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def config(self):
        return {"units": self.units, "use_bias": self.use_bias}

    def textbook(self, shape):
        t = Textbook()
        n_in = t.q("n_in", shape[-1], axis(len(shape) - 1))
        n_out = t.q("n_out", self.units, arg("units"))
        t.formula = mul(add(n_in, 1), n_out) if self.use_bias else mul(n_in, n_out)
        return t

    def macs(self, i, o, options):
        return positions(i) * i[-1] * self.units


class Embedding(Layer):
    inert_args = frozenset({"embeddings_initializer", "embeddings_regularizer",
                            "embeddings_constraint", "mask_zero", "weights", "lora_rank",
                            "lora_alpha", "sparse", "quantization_config"})

    def __init__(self, input_dim, output_dim, input_length: Optional[int] = None, **kwargs):
        # ``input_length`` is Keras 2's way to give the sequence length.
        if input_length is not None and "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,)
        super().__init__(**kwargs)
        self.input_dim = as_positive(input_dim, "input_dim")
        self.output_dim = as_positive(output_dim, "output_dim")

    prose = "embedding"
    macs = no_macs  # a lookup, not a product

    def declare_weights(self, input_shape):
        yield Weight("embeddings", (self.input_dim, self.output_dim))

    def textbook(self, shape):
        t = Textbook()
        t.formula = mul(t.q("V", self.input_dim, arg("input_dim")),
                        t.q("d", self.output_dim, arg("output_dim")))
        return t

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def config(self):
        return {"input_dim": self.input_dim, "output_dim": self.output_dim}


class Identity(Layer):
    prose = "activation"
    macs = no_macs


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
          name=None, tensor=None, optional=False, ragged=None) -> Tensor:
    """A symbolic input tensor, like ``keras.Input``; sizes may be names or symbols."""
    layer = InputLayer(shape=shape, batch_size=batch_size, batch_shape=batch_shape, name=name)
    return layer.output
