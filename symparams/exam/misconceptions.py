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
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

from ..core.formula import Ceil, Floor, Quotient, add
from ..keras.layers.textbook import axis
from ..keras.layers.window import WindowRule
from ..pytorch.window import LengthRule


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

# PyTorch's rule (symparams/pytorch/window.py) done wrong in the same places, and in one
# of its own: the padding left out.

class _TorchOffByOne(LengthRule):
    """⌊span/s⌋ positions instead of ⌊span/s⌋ + 1."""

    def positions(self, span, stride, ceil_mode):
        return super().positions(span, stride, ceil_mode) - 1


class _TorchRoundUp(LengthRule):
    """⌈span/s⌉ + 1 instead of ⌊span/s⌋ + 1."""

    def positions(self, span, stride, ceil_mode):
        return super().positions(span, stride, True)


class _TorchIgnorePooling(LengthRule):
    def pool(self, size, kernel, stride, padding, dilation, ceil_mode, stride_given):
        return size


class _TorchForgotPadding(LengthRule):
    """``padding=p`` left out: ⌊(L − d·(k − 1) − 1)/s⌋ + 1, and ``"same"`` worked as no padding."""

    def span(self, size, kernel, padding, dilation):
        return super().span(size, kernel, 0, dilation)

    def same(self, size, kernel, dilation):
        return self.length(size, kernel, 1, 0, dilation)


class _TorchIgnoreDilation(LengthRule):
    def span(self, size, kernel, padding, dilation):
        return super().span(size, kernel, padding, 1)


class _TorchPoolStrideOne(LengthRule):
    """A pooling with no ``stride`` argument taken to move by 1 (PyTorch moves by the kernel size)."""

    def pool(self, size, kernel, stride, padding, dilation, ceil_mode, stride_given):
        return super().pool(size, kernel, stride if stride_given else 1, padding, dilation, ceil_mode,
                            stride_given)


TORCH_SHAPE_RULES: dict[str, LengthRule] = {
    "off_by_one": _TorchOffByOne(), "round_up": _TorchRoundUp(), "ignore_pooling": _TorchIgnorePooling(),
    "forgot_padding": _TorchForgotPadding(), "ignore_dilation": _TorchIgnoreDilation(),
    "pool_stride_one": _TorchPoolStrideOne(),
}


PARAMS = ("total_params", "layer_params", "trainable_params", "cloze", "find_bug", "formula")
SHAPES = ("output_shape", "flatten_size", "total_params", "layer_params", "trainable_params", "cloze",
          "find_bug", "formula")
MEMORY = ("weight_memory", "training_memory", "kv_cache")

