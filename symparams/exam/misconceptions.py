"""Misconceptions: the mistakes students really make, each as a wrong derivation.

Every misconception is the correct computation with one step done wrong, so
its value is exactly what a student with that misconception would answer.

* Weight-level ones rework one layer's weights from the drawn model's numbers
  (forgot the bias, forgot the input channels, no weight sharing, ...); a layer
  class lists the ones that can occur for it (``Layer.misconceptions``).
* Shape-level ones read the model again with one piece of the sliding-window
  rule done wrong (``SHAPE_RULES``, given to :func:`symparams.layers.window.using`):
  off by one, rounding up with strides, same and valid padding swapped,
  dilation left out, a pooling's strides taken as 1, the size before pooling
  used after it. Two more rework the answer itself: the channels put first, and
  a Flatten that leaves the channels out.
* Compute, memory and budget ones rework the question's own arithmetic.

Each wrong value comes with ``facts`` about the drawn model (which layers a student
gave parameters to, how many biases were left out), so the feedback that
``templates/exam/prompts.j2`` writes fits the model in front of the student.
A value equal to the answer or to another distractor is dropped by the caller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from ..formula import Ceil, Floor, Quotient, add
from ..layers.textbook import axis
from ..layers.window import WindowRule


@dataclass(frozen=True)
class Misconception:
    tag: str
    kinds: tuple            # the question kinds it can answer


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


class _SwapPadding(WindowRule):
    """``same`` worked as ``valid`` and ``valid`` as ``same``."""

    def conv(self, c, names, n, k, s, d, padding):
        swapped = {"same": "valid", "valid": "same", "causal": "valid"}.get(padding, padding)
        return super().conv(c, names, n, k, s, d, swapped)


class _IgnoreDilation(WindowRule):
    """A dilated kernel taken as covering k positions, not d·(k − 1) + 1."""

    def effective(self, c, names, k_, d):
        return k_


class _PoolStrideOne(WindowRule):
    """A pooling with no ``strides`` argument taken to move by 1 (Keras moves by the pool size)."""

    def pool(self, c, names, n, p, s, padding):
        if names.strides_from is not None:
            s = 1
        return super().pool(c, names, n, p, s, padding)


SHAPE_RULES: dict[str, WindowRule] = {
    "off_by_one": _OffByOne(), "round_up": _RoundUp(), "ignore_pooling": _IgnorePooling(),
    "swap_padding": _SwapPadding(), "ignore_dilation": _IgnoreDilation(),
    "pool_stride_one": _PoolStrideOne(),
}

PARAMS = ("total_params", "layer_params", "trainable_params", "cloze", "find_bug")
SHAPES = ("output_shape", "flatten_size", "total_params", "layer_params", "trainable_params", "cloze",
          "find_bug")
MEMORY = ("weight_memory", "training_memory")

CATALOGUE = {m.tag: m for m in [
    Misconception("forgot_bias", PARAMS),
    Misconception("forgot_input_channels", PARAMS),
    Misconception("no_weight_sharing", PARAMS),
    Misconception("bias_per_input", PARAMS),
    Misconception("invented_params", PARAMS),
    Misconception("ignore_pooling", SHAPES),
    Misconception("off_by_one", SHAPES),
    Misconception("round_up", SHAPES),
    Misconception("swap_padding", SHAPES),
    Misconception("ignore_dilation", SHAPES),
    Misconception("pool_stride_one", SHAPES),
    Misconception("channels_first", ("output_shape",)),
    Misconception("flatten_without_channels", ("output_shape", "flatten_size")),
    Misconception("bn_moving_trainable", ("trainable_params",)),
    Misconception("bn_moving_left_out", ("total_params", "layer_params", "non_trainable_params", "cloze")),
    Misconception("bn_all_non_trainable", ("non_trainable_params",)),
    Misconception("bn_one_statistic", ("non_trainable_params",)),
    Misconception("lstm_without_gates", PARAMS),
    Misconception("lstm_without_inputs", PARAMS),
    Misconception("pytorch_biases", PARAMS),
    Misconception("first_over_budget", ("largest_width",)),
    Misconception("flops_for_macs", ("compute",)),
    Misconception("macs_for_flops", ("compute",)),
    Misconception("params_for_macs", ("compute",)),
    Misconception("one_position", ("compute",)),
    Misconception("bits_for_bytes", MEMORY),
    Misconception("four_bytes", MEMORY),
    Misconception("decimal_binary", MEMORY),
    Misconception("weights_only", ("training_memory",)),
    Misconception("forgot_gradients", ("training_memory",)),
    Misconception("forgot_optimizer_state", ("training_memory",)),
    Misconception("one_moment", ("training_memory",)),
    Misconception("smaller_layer", ("largest_layer",)),
    Misconception("has_params", ("param_free_layers",)),
    Misconception("correct_row", ("find_bug",)),
    Misconception("teacher", ()),
]}


# ---- weight-level: one layer's count done wrong -----------------------------------------------
#
# Each takes the drawn model's row (numbers: ``row.weights`` as (name, shape, trainable),
# ``row.shape``, ``row.input_shape``) and returns (wrong count, facts) or None.


def _applies(tag: str, row) -> bool:
    return row.layer is not None and tag in row.layer.misconceptions


def _shape(row, suffix: str) -> Optional[tuple]:
    """The shape of the row's weight whose name ends in ``suffix`` (``kernel``), or None."""
    return next((shape for name, shape, _ in row.weights if name.split("/")[-1] == suffix), None)


