"""Convolutions: plain, transposed, depthwise and separable, in 1, 2 and 3 D."""

from __future__ import annotations

from typing import ClassVar, Optional

import sympy

from ...core.dims import as_positive, as_size, as_tuple, known_nonpositive, product
from ...core.formula import Name, Quotient, add, mul
from . import window
from .base import KERNEL_INERT, Layer, Weight, describe
from .textbook import KERNEL, SPATIAL, AxisRule, Textbook, arg, axis
from .window import AxisNames

ONE = sympy.Integer(1)


def standardize_padding(padding, allow_causal: bool) -> str:
    value = str(padding).lower()
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if value not in allowed:
        raise ValueError(f"padding must be one of {', '.join(allowed)}; got {padding!r}")
    return value


def standardize_data_format(data_format) -> str:
    if data_format is None:
        return "channels_last"
    value = str(data_format).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first'; got {data_format!r}")
    return value


class _Spatial(Layer):
    """What every layer with spatial axes shares: rank, data format, axis picking."""

    rank: ClassVar[int]
    #: axes besides the spatial ones: batch and channels (ConvLSTM adds time)
    extra_axes: ClassVar[int] = 2

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "rank" in cls.__dict__:
            cls.input_rank = cls.rank + cls.extra_axes

    def channels(self, input_shape):
        return input_shape[-1] if self.data_format == "channels_last" else input_shape[1]

    def spatial(self, input_shape):
        return input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]

    def assemble(self, input_shape, spatial, channels):
        if self.data_format == "channels_last":
            return (input_shape[0], *spatial, channels)
        return (input_shape[0], channels, *spatial)

    def check_input(self, in_shapes):
        super().check_input(in_shapes)
        if self.channels(in_shapes) is None:
            raise self.error(f"the channel axis of input {describe(in_shapes)} must be known")

    def set_window(self, kernel_size, strides, padding, data_format, dilation_rate,
                   allow_causal: bool) -> None:
        """The sliding-window configuration every convolution shares."""
        self.kernel_size = as_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = as_tuple(strides, self.rank, "strides")
        self.dilation_rate = as_tuple(dilation_rate, self.rank, "dilation_rate")
        self.padding = standardize_padding(padding, allow_causal=allow_causal)
        self.data_format = standardize_data_format(data_format)
        _check_strides_dilation(self.strides, self.dilation_rate)

    def conv_spatial(self, input_shape) -> list:
        """The spatial sizes after the window slides over ``input_shape``."""
        spatial = [window.conv_length(n, k, s, self.padding, d) for n, k, s, d in
                   zip(self.spatial(input_shape), self.kernel_size, self.strides, self.dilation_rate)]
        self.check_spatial(input_shape, spatial)
        return spatial

    # ---- explaining itself ------------------------------------------------
    window_names: ClassVar[tuple] = ("k", "kernel_size")
    #: the argument the strides take their value from when left out (None: they default to 1)
    strides_from: Optional[str] = None

    def kernel_names(self, t: Textbook) -> list:
        return [t.q(k, v, arg("kernel_size")) for k, v in zip(KERNEL[self.rank], self.kernel_size)]

    def input_channels(self, t: Textbook, shape) -> Name:
        ax = len(shape) - 1 if self.data_format == "channels_last" else 1
        return t.q("C_in", shape[ax], axis(ax))

    def window_rules(self, input_shape, make) -> list:
        """One rule per spatial axis whose size changes; ``make(t, names, n, i)`` gives its formula."""
        rules = []
        first = 1 if self.data_format == "channels_last" else 2
        labels = SPATIAL[self.rank]
        for i, label in enumerate(labels):
            ax = first + i
            n = input_shape[ax]
            if n is None:
                continue
            t = Textbook()
            names = AxisNames(label, "" if self.rank == 1 else "_" + label.lower(), ax,
                              *self.window_names, strides_from=self.strides_from)
            f = make(t, names, n, i)
            if f == Name(f"{label}_in"):
                continue  # "same" with stride 1 keeps the size: nothing to work out
            rules.append(AxisRule(ax, f"{label}_out", f, t.quantities))
        return rules

    def conv_rules(self, input_shape) -> list:
        return self.window_rules(input_shape, lambda t, names, n, i: window.rule().conv(
            t, names, n, self.kernel_size[i], self.strides[i], self.dilation_rate[i], self.padding))

    def positions_out(self, out_shape) -> sympy.Expr:
        """How many positions the window visits (its count does not grow with them)."""
        return product(self.spatial(out_shape))

    def check_spatial(self, input_shape, output_spatial, what="kernel"):
        for before, after in zip(self.spatial(input_shape), output_spatial):
            if known_nonpositive(after):
                raise self.error(f"the {what} does not fit input {describe(input_shape)}: "
                                 f"an axis of size {before} would become {after}")


