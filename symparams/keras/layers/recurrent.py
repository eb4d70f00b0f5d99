"""Recurrent layers. Gates multiply the kernel's width: SimpleRNN 1, GRU 3, LSTM 4."""

from __future__ import annotations

from typing import ClassVar

import sympy

from ...core.dims import as_positive, product
from ...core.formula import add, mul
from .base import KERNEL_INERT, Layer, Weight, describe, steps
from .conv import _Spatial
from .textbook import Textbook, arg, axis

RNN_INERT = KERNEL_INERT | {
    "recurrent_activation", "recurrent_initializer", "recurrent_regularizer",
    "recurrent_constraint", "dropout", "recurrent_dropout", "go_backwards", "stateful",
    "unroll", "use_cudnn", "unit_forget_bias", "zero_output_for_mask", "time_major",
}


class _Recurrent(Layer):
    """What every recurrent layer shares: sequences in, states out."""

    inert_args = RNN_INERT

    def pack_call(self, *args, **kwargs):
        return super().pack_call(*args, **{k: v for k, v in kwargs.items() if k == "inputs"})

    def extra_inputs(self, *args, initial_state=None, **kwargs):
        # Encoder states passed to a decoder are inputs of the call, as in Keras.
        if initial_state is None:
            return []
        return list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]

    def check_input(self, in_shapes):
        super().check_input(in_shapes)
        if not isinstance(in_shapes, list) and in_shapes[-1] is None:
            raise self.error(f"the feature axis of input {describe(in_shapes)} must be known")

    def state_count(self) -> int:
        return 1

    def step_output_shape(self, input_shape):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        state = self.step_output_shape(input_shape)
        batch = input_shape[0]
        out = (batch, input_shape[1], *state) if self.return_sequences else (batch, *state)
        if self.return_state:
            return [out] + [(batch, *state)] * self.state_count()
        return out


class _SimpleRecurrent(_Recurrent):
    input_rank = 3
    #: how many gates share the kernel's width (the one place this number is written)
    gates: ClassVar[int]
    cell_name: ClassVar[str]
    prose = "rnn"
    misconceptions = frozenset({"lstm_without_inputs", "pytorch_biases", "stacked_first_input"})

    def __init__(self, units, activation="tanh", use_bias=True, return_sequences=False,
                 return_state=False, **kwargs):
        super().__init__(**kwargs)
        self.units = as_positive(units, "units")
        self.use_bias = bool(use_bias)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)

    def declare_weights(self, input_shape):
        width = self.gates * self.units
        yield Weight(f"{self.cell_name}/kernel", (input_shape[-1], width))
        yield Weight(f"{self.cell_name}/recurrent_kernel", (self.units, width))
        if self.use_bias:
            yield Weight(f"{self.cell_name}/bias", self.bias_shape())

    def bias_shape(self):
        return (self.gates * self.units,)

    def step_output_shape(self, input_shape):
        return (self.units,)

    def config(self):
        return {"units": self.units, "use_bias": self.use_bias, "gates": self.gates,
                "return_sequences": self.return_sequences, "return_state": self.return_state}

    def bias_vectors(self) -> int:
        """Bias vectors per gate: one in Keras (GRU with ``reset_after`` has two)."""
        return 1

    def textbook(self, shape):
        t = Textbook()
        d = t.q("d", shape[-1], axis(len(shape) - 1))
        h = t.q("h", self.units, arg("units"))
        core = mul(h, add(d, h))
        if self.use_bias:
            core = add(core, mul(self.bias_vectors(), h) if self.bias_vectors() != 1 else h)
        t.formula = mul(self.gates, core) if self.gates != 1 else core
        return t

    def macs(self, i, o, options):
        return steps(i) * self.gates * self.units * (i[-1] + self.units)


class SimpleRNN(_SimpleRecurrent):
    kind = "rnn"
    gates, cell_name = 1, "simple_rnn_cell"


