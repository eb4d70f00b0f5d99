"""``torch/nn/modules/rnn.py``: RNN, LSTM and GRU (``RNNBase``) and their cells
(``RNNCellBase``)."""

from __future__ import annotations

import sympy

from ...core.dims import as_size
from ...core.formula import add, mul
from ...keras.layers.textbook import Textbook, arg
from ..module import Module, Parameter, numel
from ..tensor import Tensor
from .inputs import _expect, _input


class RNNBase(Module):
    """``torch/nn/modules/rnn.py``: per layer and direction, ``weight_ih_l{k}``,
    ``weight_hh_l{k}`` and, with ``bias``, *two* bias vectors ``bias_ih_l{k}`` and
    ``bias_hh_l{k}`` (cuDNN's layout; Keras keeps one), plus ``weight_hr_l{k}`` with
    ``proj_size``; the suffix ``_reverse`` for the backward direction."""
    second_bias = "bias_hh"
    described_by = ("hidden_size", "input_size", "num_layers", "bidirectional", "proj_size", "gates")

    def has_bias(self) -> bool:
        return any(n.startswith(("bias_ih", "bias_hh")) for n, p in self._parameters.items() if p is not None)

    gates = 1
    misconceptions = frozenset({"lstm_without_inputs", "keras_biases", "bidirectional_once", "stacked_first_input"})

    def __init__(self, input_size, hidden_size, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout=0.0, bidirectional: bool = False,
                 proj_size=0, nonlinearity: str = "tanh", device=None, dtype=None):
        super().__init__()
        if not isinstance(num_layers, int) or num_layers < 1:
            raise ValueError(f"num_layers must be a positive whole number, got {num_layers!r}")
        if proj_size and self.gates != 4:
            raise ValueError("proj_size is supported only by LSTM")
        self.input_size, self.hidden_size = as_size(input_size), as_size(hidden_size)
        self.num_layers, self.bidirectional = num_layers, bool(bidirectional)
        self.proj_size = as_size(proj_size)
        directions = self.directions = 2 if bidirectional else 1
        # what each layer outputs per direction: the hidden state, or its projection
        real_hidden = self.out_width = self.proj_size if proj_size else self.hidden_size
        gate_size = self.gates * self.hidden_size
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = self.input_size if layer == 0 else real_hidden * directions
                suffix = "_reverse" if direction == 1 else ""
                self.register_parameter(f"weight_ih_l{layer}{suffix}", Parameter((gate_size, layer_input)))
                self.register_parameter(f"weight_hh_l{layer}{suffix}", Parameter((gate_size, real_hidden)))
                if bias:
                    self.register_parameter(f"bias_ih_l{layer}{suffix}", Parameter((gate_size,)))
                    self.register_parameter(f"bias_hh_l{layer}{suffix}", Parameter((gate_size,)))
                if proj_size:
                    self.register_parameter(f"weight_hr_l{layer}{suffix}",
                                            Parameter((self.proj_size, self.hidden_size)))
        self.batch_first = bool(batch_first)
        self.bias = bool(bias)

    macs_part = "recurrent products at every time step"
    prose = "torch_rnn"

    def textbook(self) -> Textbook:
        """Per layer and direction: gates·h·(input + h) weights and, with bias, 2·gates·h
        biases (``bias_ih`` and ``bias_hh``); the first layer reads the input, the others
        the previous layer's output (directions·h, or directions·proj_size)."""
        t = Textbook()
        g = self.gates
        h = t.q("h", self.hidden_size, arg("hidden_size"))
        d = t.q("d", self.input_size, arg("input_size"))
        directions = self.directions
        p = t.q("p", self.proj_size, arg("proj_size")) if self.proj_size != 0 else None
        out = p if p is not None else h

        def layer(inp):
            core = mul(h, add(inp, out))
            if self.bias:
                core = add(core, mul(2, h))
            core = mul(g, core) if g != 1 else core
            return add(core, mul(p, h)) if p is not None else core
        first = mul(directions, layer(d)) if directions != 1 else layer(d)
        if self.num_layers == 1:
            t.formula = first
        else:
            later_in = mul(directions, out) if directions != 1 else out
            later = mul(directions, layer(later_in)) if directions != 1 else layer(later_in)
            t.formula = add(first, mul(self.num_layers - 1, later) if self.num_layers > 2 else later)
        return t

    def keras_difference(self) -> sympy.Expr:
        """How many more parameters this has than Keras's layer of the same sizes: Keras
        keeps one bias per gate (and its GRU with reset_after=True keeps two, as here)."""
        if not self.bias:
            return sympy.Integer(0)
        return sympy.expand(self.num_layers * self.directions * self.gates * self.hidden_size)

    def forward(self, input, hx=None):
        x = _input(self, input, (2, 3), "N, L, H_in with batch_first, else L, N, H_in; or L, H_in")
        _expect(self, "input features (the last axis)", self.input_size, x.shape[-1], x)
        states = self.directions * self.num_layers
        out = x.with_shape(x.shape[:-1] + (self.directions * self.out_width,))
        batch = () if x.ndim == 2 else ((x.shape[0],) if self.batch_first else (x.shape[1],))
        h = Tensor((states,) + batch + (self.out_width,))
        if self.gates == 4:
            return out, (h, Tensor((states,) + batch + (self.hidden_size,)))
        return out, h

    def macs(self, inputs, output):
        """Every weight matrix (the gates' with the input and with the hidden state, and
        LSTM's projection, of every layer and direction) is one product per time step."""
        steps = numel(inputs[0].shape[:-1])             # L·N: every step of every sequence
        per_step = sum((p.numel for n, p in self._parameters.items() if p is not None and n.startswith("weight")),
                       sympy.Integer(0))
        return sympy.expand(steps * per_step)