class BaseConv(_Spatial):
    kind = "conv"
    inert_args = KERNEL_INERT
    prose = "conv"
    misconceptions = frozenset({"forgot_input_channels", "no_weight_sharing"})

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.filters = as_positive(filters, "filters")
        self.set_window(kernel_size, strides, padding, data_format, dilation_rate, self.rank == 1)
        self.groups = as_positive(groups, "groups")
        self.use_bias = bool(use_bias)
        if self.groups.is_Integer and self.filters.is_Integer and int(self.filters) % int(self.groups):
            raise ValueError(f"filters ({self.filters}) must be divisible by groups ({self.groups})")

    def check_input(self, in_shapes):
        super().check_input(in_shapes)
        channels = self.channels(in_shapes)
        if channels.is_Integer and self.groups.is_Integer and int(channels) % int(self.groups):
            raise self.error(f"groups={self.groups} does not divide the {channels} input channels "
                             f"of input {describe(in_shapes)}")

    def declare_weights(self, input_shape):
        channels = self.channels(input_shape)
        yield Weight("kernel", (*self.kernel_size, channels / self.groups, self.filters))
        if self.use_bias:
            yield Weight("bias", (self.filters,))

    def compute_output_shape(self, input_shape):
        return self.assemble(input_shape, self.conv_spatial(input_shape), self.filters)

    def config(self):
        return {"filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "dilation_rate": self.dilation_rate, "groups": self.groups,
                "use_bias": self.use_bias, "data_format": self.data_format}

    def textbook(self, shape):
        t = Textbook()
        ks = self.kernel_names(t)
        c_in = self.input_channels(t, shape)
        fan_in = [*ks, c_in]
        if self.groups != 1:
            fan_in[-1] = Quotient(c_in, t.q("g", self.groups, arg("groups")))
        c_out = t.q("C_out", self.filters, arg("filters"))
        t.formula = mul(add(mul(*fan_in), 1), c_out) if self.use_bias else mul(*fan_in, c_out)
        return t

    def axis_rules(self, input_shape):
        return self.conv_rules(input_shape)

    def macs(self, i, o, options):
        return product(self.spatial(o)) * self.filters * product(self.kernel_size) * self.channels(i) / self.groups


def _non_negative_tuple(value, n: int, what: str) -> tuple:
    values = tuple(value) if isinstance(value, (list, tuple)) else (value,) * n
    if len(values) != n:
        raise ValueError(f"{what} must have {n} values, got {len(values)}: {values}")
    sizes = tuple(as_size(v) for v in values)
    if any(s is None or s.is_negative for s in sizes):
        raise ValueError(f"{what} must not be negative, got {values}")
    return sizes


def _check_strides_dilation(strides, dilation):
    if any(s.is_Integer and s > 1 for s in strides) and any(d.is_Integer and d > 1 for d in dilation):
        raise ValueError("strides > 1 cannot be combined with dilation_rate > 1 (Keras refuses it)")


def _per_input_channel(layer, t: Textbook, shape) -> list:
    """A depthwise step's kernels: one per input channel, times the depth multiplier."""
    names = [layer.input_channels(t, shape)]
    if layer.depth_multiplier != 1:
        names.append(t.q("m", layer.depth_multiplier, arg("depth_multiplier")))
    return names


class Conv1D(BaseConv):
    rank = 1


class Conv2D(BaseConv):
    rank = 2


class Conv3D(BaseConv):
    rank = 3


class BaseConvTranspose(_Spatial):
    kind = "conv_transpose"
    inert_args = KERNEL_INERT
    prose = "conv_transpose"

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.filters = as_positive(filters, "filters")
        self.set_window(kernel_size, strides, padding, data_format, dilation_rate, False)
        self.output_padding = None if output_padding is None else \
            _non_negative_tuple(output_padding, self.rank, "output_padding")
        self.use_bias = bool(use_bias)
        if self.output_padding is not None:
            for op, s in zip(self.output_padding, self.strides):
                if op.is_Integer and s.is_Integer and op >= s:
                    raise ValueError(f"output_padding {tuple(self.output_padding)} must be "
                                     f"less than strides {tuple(self.strides)}")

    def declare_weights(self, input_shape):
        yield Weight("kernel", (*self.kernel_size, self.filters, self.channels(input_shape)))
        if self.use_bias:
            yield Weight("bias", (self.filters,))

    def compute_output_shape(self, input_shape):
        pads = self.output_padding or (None,) * self.rank
        spatial = [window.transpose_length(n, k, s, self.padding, d, op) for n, k, s, d, op in
                   zip(self.spatial(input_shape), self.kernel_size, self.strides,
                       self.dilation_rate, pads)]
        return self.assemble(input_shape, spatial, self.filters)

    def textbook(self, shape):
        t = Textbook()
        ks = self.kernel_names(t)
        c_in = self.input_channels(t, shape)
        c_out = t.q("C_out", self.filters, arg("filters"))
        t.formula = mul(add(mul(*ks, c_in), 1), c_out) if self.use_bias else mul(*ks, c_in, c_out)
        return t

    def axis_rules(self, input_shape):
        pads = self.output_padding or (None,) * self.rank
        return self.window_rules(input_shape, lambda t, names, n, i: window.rule().transpose(
            t, names, n, self.kernel_size[i], self.strides[i], self.dilation_rate[i], self.padding,
            pads[i]))

    def macs(self, i, o, options):
        return product(self.spatial(i)) * self.channels(i) * product(self.kernel_size) * self.filters

    def config(self):
        return {"filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "output_padding": self.output_padding,
                "dilation_rate": self.dilation_rate, "use_bias": self.use_bias,
                "data_format": self.data_format}


