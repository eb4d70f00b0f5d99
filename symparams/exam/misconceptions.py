"""Misconceptions: the mistakes students really make, each as a wrong derivation.

Every misconception is the correct computation with one step done wrong, so
its value is exactly what a student with that misconception would answer.
Weight-level ones rework the layers' own weights (forgot the bias, forgot the
input channels, no weight sharing, ...). Shape-level ones read the model again
with one piece of the sliding-window rule done wrong (``SHAPE_RULES``, given to
:func:`symparams.layers.window.using`): off by one in a valid convolution,
rounding up with strides, the size before pooling used after it.

A layer class lists the misconceptions that can occur for it
(``Layer.misconceptions``); a value equal to the answer or to another
distractor is dropped by the caller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

from ..formula import Ceil, Floor, Quotient, add
from ..layers.base import Layer
from ..layers.textbook import axis
from ..layers.window import WindowRule


@dataclass(frozen=True)
class Misconception:
    tag: str
    feedback: str
    kinds: tuple            # the question kinds it can answer


def _has(model, cls) -> list:
    return [l for l in model.layers if isinstance(l, cls)]


def _count(weights) -> int:
    return int(sum(w.count for w in weights))


def _bias(layer: Layer) -> int:
    return _count(w for w in layer.weights if w.name.split("/")[-1] == "bias")


# ---- weight-level: a layer's count done wrong -------------------------------------------

def _forgot_bias(layer):
    b = _bias(layer)
    return int(layer.count_params()) - b if b else None


def _applies(tag: str, layer: Layer) -> bool:
    return tag in layer.misconceptions


def _forgot_input_channels(layer):
    if not _applies("forgot_input_channels", layer):
        return None
    c_in = layer._inbound_nodes[0].inputs[0].shape
    channels = int(c_in[-1] if layer.data_format == "channels_last" else c_in[1])
    if channels == 1:
        return None
    kernel = int(math.prod(int(k) for k in layer.kernel_size)) * int(layer.filters)
    return kernel + _bias(layer)


def _no_weight_sharing(layer):
    if not _applies("no_weight_sharing", layer):
        return None
    positions = int(layer.positions_out(layer._inbound_nodes[0].outputs[0].shape))
    return int(layer.count_params()) * positions if positions > 1 else None


def _lstm_without_gates(layer):
    if not _applies("lstm_without_gates", layer):
        return None
    return int(layer.count_params()) // layer.gates


def _lstm_without_inputs(layer):
    if not _applies("lstm_without_inputs", layer):
        return None
    h = int(layer.units)
    return layer.gates * (h * h + (h if layer.use_bias else 0))


def _pytorch_biases(layer):
    # PyTorch gives every gate two biases (b_ih and b_hh); Keras one (GRU with
    # reset_after=True already has two).
    if not _applies("pytorch_biases", layer) or not layer.use_bias or layer.bias_vectors() != 1:
        return None
    return int(layer.count_params()) + layer.gates * int(layer.units)


def _bias_per_input(layer):
    """One bias for each input instead of each output (n_in·n_out + n_in)."""
    if not _applies("bias_per_input", layer) or not layer.use_bias:
        return None
    n_in = int(layer._inbound_nodes[0].inputs[0].shape[-1])
    return n_in * int(layer.units) + n_in if n_in != int(layer.units) else None


def _invented_params(layer):
    """Inputs, pooling, dropout and flatten given parameters, as if they were weight layers."""
    if not _applies("invented_params", layer):
        return None
    if layer.prose == "input":     # one weight per input value
        shape = layer.batch_shape[1:]
        return int(math.prod(int(s) for s in shape)) if all(s is not None for s in shape) else None
    if layer.prose == "pooling":   # the pool window taken for a kernel
        c = int(layer.channels(layer._inbound_nodes[0].inputs[0].shape))
        return (int(math.prod(int(p) for p in layer.pool_size)) * c + 1) * c
    # dropout and flatten: one weight per value passed on
    return int(math.prod(int(s) for s in layer._inbound_nodes[0].outputs[0].shape[1:]))


LAYER_RULES: dict[str, Callable[[Layer], Optional[int]]] = {
    "forgot_bias": _forgot_bias,
    "bias_per_input": _bias_per_input,
    "forgot_input_channels": _forgot_input_channels,
    "no_weight_sharing": _no_weight_sharing,
    "lstm_without_gates": _lstm_without_gates,
    "lstm_without_inputs": _lstm_without_inputs,
    "pytorch_biases": _pytorch_biases,
}

# ---- shape-level: one piece of the sliding-window rule done wrong ------------------------

class _OffByOne(WindowRule):
    """n − k instead of n − k + 1 positions for a valid window."""

    def valid(self, span, s_, s):
        return span if s == 1 else Floor(Quotient(span, s_))


class _RoundUp(WindowRule):
    """⌈(n − k)/s⌉ + 1 instead of ⌊(n − k)/s⌋ + 1."""

    def valid(self, span, s_, s):
        return add(span, 1) if s == 1 else add(Ceil(Quotient(span, s_)), 1)


class _IgnorePooling(WindowRule):
    """The size before pooling, used after it."""

    def pool(self, c, names, n, p, s, padding):
        return c.q(f"{names.label}_in", n, axis(names.axis))


SHAPE_RULES: dict[str, WindowRule] = {
    "off_by_one": _OffByOne(), "round_up": _RoundUp(), "ignore_pooling": _IgnorePooling(),
}

PARAMS = ("total_params", "layer_params", "trainable_params")
SHAPES = ("output_shape", "flatten_size", "total_params", "layer_params", "trainable_params")

CATALOGUE = {m.tag: m for m in [
    Misconception("forgot_bias", "Each unit or filter also has one bias: add one per output.", PARAMS),
    Misconception("forgot_input_channels", "A filter has one kernel for every input channel, "
                  "so its weights are kernel height × width × input channels.", PARAMS),
    Misconception("no_weight_sharing", "A convolution shares one kernel across all positions: "
                  "its count does not grow with the image.", PARAMS),
    Misconception("bias_per_input", "A bias belongs to each output unit, not to each input.", PARAMS),
    Misconception("invented_params", "Inputs, pooling, dropout and flatten layers have no parameters.", PARAMS),
    Misconception("ignore_pooling", "Flatten sees the size after pooling, not before.", SHAPES),
    Misconception("off_by_one", "A valid window of k on n positions gives n − k + 1 outputs, not n − k.", SHAPES),
    Misconception("round_up", "With strides the output size rounds down: ⌊(n − k)/s⌋ + 1.", SHAPES),
    Misconception("bn_moving_trainable", "BatchNormalization's moving mean and variance are not "
                  "trainable: they are updated by averaging.", ("trainable_params",)),
    Misconception("bn_moving_left_out", "BatchNormalization's moving mean and variance are "
                  "parameters too (non-trainable ones).", ("total_params", "layer_params", "non_trainable_params")),
    Misconception("lstm_without_gates", "An LSTM has 4 gates, each with its own weights: multiply by 4.", PARAMS),
    Misconception("lstm_without_inputs", "Each gate also weighs the input: h·(d + h) + h per gate.", PARAMS),
    Misconception("pytorch_biases", "That is PyTorch's count (two biases per gate); Keras has one.", PARAMS),
    Misconception("first_over_budget", "That width already exceeds the budget: take the largest one within it.",
                  ("largest_width",)),
]}


def layer_value(tag: str, layer: Layer) -> Optional[int]:
    """A layer's count as a student with this misconception works it out (None: cannot occur)."""
    if tag == "invented_params":
        return _invented_params(layer)
    if tag in LAYER_RULES:
        return LAYER_RULES[tag](layer)
    if tag == "bn_moving_left_out" and _applies(tag, layer):
        return _count(w for w in layer.weights if w.trainable)
    return None


def model_value(tag: str, model) -> Optional[int]:
    """The model's total as a student with this misconception works it out."""
    changed = False
    total = 0
    layers = list(model.unique_layers())
    graph = model.ordered_graph()
    layers += [t.layer for t in graph.inputs if t.layer not in layers]
    for layer in layers:
        wrong = layer_value(tag, layer)
        if wrong is None:
            total += int(layer.count_params())
        else:
            total += wrong
            changed = True
    return total if changed else None