def _weights(row, suffix: str) -> int:
    return sum(math.prod(shape) for name, shape, _ in row.weights if name.split("/")[-1] == suffix)


def positions(row) -> int:
    """How many output positions a convolution's kernel is applied at (its spatial sizes multiplied)."""
    return math.prod(row.shape[1:-1] if row.layer.data_format == "channels_last" else row.shape[2:])


def _forgot_bias(row):
    b = _weights(row, "bias")
    return (row.params - b, {"biases": b}) if b else None


def _forgot_input_channels(row):
    if not _applies("forgot_input_channels", row):
        return None
    kernel = _shape(row, "kernel")
    if kernel is None or len(kernel) < 3:
        return None
    c_in = kernel[-2]
    return math.prod(kernel) // c_in + _weights(row, "bias"), {"channels": c_in}


def _no_weight_sharing(row):
    if not _applies("no_weight_sharing", row) or row.shape is None:
        return None
    n = positions(row)
    return (row.params * n, {"positions": n}) if n > 1 else None


def _lstm_without_gates(row):
    if not _applies("lstm_without_gates", row):
        return None
    return row.params // row.layer.gates, {"gates": row.layer.gates}


def _lstm_without_inputs(row):
    if not _applies("lstm_without_inputs", row):
        return None
    recurrent = _shape(row, "recurrent_kernel")
    if recurrent is None:
        return None
    return row.params - _weights(row, "kernel"), {"units": recurrent[0]}


def _pytorch_biases(row):
    # PyTorch gives every gate two biases (b_ih and b_hh); Keras one (GRU with
    # reset_after=True already has two).
    if not _applies("pytorch_biases", row) or not row.layer.use_bias or row.layer.bias_vectors() != 1:
        return None
    return row.params + row.layer.gates * _shape(row, "recurrent_kernel")[0], {"gates": row.layer.gates}


def _bias_per_input(row):
    """One bias for each input instead of each output (n_in·n_out + n_in)."""
    if not _applies("bias_per_input", row) or not row.layer.use_bias:
        return None
    kernel = _shape(row, "kernel")
    if kernel is None:
        return None
    n_in, n_out = kernel[0], kernel[-1]
    return (n_in * n_out + n_in, {}) if n_in != n_out else None


def _invented_params(row):
    """A pooling, dropout, flatten or reshaping layer given parameters, as if it were a weight layer."""
    if not _applies("invented_params", row) or row.shape is None or None in row.shape[1:]:
        return None
    if row.layer.prose == "pooling" and row.input_shape is not None:
        c = row.shape[-1] if row.layer.data_format == "channels_last" else row.shape[1]
        return (math.prod(row.values(row.layer.pool_size)) * c + 1) * c, {"layers": [row.type]}
    # dropout, flatten: one weight per value passed on
    return math.prod(row.shape[1:]), {"layers": [row.type]}


def _bn_moving_left_out(row):
    """BatchNormalization's moving statistics left out: its trainable weights only."""
    if not _applies("bn_moving_left_out", row):
        return None
    return row.trainable, {"moving": row.non_trainable}


def bn_non_trainable(tag: str, view):
    """The model's non-trainable count as a student with a BatchNormalization mistake works
    it out: all four of its vectors counted (the scale and offset too), or one moving
    statistic instead of two (a mean, no variance); (value, facts) or None."""
    rows = [r for r in view.rows if _applies(tag, r)]
    if not rows:
        return None
    if tag == "bn_all_non_trainable":
        scale = sum(r.trainable for r in rows)
        return view.non_trainable + scale, {"scale": scale}
    moving = sum(r.non_trainable for r in rows)
    return view.non_trainable - moving // 2, {"moving": moving}


#: every weight-level misconception (a dict, not a set: its order is the same on every run)
LAYER_RULES = {
    "forgot_bias": _forgot_bias,
    "bias_per_input": _bias_per_input,
    "forgot_input_channels": _forgot_input_channels,
    "no_weight_sharing": _no_weight_sharing,
    "lstm_without_gates": _lstm_without_gates,
    "lstm_without_inputs": _lstm_without_inputs,
    "pytorch_biases": _pytorch_biases,
    "invented_params": _invented_params,
    "bn_moving_left_out": _bn_moving_left_out,
}


def layer_value(tag: str, row):
    """A layer's count as a student with this misconception works it out: (value, facts) or None."""
    return LAYER_RULES[tag](row) if tag in LAYER_RULES else None


def model_value(tag: str, view):
    """The model's total as a student with this misconception works it out: (value, facts) or None.

    The facts of every layer it changed are merged (the layer types it gave parameters to)."""
    changed, total, facts = False, 0, {}
    for row in view.rows:
        wrong = layer_value(tag, row)
        if wrong is None:
            total += row.params
            continue
        value, f = wrong
        total += value
        changed = True
        for k, v in f.items():
            if isinstance(v, list):
                facts[k] = sorted(set(facts.get(k, [])) | set(v))
            else:
                facts[k] = facts.get(k, 0) + v if k in ("biases", "moving") else v
    if tag == "invented_params" and view.input_size:
        total += view.input_size
        facts["layers"] = ["Input"] + facts.get("layers", [])
        changed = True
    return (total, facts) if changed else None
