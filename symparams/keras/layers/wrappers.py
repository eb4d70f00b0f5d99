"""Layers that wrap another layer: Bidirectional and TimeDistributed."""

from __future__ import annotations

from typing import Optional

import sympy

from ...core.errors import SymparamsError
from ...core.formula import add, mul
from .base import Layer, Weight, describe, steps, what_it_is
from .recurrent import _Recurrent
from .textbook import DERIVED, Quantity, Textbook

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _prefixed(prefix: str, weights):
    return [Weight(f"{prefix}/{w.name}", w.shape, w.trainable) for w in weights]


class Bidirectional(Layer):
    """Two copies of a recurrent layer, one reading backwards; their outputs are merged."""

    prose = "bidirectional"

    @property
    def misconceptions(self) -> frozenset:
        """The exam's: its own, and the wrapped layer's that read only the weights (a gate's)."""
        inner = self.layer.misconceptions & {"lstm_without_gates", "lstm_without_inputs"}
        return inner | {"bidirectional_once", "stacked_first_input"}

    @property
    def gates(self) -> int:
        """The wrapped recurrent layer's gates (both directions have them)."""
        return self.layer.gates

    def __init__(self, layer: Layer, merge_mode: Optional[str] = "concat", weights=None,
                 backward_layer: Optional[Layer] = None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, _Recurrent):
            raise SymparamsError(f"Bidirectional wraps a recurrent layer, got {what_it_is(layer)}")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"merge_mode must be one of {MERGE_MODES}, got {merge_mode!r}")
        self.layer = layer
        self.backward_layer = backward_layer or layer
        self.merge_mode = merge_mode
        self.forward_name = "forward_" + layer.name.removeprefix("forward_")
        self.backward_name = (backward_layer.name if backward_layer is not None
                              else "backward_" + layer.name.removeprefix("backward_"))
        if self.batch_input_shape is None:
            self.batch_input_shape = layer.batch_input_shape

    @property
    def return_state(self) -> bool:
        return self.layer.return_state

    def pack_call(self, *args, **kwargs):
        return self.layer.pack_call(*args, **kwargs)

    def extra_inputs(self, *args, **kwargs):
        return self.layer.extra_inputs(*args, **kwargs)

    def check_input(self, in_shapes):
        self.layer.check_input(in_shapes)

    def declare_weights(self, input_shape):
        yield from _prefixed(self.forward_name, self.layer.declare_weights(input_shape))
        yield from _prefixed(self.backward_name, self.backward_layer.declare_weights(input_shape))

    def compute_output_shape(self, input_shape):
        fwd = self.layer.compute_output_shape(input_shape)
        bwd = self.backward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            fwd, states = fwd[0], fwd[1:] + bwd[1:]
            bwd = bwd[0]
        if self.merge_mode == "concat":
            out = (*fwd[:-1], fwd[-1] + bwd[-1])
            return [out, *states] if states else out
        if self.merge_mode is None:
            return [fwd, bwd, *states]
        return [fwd, *states] if states else fwd

    def config(self):
        return {"merge_mode": self.merge_mode, "layer": self.layer}

    def textbook(self, shape):
        inner = self.layer.textbook(shape)
        if inner is None or self.backward_layer is not self.layer:
            return None
        return Textbook(mul(2, inner.formula), inner.quantities)

    def macs(self, i, o, options):
        inner = self.layer.macs(i, self.layer.compute_output_shape(i), {})
        return None if inner is None else 2 * inner