class RNN(RNNBase):
    kind = "rnn"
    gates = 1


class LSTM(RNNBase):
    kind = "lstm"
    gates = 4
    misconceptions = RNNBase.misconceptions | {"lstm_without_gates"}


class GRU(RNNBase):
    kind = "gru"
    gates = 3


class RNNCellBase(Module):
    second_bias = "bias_hh"
    described_by = ("hidden_size", "input_size", "gates")

    def has_bias(self) -> bool:
        return any(n.startswith(("bias_ih", "bias_hh")) for n, p in self._parameters.items() if p is not None)
    gates = 1

    def __init__(self, input_size, hidden_size, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None):
        super().__init__()
        gate_size = self.gates * as_size(hidden_size)
        self.input_size, self.hidden_size = as_size(input_size), as_size(hidden_size)
        self.weight_ih = Parameter((gate_size, input_size))
        self.weight_hh = Parameter((gate_size, hidden_size))
        if bias:
            self.bias_ih = Parameter((gate_size,))
            self.bias_hh = Parameter((gate_size,))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)

    prose = "torch_rnn_cell"

    def textbook(self) -> Textbook:
        t = Textbook()
        h = t.q("h", self.hidden_size, arg("hidden_size"))
        d = t.q("d", self.input_size, arg("input_size"))
        core = mul(h, add(d, h))
        if self.bias_ih is not None:
            core = add(core, mul(2, h))
        t.formula = mul(self.gates, core) if self.gates != 1 else core
        return t

    def forward(self, input, hx=None):
        x = _input(self, input, (1, 2), "N, H_in or H_in")
        _expect(self, "input features (the last axis)", self.input_size, x.shape[-1], x)
        h = x.with_shape(x.shape[:-1] + (self.hidden_size,))
        return (h, h) if self.gates == 4 else h

    def macs(self, inputs, output):
        batch = numel(inputs[0].shape[:-1])
        return batch * self.gates * self.hidden_size * (self.input_size + self.hidden_size)


class RNNCell(RNNCellBase):
    gates = 1


class LSTMCell(RNNCellBase):
    gates = 4


class GRUCell(RNNCellBase):
    gates = 3