CATALOGUE = {m.tag: m for m in [
    Misconception("forgot_bias", PARAMS),
    Misconception("forgot_input_channels", PARAMS),
    Misconception("no_weight_sharing", PARAMS),
    Misconception("bias_per_input", PARAMS),
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
    Misconception("attention_no_output", PARAMS),
    Misconception("attention_no_qkv_bias", PARAMS),
    Misconception("attention_heads_multiply", PARAMS),
    Misconception("attention_one_head", PARAMS),
    Misconception("attention_model_width_per_head", PARAMS),
    Misconception("gqa_all_heads", PARAMS),
    Misconception("separable_as_full", PARAMS),
    Misconception("separable_no_pointwise", PARAMS),
    Misconception("depthwise_per_output", PARAMS),
    Misconception("depthwise_as_full", PARAMS),
    Misconception("bidirectional_once", PARAMS),
    Misconception("stacked_first_input", PARAMS),
    Misconception("lstm_without_gates", PARAMS),
    Misconception("lstm_without_inputs", PARAMS),
    Misconception("pytorch_biases", PARAMS),
    Misconception("keras_biases", PARAMS),
    Misconception("bn_buffers_counted", ("total_params", "layer_params", "trainable_params",
                                         "non_trainable_params", "cloze")),
    Misconception("forgot_padding", SHAPES),
    Misconception("channels_last", ("output_shape",)),
    Misconception("batch_first", ("output_shape",)),
    Misconception("first_over_budget", ("largest_width",)),
    Misconception("kv_keys_only", ("kv_cache",)),
    Misconception("kv_query_heads", ("kv_cache",)),
    Misconception("kv_one_token", ("kv_cache",)),
    Misconception("linear_growth", ("growth",)),
    Misconception("matrices_only", ("growth",)),
    Misconception("increase_for_ratio", ("growth",)),
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


# Keras names a layer's weights ``kernel``, ``recurrent_kernel`` and ``bias``, and stores a
# kernel (k..., in, out); PyTorch names them ``weight``, ``weight_ih_l0``, ``weight_hh_l0``,
# ``bias``, ``bias_ih_l0`` and ``bias_hh_l0``, and stores a weight (out, in, k...)
# (torch/nn/modules/linear.py, conv.py, rnn.py).

def _role(name: str) -> Optional[str]:
    last = name.split("/")[-1]
    if last in ("kernel", "weight") or last.startswith("weight_ih"):
        return "kernel"
    if last == "recurrent_kernel" or last.startswith("weight_hh"):
        return "recurrent"
    if last == "bias" or last.startswith("bias_ih"):
        return "bias"
    if last.startswith("bias_hh"):
        return "recurrent_bias"
    return None


def _shapes(row, role: str) -> list:
    return [(name, shape) for name, shape, _ in row.weights if _role(name) == role]


def _weights(row, *roles: str) -> int:
    return sum(math.prod(shape) for name, shape, _ in row.weights if _role(name) in roles)


def _kernel(row) -> Optional[tuple]:
    """The row's first kernel of two or more axes: (its shape, its input size, its output size)."""
    for name, shape in _shapes(row, "kernel"):
        if len(shape) >= 2:
            out_first = row.layer.kernel_out_first
            return shape, (shape[1] if out_first else shape[-2]), (shape[0] if out_first else shape[-1])
    return None


def _units(row) -> Optional[int]:
    """A recurrent layer's hidden size, from its recurrent kernel (Keras: (h, gates·h);
    PyTorch: (gates·h, h))."""
    found = _shapes(row, "recurrent")
    if not found:
        return None
    name, shape = found[0]
    return shape[-1] if row.layer.kernel_out_first else shape[0]


def positions(row) -> int:
    """How many output positions a convolution's kernel is applied at (its spatial sizes multiplied)."""
    return math.prod(row.shape[1:-1] if row.layer.data_format == "channels_last" else row.shape[2:])


def _forgot_bias(row):
    if all(len(shape) < 2 for _, shape, _ in row.weights):
        return None         # a normalization's offset (PyTorch's BatchNorm ``bias``) is not a unit's bias
    b = _weights(row, "bias", "recurrent_bias")
    if not b:
        return None
    units = _units(row)
    # a recurrent unit has one bias per gate (two per gate in PyTorch), not one in all
    return row.params - b, ({"biases": b, "units": units, "per_unit": b // units} if units and b > units
                            else {"biases": b})


def _forgot_input_channels(row):
    if not _applies("forgot_input_channels", row):
        return None
    found = _kernel(row)
    if found is None or len(found[0]) < 3:
        return None
    kernel, c_in, _ = found
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
    units = _units(row)
    if units is None:
        return None
    return row.params - _weights(row, "kernel"), {"units": units}


def _pytorch_biases(row):
    # PyTorch gives every gate two biases (b_ih and b_hh); Keras one (GRU with
    # reset_after=True already has two).
    if not _applies("pytorch_biases", row) or not row.layer.use_bias or row.layer.bias_vectors() != 1:
        return None
    return row.params + row.layer.gates * _units(row), {"gates": row.layer.gates}


def _keras_biases(row):
    """PyTorch's recurrent layer counted with one bias per gate, as Keras has: b_hh left out."""
    if not _applies("keras_biases", row):
        return None
    b = _weights(row, "recurrent_bias")
    return (row.params - b, {"gates": row.layer.gates, "biases": b}) if b else None


def _bias_per_input(row):
    """One bias for each input instead of each output (n_in·n_out + n_in)."""
    if not _applies("bias_per_input", row) or not _weights(row, "bias"):
        return None
    found = _kernel(row)
    if found is None:
        return None
    _, n_in, n_out = found
    return (n_in * n_out + n_in, {}) if n_in != n_out else None


def _bn_buffers_counted(row):
    """PyTorch's BatchNorm with its running mean and variance counted as parameters (they are
    buffers: ``model.parameters()`` does not hold them)."""
    if not _applies("bn_buffers_counted", row):
        return None
    stats = sum(math.prod(shape) for name, shape in row.buffers if name in ("running_mean", "running_var"))
    return (row.params + stats, {"moving": stats}) if stats else None


# ---- attention: Keras's MultiHeadAttention and GroupQueryAttention -----------------------------
#
# Their weights are query/, key/, (gate/,) value/ kernels (d_in, heads, d_head) with biases
# (heads, d_head), and attention_output/kernel (heads, d_head, d_out) with its bias (d_out)
# (keras/src/layers/attention/multi_head_attention.py, grouped_query_attention.py).

PROJECTIONS = ("query", "key", "value", "gate")


def _attention_weights(row) -> dict:
    """``{(projection, role): shape}``: ``("query", "kernel")`` and so on."""
    out = {}
    for name, shape, _ in row.weights:
        parts = name.split("/")
        if len(parts) >= 2:
            out[(parts[-2], parts[-1])] = shape
    return out


def _attention_parts(row, width) -> int:
    """The layer's count with each head's width (and head count) as ``width(projection, kernel
    shape)`` gives them: (heads, d_head) for each projection, the output's from the query's."""
    w = _attention_weights(row)
    total = 0
    for p in PROJECTIONS:
        if (p, "kernel") not in w:
            continue
        d_in, heads, d_head = w[(p, "kernel")]
        heads, d_head = width(p, heads, d_head, d_in)
        total += d_in * heads * d_head + (heads * d_head if (p, "bias") in w else 0)
    if ("attention_output", "kernel") in w:
        heads, d_head, *out = w[("attention_output", "kernel")]
        q_in = w[("query", "kernel")][0]
        heads, d_head = width("attention_output", heads, d_head, q_in)
        n_out = math.prod(out)
        total += heads * d_head * n_out + (n_out if ("attention_output", "bias") in w else 0)
    return total


def attention_projections(row) -> "tuple | None":
    """An attention layer's key width, value width (heads × head width, for each token) and
    its query width, from its weights; None for any other layer."""
    if row.layer is None or "attention_no_output" not in row.layer.misconceptions:
        return None
    w = _attention_weights(row)
    if ("key", "kernel") not in w or ("value", "kernel") not in w:
        return None
    width = lambda p: math.prod(w[(p, "kernel")][1:])      # noqa: E731 - (heads, d_head)
    return width("key"), width("value"), width("query")


def _attention_no_output(row):
    """The output projection left out: only the query, key and value projections."""
    if not _applies("attention_no_output", row):
        return None
    w = _attention_weights(row)
    out = sum(math.prod(s) for (p, _), s in w.items() if p == "attention_output")
    return (row.params - out, {"output": out}) if out else None


def _attention_no_qkv_bias(row):
    """The query, key and value projections' biases left out (the output's kept)."""
    if not _applies("attention_no_qkv_bias", row):
        return None
    w = _attention_weights(row)
    b = sum(math.prod(s) for (p, role), s in w.items() if p in PROJECTIONS and role == "bias")
    return (row.params - b, {"biases": b}) if b else None


def _attention_heads_multiply(row):
    """The whole layer counted once for each head, as if every head had its own projections
    of the full width (a head's share of the width is d_model / h)."""
    if not _applies("attention_heads_multiply", row):
        return None
    heads = _attention_weights(row).get(("query", "kernel"), (0, 1))[1]
    return (row.params * heads, {"heads": heads}) if heads > 1 else None


def _attention_one_head(row):
    """One head: each projection (d_in, d_head), as if key_dim were the layer's whole width."""
    if not _applies("attention_one_head", row):
        return None
    heads = _attention_weights(row).get(("query", "kernel"), (0, 1))[1]
    if heads == 1:
        return None
    return _attention_parts(row, lambda p, h, d, d_in: (1, d)), {"heads": heads}


def _attention_model_width_per_head(row):
    """Each head as wide as the model (d_head taken as d_model, the query's width)."""
    if not _applies("attention_model_width_per_head", row):
        return None
    w = _attention_weights(row)
    if ("query", "kernel") not in w:
        return None
    d_model, _, d_head = w[("query", "kernel")]
    if d_head == d_model:
        return None
    return _attention_parts(row, lambda p, h, d, d_in: (h, d_model)), {"d_model": d_model, "d_head": d_head}


def _gqa_all_heads(row):
    """Grouped-query attention's keys and values counted with as many heads as the queries."""
    if not _applies("gqa_all_heads", row):
        return None
    w = _attention_weights(row)
    if ("query", "kernel") not in w or ("key", "kernel") not in w:
        return None
    q_heads, kv_heads = w[("query", "kernel")][1], w[("key", "kernel")][1]
    if q_heads == kv_heads:
        return None
    wrong = _attention_parts(row, lambda p, h, d, d_in: (q_heads if p in ("key", "value") else h, d))
    return wrong, {"query_heads": q_heads, "kv_heads": kv_heads}


# ---- depthwise and depthwise-separable convolutions ---------------------------------------------
#
# Keras's SeparableConv2D holds depthwise_kernel (k, k, C_in, m) and pointwise_kernel
# (1, 1, C_in·m, C_out), and its bias (C_out); DepthwiseConv2D a kernel (k, k, C_in, m) and
# its bias (C_in·m) (keras/src/layers/convolutional/base_separable_conv.py,
# base_depthwise_conv.py).


def _named_shape(row, last: str):
    return next((shape for name, shape, _ in row.weights if name.split("/")[-1] == last), None)


def _separable_as_full(row):
    """A separable convolution counted as the full convolution it stands for: k·k·C_in·C_out."""
    if not _applies("separable_as_full", row):
        return None
    depthwise, pointwise = _named_shape(row, "depthwise_kernel"), _named_shape(row, "pointwise_kernel")
    if depthwise is None or pointwise is None:
        return None
    full = math.prod(depthwise[:-2]) * depthwise[-2] * pointwise[-1] + _weights(row, "bias")
    return full, {"full": full, "separable": row.params, "times": Fraction(full, row.params)}


def _separable_no_pointwise(row):
    """The 1×1 pointwise convolution left out: the depthwise kernels and the bias only."""
    if not _applies("separable_no_pointwise", row):
        return None
    pointwise = _named_shape(row, "pointwise_kernel")
    return (row.params - math.prod(pointwise), {"pointwise": math.prod(pointwise)}) if pointwise else None


def _depthwise_per_output(row):
    """Each output channel given its own depthwise kernels (k·k·C_in·C_out), as a full
    convolution has, before the pointwise one."""
    if not _applies("depthwise_per_output", row):
        return None
    depthwise, pointwise = _named_shape(row, "depthwise_kernel"), _named_shape(row, "pointwise_kernel")
    if depthwise is None or pointwise is None or pointwise[-1] == 1:
        return None
    return row.params + math.prod(depthwise) * (pointwise[-1] - 1), {"outputs": pointwise[-1]}


def _depthwise_as_full(row):
    """A depthwise convolution counted as a full one: every output channel reading every input."""
    if not _applies("depthwise_as_full", row):
        return None
    kernel = _named_shape(row, "kernel")
    if kernel is None or kernel[-2] == 1:
        return None
    *k, c_in, m = kernel
    full = math.prod(k) * c_in * c_in * m + _weights(row, "bias")
    return full, {"channels": c_in}


# ---- recurrent: bidirectional and stacked --------------------------------------------------------
#
# Keras's Bidirectional holds forward_<name>/... and backward_<name>/... weights
# (keras/src/layers/rnn/bidirectional.py); PyTorch's nn.LSTM(bidirectional=True) adds a
# weight_ih_l{k}_reverse beside each weight_ih_l{k}, and with num_layers > 1 its layer k ≥ 1
# reads the layer below, weight_ih_l{k} of (gates·h, directions·h) (torch/nn/modules/rnn.py).


def _backward(name: str) -> bool:
    return name.split("/")[0].startswith("backward_") or name.endswith("_reverse")


def _bidirectional_once(row):
    """A bidirectional layer counted one way only: its backward copy left out."""
    if not _applies("bidirectional_once", row):
        return None
    back = sum(math.prod(shape) for name, shape, _ in row.weights if _backward(name))
    return (row.params - back, {"backward": back}) if back else None


def _input_width(shape, out_first: bool) -> int:
    return shape[1] if out_first else shape[0]


def _stacked_first_input(row, view):
    """A stacked recurrent layer given the model's input width instead of the output of the
    recurrent layer below it (which is directions × its units wide)."""
    if not _applies("stacked_first_input", row) or view is None:
        return None
    out_first = row.layer.kernel_out_first
    own = [(name, shape) for name, shape in _shapes(row, "kernel") if len(shape) == 2]
    if not own:
        return None
    upper = [(name, shape) for name, shape in own if (m := _TORCH_LAYER.search(name)) and m.group(1) != "0"]
    if upper:
        # one PyTorch module of num_layers: its layers above the first read the one below
        first, stacked = _input_width(own[0][1], out_first), upper
    else:
        below = next(r for r in view.rows if r.layer is not None and _applies("stacked_first_input", r)
                     and any(len(s) == 2 for _, s in _shapes(r, "kernel")))
        if below is row:
            return None         # the model's first recurrent layer reads the model's input
        kernel = next(s for _, s in _shapes(below, "kernel") if len(s) == 2)
        first, stacked = _input_width(kernel, below.layer.kernel_out_first), own
    width = _input_width(stacked[0][1], out_first)
    if width == first:
        return None
    change = sum(math.prod(shape) // _input_width(shape, out_first) * (first - _input_width(shape, out_first))
                 for _, shape in stacked)
    return row.params + change, {"width": width, "first": first}


#: a PyTorch recurrent weight's layer: weight_ih_l1, weight_ih_l1_reverse
_TORCH_LAYER = re.compile(r"_l(\d+)(?:_reverse)?$")


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
    "attention_no_output": _attention_no_output,
    "attention_no_qkv_bias": _attention_no_qkv_bias,
    "attention_heads_multiply": _attention_heads_multiply,
    "attention_one_head": _attention_one_head,
    "attention_model_width_per_head": _attention_model_width_per_head,
    "gqa_all_heads": _gqa_all_heads,
    "separable_as_full": _separable_as_full,
    "separable_no_pointwise": _separable_no_pointwise,
    "depthwise_per_output": _depthwise_per_output,
    "depthwise_as_full": _depthwise_as_full,
    "bidirectional_once": _bidirectional_once,
    "lstm_without_gates": _lstm_without_gates,
    "lstm_without_inputs": _lstm_without_inputs,
    "pytorch_biases": _pytorch_biases,
    "keras_biases": _keras_biases,
    "bn_moving_left_out": _bn_moving_left_out,
    "bn_buffers_counted": _bn_buffers_counted,
}


#: the weight-level misconceptions that read the rest of the model too (the layer below)
MODEL_RULES = {"stacked_first_input": _stacked_first_input}
#: every weight-level tag, in the order the distractors are tried
WEIGHT_TAGS = (*LAYER_RULES, *MODEL_RULES)


def layer_value(tag: str, row, view=None):
    """A layer's count as a student with this misconception works it out: (value, facts) or None.
    ``view``: the model the row is in, for the mistakes that read the layers around it."""
    if tag in MODEL_RULES:
        return MODEL_RULES[tag](row, view)
    return LAYER_RULES[tag](row) if tag in LAYER_RULES else None


def model_value(tag: str, view):
    """The model's total as a student with this misconception works it out: (value, facts) or None.

    The facts of every layer it changed are merged (the layer types it gave parameters to)."""
    changed, total, facts, each = 0, 0, {}, []
    for row in view.rows:
        wrong = layer_value(tag, row, view)
        if wrong is None:
            total += row.params
            continue
        value, f = wrong
        total += value
        changed += 1
        each.append((row.name, f))
        for k, v in f.items():
            if isinstance(v, list):
                facts[k] = sorted(set(facts.get(k, [])) | set(v))
            else:
                facts[k] = facts.get(k, 0) + v if k in ("biases", "moving") else v
    # each layer's own facts, for feedback that names the layers (a convolution's positions)
    facts["each"] = each
    if changed > 1:
        # what one layer is made of says nothing of several (the units of an LSTM and a Dense)
        if facts.pop("per_unit", None):
            facts["gates"] = True       # a recurrent layer among them: its units have several
        facts.pop("units", None)
    return (total, facts) if changed else None