class TimeDistributed(Layer):
    """Applies one layer to every time step; the weights are those of the one layer."""

    prose = "time_distributed"

    def __init__(self, layer: Layer, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise SymparamsError(f"TimeDistributed wraps a layer, got {what_it_is(layer)}")
        self.layer = layer

    def _step(self, input_shape):
        return (input_shape[0], *input_shape[2:])

    def check_input(self, in_shapes):
        if isinstance(in_shapes, list) or len(in_shapes) < 3:
            raise self.error(f"TimeDistributed needs an input of rank 3 or more, got {describe(in_shapes)}")
        self.layer.check_input(self._step(in_shapes))

    def declare_weights(self, input_shape):
        return _prefixed(self.layer.name, self.layer.declare_weights(self._step(input_shape)))

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape(self._step(input_shape))
        return (input_shape[0], input_shape[1], *inner[1:])

    def config(self):
        return {"layer": self.layer}

    def textbook(self, shape):
        inner = self.layer.textbook(self._step(shape))
        if inner is None:
            return None
        # The inner layer sees one time step: its input axes shift by one.
        moved = [Quantity(q.key, q.value, q.origin.shifted(1)) for q in inner.quantities]
        return Textbook(inner.formula, moved, inner.non_trainable)

    def macs(self, i, o, options):
        step_in = self._step(i)
        inner = self.layer.macs(step_in, self.layer.compute_output_shape(step_in), {})
        return None if inner is None else steps(i) * inner


class SpectralNormalization(Layer):
    """Scales a layer's kernel by its largest singular value (keras/src/layers/normalization/
    spectral_normalization.py): the layer's weights, plus a non-trainable ``vector_u`` of
    shape (1, the kernel's last axis) for the power iteration."""

    prose = "generic"
    inert_args = frozenset({"power_iterations"})

    def __init__(self, layer: Layer, power_iterations=1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise SymparamsError(f"SpectralNormalization wraps a layer, got {what_it_is(layer)}")
        self.layer = layer

    def check_input(self, in_shapes):
        self.layer.check_input(in_shapes)

    def declare_weights(self, input_shape):
        inner = list(self.layer.declare_weights(input_shape))
        kernel = next((w for w in inner if w.name.endswith("kernel")), None)
        if kernel is None:
            raise self.error(f"the layer {self.layer.name!r} it wraps has no kernel to normalize")
        yield from _prefixed(self.layer.name, inner)
        yield Weight("vector_u", (sympy.Integer(1), kernel.shape[-1]), trainable=False)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def config(self):
        return {"layer": self.layer}

    def textbook(self, shape):
        inner = self.layer.textbook(shape)
        if inner is None:
            return None
        kernel = next(w for w in self.layer.declare_weights(shape) if w.name.endswith("kernel"))
        t = Textbook(inner.formula, list(inner.quantities))
        u = t.q("n_u", kernel.shape[-1], DERIVED)  # the power iteration's vector_u
        t.formula, t.non_trainable = add(inner.formula, u), u
        return t

    def macs(self, i, o, options):
        return self.layer.macs(i, o, options)


class Pipeline(Layer):
    """``Pipeline([layer, ...])``: layers applied in turn, as one layer (keras/src/layers/preprocessing/pipeline.py)."""

    prose = "generic"

    def __init__(self, layers, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layers, (list, tuple)) or not all(isinstance(l, Layer) for l in layers):
            raise SymparamsError("Pipeline takes a list of layers")
        self.layers = list(layers)

    def check_input(self, in_shapes):
        shape = in_shapes
        for layer in self.layers:
            layer.check_input(shape)
            shape = layer.compute_output_shape(shape)

    def declare_weights(self, input_shape):
        shape = input_shape
        for layer in self.layers:
            yield from _prefixed(layer.name, layer.declare_weights(shape))
            shape = layer.compute_output_shape(shape)

    def compute_output_shape(self, input_shape):
        shape = input_shape
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def config(self):
        return {"layers": sympy.Integer(len(self.layers))}

    def textbook(self, shape):
        # The sum of its layers' counts, each worked out as for that layer alone.
        t = Textbook()
        terms, current = [], shape
        for layer in self.layers:
            count = sum((w.count for w in layer.declare_weights(current)), sympy.Integer(0))
            if count != 0:
                terms.append(t.q(f"P_{layer.name}", count, DERIVED))
            current = layer.compute_output_shape(current)
        if not terms:
            return None
        t.formula = add(*terms) if len(terms) > 1 else terms[0]
        return t