class LSTM(_SimpleRecurrent):
    kind = "lstm"
    gates, cell_name = 4, "lstm_cell"
    misconceptions = _SimpleRecurrent.misconceptions | {"lstm_without_gates"}

    def state_count(self):
        return 2


class GRU(_SimpleRecurrent):
    kind = "gru"
    gates, cell_name = 3, "gru_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 return_sequences=False, return_state=False, reset_after=True, **kwargs):
        super().__init__(units, activation, use_bias, return_sequences, return_state, **kwargs)
        self.reset_after = bool(reset_after)

    def bias_vectors(self) -> int:
        return 2 if self.reset_after else 1

    def bias_shape(self):
        if self.reset_after:
            return (sympy.Integer(2), self.gates * self.units)
        return (self.gates * self.units,)

    def config(self):
        return {**super().config(), "reset_after": self.reset_after}


class _ConvLSTM(_Recurrent, _Spatial):
    extra_axes = 3
    gates = 4
    prose = "convlstm"

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 return_sequences=False, return_state=False, **kwargs):
        super().__init__(**kwargs)
        self.filters = as_positive(filters, "filters")
        self.set_window(kernel_size, strides, padding, data_format, dilation_rate, False)
        self.use_bias = bool(use_bias)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)

    def _step(self, input_shape):
        return (input_shape[0], *input_shape[2:])

    def check_input(self, in_shapes):
        Layer.check_input(self, in_shapes)
        if self.channels(self._step(in_shapes)) is None:
            raise self.error(f"the channel axis of input {describe(in_shapes)} must be known")

    def declare_weights(self, input_shape):
        channels = self.channels(self._step(input_shape))
        width = self.gates * self.filters
        yield Weight("conv_lstm_cell/kernel", (*self.kernel_size, channels, width))
        yield Weight("conv_lstm_cell/recurrent_kernel", (*self.kernel_size, self.filters, width))
        if self.use_bias:
            yield Weight("conv_lstm_cell/bias", (width,))

    def state_count(self):
        return 2

    def step_output_shape(self, input_shape):
        step = self._step(input_shape)
        return self.assemble(step, self.conv_spatial(step), self.filters)[1:]

    def config(self):
        return {"filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "dilation_rate": self.dilation_rate,
                "use_bias": self.use_bias, "return_sequences": self.return_sequences,
                "data_format": self.data_format, "gates": self.gates}

    def textbook(self, shape):
        t = Textbook()
        ks = self.kernel_names(t)
        step = self._step(shape)
        ax = len(step) - 1 if self.data_format == "channels_last" else 1
        c_in = t.q("C_in", step[ax], axis(ax + 1))
        f = t.q("f", self.filters, arg("filters"))
        inner = mul(*ks, add(c_in, f), f)
        t.formula = mul(self.gates, add(inner, f) if self.use_bias else inner)
        return t

    def macs(self, i, o, options):
        step = self._step(i)
        out_step = (i[0], *self.step_output_shape(i))
        return steps(i) * product(self.spatial(out_step)) * self.gates * self.filters * \
            product(self.kernel_size) * (self.channels(step) + self.filters)


class ConvLSTM1D(_ConvLSTM):
    rank = 1


class ConvLSTM2D(_ConvLSTM):
    rank = 2


class ConvLSTM3D(_ConvLSTM):
    rank = 3


# --------------------------------------------------------------------------
# Cells and the generic RNN (keras/src/layers/rnn/rnn.py, stacked_rnn_cells.py)