class Conv1DTranspose(BaseConvTranspose):
    rank = 1


class Conv2DTranspose(BaseConvTranspose):
    rank = 2


class Conv3DTranspose(BaseConvTranspose):
    rank = 3


class BaseDepthwiseConv(_Spatial):
    inert_args = KERNEL_INERT | {"depthwise_initializer", "depthwise_regularizer",
                                 "depthwise_constraint"}
    prose = "depthwise"
    misconceptions = frozenset({"depthwise_as_full"})

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.set_window(kernel_size, strides, padding, data_format, dilation_rate, self.rank == 1)
        self.depth_multiplier = as_positive(depth_multiplier, "depth_multiplier")
        self.use_bias = bool(use_bias)

    def declare_weights(self, input_shape):
        channels = self.channels(input_shape)
        yield Weight("kernel", (*self.kernel_size, channels, self.depth_multiplier))
        if self.use_bias:
            yield Weight("bias", (self.depth_multiplier * channels,))

    def compute_output_shape(self, input_shape):
        return self.assemble(input_shape, self.conv_spatial(input_shape),
                             self.depth_multiplier * self.channels(input_shape))

    def config(self):
        return {"kernel_size": self.kernel_size, "strides": self.strides, "padding": self.padding,
                "depth_multiplier": self.depth_multiplier, "dilation_rate": self.dilation_rate,
                "use_bias": self.use_bias, "data_format": self.data_format}

    def textbook(self, shape):
        t = Textbook()
        ks = self.kernel_names(t)
        per_channel = _per_input_channel(self, t, shape)
        t.formula = mul(add(mul(*ks), 1), *per_channel) if self.use_bias else mul(*ks, *per_channel)
        return t

    def axis_rules(self, input_shape):
        return self.conv_rules(input_shape)

    def macs(self, i, o, options):
        return product(self.spatial(o)) * self.channels(i) * self.depth_multiplier * product(self.kernel_size)


class DepthwiseConv1D(BaseDepthwiseConv):
    rank = 1


class DepthwiseConv2D(BaseDepthwiseConv):
    rank = 2


class BaseSeparableConv(_Spatial):
    inert_args = KERNEL_INERT | {"depthwise_initializer", "pointwise_initializer",
                                 "depthwise_regularizer", "pointwise_regularizer",
                                 "depthwise_constraint", "pointwise_constraint"}
    prose = "separable"
    misconceptions = frozenset({"separable_as_full", "separable_no_pointwise", "depthwise_per_output"})

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.filters = as_positive(filters, "filters")
        self.set_window(kernel_size, strides, padding, data_format, dilation_rate, self.rank == 1)
        self.depth_multiplier = as_positive(depth_multiplier, "depth_multiplier")
        self.use_bias = bool(use_bias)

    def declare_weights(self, input_shape):
        channels = self.channels(input_shape)
        yield Weight("depthwise_kernel", (*self.kernel_size, channels, self.depth_multiplier))
        yield Weight("pointwise_kernel", ((ONE,) * self.rank) + (self.depth_multiplier * channels, self.filters))
        if self.use_bias:
            yield Weight("bias", (self.filters,))

    def compute_output_shape(self, input_shape):
        return self.assemble(input_shape, self.conv_spatial(input_shape), self.filters)

    def config(self):
        return {"filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "depth_multiplier": self.depth_multiplier,
                "dilation_rate": self.dilation_rate, "use_bias": self.use_bias,
                "data_format": self.data_format}

    def textbook(self, shape):
        t = Textbook()
        ks = self.kernel_names(t)
        mid = _per_input_channel(self, t, shape)
        c_out = t.q("C_out", self.filters, arg("filters"))
        terms = [mul(*ks, *mid), mul(*mid, c_out)]
        if self.use_bias:
            terms.append(c_out)
        t.formula = add(*terms)
        return t

    def axis_rules(self, input_shape):
        return self.conv_rules(input_shape)

    def macs(self, i, o, options):
        mid = self.channels(i) * self.depth_multiplier
        return product(self.spatial(o)) * (mid * product(self.kernel_size) + mid * self.filters)


class SeparableConv1D(BaseSeparableConv):
    rank = 1


class SeparableConv2D(BaseSeparableConv):
    rank = 2
