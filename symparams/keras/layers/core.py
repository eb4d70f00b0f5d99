"""Core layers: InputLayer and Input, Dense, EinsumDense, Embedding, Masking, Identity."""

from __future__ import annotations

import re
from typing import Optional

import sympy

from ...core.dims import Shape, as_positive, as_shape, as_size, known_unequal, product
from ...core.formula import add, mul
from .base import KERNEL_INERT, Layer, Node, Tensor, Weight, describe, no_macs, positions
from .textbook import Textbook, arg, axis


class InputLayer(Layer):
    """The layer behind ``Input(shape)``; it has no weights."""

    prose = "input"
    input_layer = True
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
    kind = "linear"
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
    kind = "embedding"
    input_sizes = ("sequence_length",)
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


class Masking(Layer):
    """Marks the time steps equal to ``mask_value`` so later layers skip them; no weights."""

    prose = "masking"
    macs = no_macs

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)


class EinsumDense(Layer):
    """A dense layer written as an einsum equation (keras/src/layers/core/einsum_dense.py).

    The kernel's axes are named by the equation's weight letters; each takes its
    size from the output shape when the letter appears in the output, else from
    the input (``_analyze_split_string``). The bias covers the ``bias_axes``
    letters, from the first of them to the end of the output, with 1 elsewhere.
    """
    kind = "linear"

    inert_args = KERNEL_INERT | {"gptq_unpacked_column_size"}
    prose = "einsum_dense"

    def __init__(self, equation, output_shape, activation=None, bias_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.equation = str(equation)
        shape = output_shape if isinstance(output_shape, (list, tuple)) else (output_shape,)
        self.partial_output_shape = tuple(None if s is None else as_positive(s, "output_shape")
                                          for s in shape)
        self.bias_axes = bias_axes
        self.spec = _einsum_spec(self.equation)

    def _analyze(self, input_shape):
        return _analyze_einsum(self, input_shape)

    def check_input(self, in_shapes):
        if isinstance(in_shapes, list):
            raise self.error("EinsumDense takes one input")
        self._analyze(in_shapes)

    def declare_weights(self, input_shape):
        kernel, bias, _ = self._analyze(input_shape)
        yield Weight("kernel", tuple(size for _, size, _ in kernel))
        if bias is not None:
            yield Weight("bias", tuple(size for _, size, _ in bias))

    def compute_output_shape(self, input_shape):
        return tuple(self._analyze(input_shape)[2])

    def config(self):
        return {"equation": self.equation, "output_shape": self.partial_output_shape,
                "bias_axes": self.bias_axes}

    def textbook(self, shape):
        t = Textbook()
        kernel, bias, _ = self._analyze(shape)

        def names(axes):
            return [t.q(f"n_{letter}", size, origin) for letter, size, origin in axes
                    if not (size.is_Integer and size == 1)]
        terms = [mul(*names(kernel))]
        if bias is not None:
            terms.append(mul(*names(bias)))
        t.formula = add(*terms)
        return t

    def macs(self, i, o, options):
        # One multiply-accumulate for each combination of the letters the input and the
        # kernel carry (the batch excluded), times the axes "..." stands for.
        kernel, _, out = self._analyze(i)
        input_spec, weight_spec, _, elided, left = self.spec
        sizes = {letter: size for letter, size, _ in kernel}
        offset = len(i) - len(input_spec) if left else 0
        for j, letter in enumerate(input_spec):
            sizes.setdefault(letter, i[j + offset])
        batch_letter = None if left else input_spec[0]
        total = product(s for letter, s in sizes.items() if letter != batch_letter)
        rest = i[1:len(i) - len(input_spec)] if left else i[len(input_spec):]
        return total * (product(rest) if rest else 1)


def _einsum_spec(equation: str):
    """``(input, weight, output, elided, left)`` from ``ab,bc->ac``, ``...ab,bc->...ac`` or ``ab...,bc->ac...``."""
    text = re.sub(r"\.\.\.", "0", equation.replace(" ", ""))
    for pattern, elided, left in (("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", False, False),
                                  ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", True, True),
                                  ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", True, False)):
        m = re.fullmatch(pattern, text)
        if m:
            return m.group(1), m.group(2), m.group(3), elided, left
    raise ValueError(f"invalid einsum equation {equation!r}: equations must look like "
                     "ab,bc->ac, ...ab,bc->...ac or ab...,bc->ac...")


def _analyze_einsum(layer: EinsumDense, input_shape):
    """Kernel and bias axes (letter, size, origin) and the full output shape, as Keras builds them."""
    input_spec, weight_spec, output_spec, _, left = layer.spec
    elided = len(input_shape) - len(input_spec)
    if elided < 0:
        raise layer.error(f"the equation {layer.equation!r} needs an input of rank "
                          f"{len(input_spec)} or more, got {describe(input_shape)}")
    output = [input_shape[0], *layer.partial_output_shape]
    output_origin = {}
    if elided > 0 and left:
        for k in range(1, elided):
            output.insert(k, input_shape[k])
    elif elided > 0:
        output.extend(input_shape[len(input_shape) - elided:])
    if left:
        input_at = {d: (k + elided) for k, d in enumerate(input_spec)}
        output_at = {d: (k + elided) for k, d in enumerate(output_spec)}
    else:
        input_at = {d: k for k, d in enumerate(input_spec)}
        output_at = {d: k for k, d in enumerate(output_spec)}
    if max(output_at.values(), default=0) >= len(output):
        raise layer.error(f"output_shape {layer.partial_output_shape} does not fit the equation "
                          f"{layer.equation!r}")
    for d in input_spec:
        if d in output_at:
            # A None in output_shape stays unknown (Keras does not fill it from the input).
            given = output[output_at[d]]
            if given is not None and known_unequal(given, input_shape[input_at[d]]):
                raise layer.error(f"input {describe(input_shape)} and output_shape disagree on the "
                                  f"axis {d!r} of {layer.equation!r}")
            output_origin[d] = axis(input_at[d])
    for d in output_spec:
        if d not in input_spec and d not in weight_spec:
            raise layer.error(f"the output axis {d!r} of {layer.equation!r} is in neither the "
                              "input nor the weight")
        output_origin.setdefault(d, arg("output_shape"))
    kernel = []
    for d in weight_spec:
        if d in output_at:
            kernel.append((d, output[output_at[d]], output_origin[d]))
        elif d in input_at:
            kernel.append((d, input_shape[input_at[d]], axis(input_at[d])))
        else:
            raise layer.error(f"the weight axis {d!r} of {layer.equation!r} is in neither the "
                              "input nor the output")
    if any(size is None for _, size, _ in kernel):
        raise layer.error(f"the kernel of {layer.equation!r} needs every axis it uses known, got "
                          f"input {describe(input_shape)}")
    bias = None
    if layer.bias_axes is not None:
        for d in layer.bias_axes:
            if d not in output_spec:
                raise layer.error(f"bias axis {d!r} is not in the output of {layer.equation!r}")
        first = min(output_spec.find(d) for d in layer.bias_axes)
        shift = elided if left else 0
        bias = [(d, output[k + first + shift], output_origin[d]) if d in layer.bias_axes
                else (d, sympy.Integer(1), arg("bias_axes"))
                for k, d in enumerate(output_spec[first:])]
        if not left:
            bias += [("1", sympy.Integer(1), arg("bias_axes"))] * elided
    return kernel, bias, output


#: the type a model's input shows (a diagram draws a Sequential's input as Keras's plot_model does)
INPUT_TYPE = InputLayer.__name__


def placeholder(shape, name: str) -> Tensor:
    """A tensor of this shape that starts a traced block; its explicit name uses up no automatic one."""
    return InputLayer(batch_shape=shape, name=name).output


class ReversibleEmbedding(Embedding):
    """An embedding that can also map vectors back to token scores (``reverse=True``).

    With ``tie_weights=False`` it keeps a separate ``reverse_embeddings`` of
    shape (output_dim, input_dim) (keras/src/layers/core/reversible_embedding.py).
    """

    inert_args = Embedding.inert_args | {"reverse_dtype", "logit_soft_cap"}

    def __init__(self, input_dim, output_dim, tie_weights=True, **kwargs):
        super().__init__(input_dim, output_dim, **kwargs)
        self.tie_weights = bool(tie_weights)

    def call_options(self, reverse=False, **kwargs):
        return {"reverse": bool(reverse)}

    def declare_weights(self, input_shape):
        yield Weight("embeddings", (self.input_dim, self.output_dim))
        if not self.tie_weights:
            yield Weight("reverse_embeddings", (self.output_dim, self.input_dim))

    def output_shapes_for(self, in_shapes, options):
        if options.get("reverse"):
            return (*in_shapes[:-1], self.input_dim)
        return self.compute_output_shape(in_shapes)

    def textbook(self, shape):
        t = Textbook()
        v = t.q("V", self.input_dim, arg("input_dim"))
        d = t.q("d", self.output_dim, arg("output_dim"))
        t.formula = mul(v, d) if self.tie_weights else mul(2, v, d)
        return t

    def config(self):
        return {**super().config(), "tie_weights": self.tie_weights}