class _Cell(Layer):
    """One step of a recurrent layer, given to ``RNN``; its weights are made when the RNN is built."""

    inert_args = RNN_INERT
    gates: ClassVar[int]
    states: ClassVar[int] = 1

    def __init__(self, units, activation="tanh", use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.units = as_positive(units, "units")
        self.use_bias = bool(use_bias)

    def bias_vectors(self) -> int:
        return 1

    def cell_weights(self, features) -> list[Weight]:
        width = self.gates * self.units
        weights = [Weight(f"{self.name}/kernel", (features, width)),
                   Weight(f"{self.name}/recurrent_kernel", (self.units, width))]
        if self.use_bias:
            shape = (sympy.Integer(2), width) if self.bias_vectors() == 2 else (width,)
            weights.append(Weight(f"{self.name}/bias", shape))
        return weights

    def cells(self) -> list["_Cell"]:
        return [self]

    def compute_output_shape(self, input_shape):
        raise self.error("a recurrent cell is used inside RNN(cell), not called on a tensor")


class SimpleRNNCell(_Cell):
    gates = 1


class LSTMCell(_Cell):
    gates, states = 4, 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True, **kwargs):
        super().__init__(units, activation, use_bias, **kwargs)


class GRUCell(_Cell):
    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 reset_after=True, **kwargs):
        super().__init__(units, activation, use_bias, **kwargs)
        self.reset_after = bool(reset_after)

    def bias_vectors(self) -> int:
        return 2 if self.reset_after else 1


class StackedRNNCells(Layer):
    """Cells one above the other: each cell's input is the one below's output."""

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        cells = list(cells) if isinstance(cells, (list, tuple)) else [cells]
        if not cells or not all(isinstance(c, _Cell) for c in cells):
            raise TypeError("StackedRNNCells takes a list of recurrent cells")
        self._cells = cells

    def cells(self) -> list[_Cell]:
        return list(self._cells)

    def compute_output_shape(self, input_shape):
        raise self.error("stacked cells are used inside RNN(cells), not called on a tensor")


class RNN(_Recurrent):
    """``RNN(cell)``: a recurrent layer around a cell, or a list of cells stacked."""
    kind = "rnn"

    input_rank = 3
    prose = "rnn"

    def __init__(self, cell, return_sequences=False, return_state=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)  # as Keras does, which uses up the name stacked_rnn_cells
        if not isinstance(cell, (_Cell, StackedRNNCells)):
            raise TypeError("RNN needs a recurrent cell such as LSTMCell(units), or a list of them")
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)

    def declare_weights(self, input_shape):
        features = input_shape[-1]
        for cell in self.cell.cells():
            yield from cell.cell_weights(features)
            features = cell.units

    def step_output_shape(self, input_shape):
        return (self.cell.cells()[-1].units,)

    def compute_output_shape(self, input_shape):
        batch = input_shape[0]
        last = self.cell.cells()[-1].units
        out = (batch, input_shape[1], last) if self.return_sequences else (batch, last)
        if self.return_state:
            return [out] + [(batch, c.units) for c in self.cell.cells() for _ in range(c.states)]
        return out

    def config(self):
        cells = self.cell.cells()
        first = cells[0]
        return {"units": first.units, "use_bias": first.use_bias, "gates": first.gates,
                "cells": sympy.Integer(len(cells)), "return_sequences": self.return_sequences,
                "return_state": self.return_state}

    def textbook(self, shape):
        t = Textbook()
        terms = []
        features = t.q("d", shape[-1], axis(len(shape) - 1))
        for i, cell in enumerate(self.cell.cells()):
            key = "h" if len(self.cell.cells()) == 1 else f"h_{i + 1}"
            h = t.q(key, cell.units, arg("units"))
            core = mul(h, add(features, h))
            if cell.use_bias:
                core = add(core, mul(cell.bias_vectors(), h) if cell.bias_vectors() != 1 else h)
            terms.append(mul(cell.gates, core) if cell.gates != 1 else core)
            features = h
        t.formula = add(*terms) if len(terms) > 1 else terms[0]
        return t

    def macs(self, i, o, options):
        total, features = sympy.Integer(0), i[-1]
        for cell in self.cell.cells():
            total += cell.gates * cell.units * (features + cell.units)
            features = cell.units
        return steps(i) * total
