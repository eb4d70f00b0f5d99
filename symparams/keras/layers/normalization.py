"""Normalization layers. BatchNormalization's moving statistics are not trainable."""

from __future__ import annotations

from ...core.dims import as_positive
from ...core.formula import mul
from .base import Layer, Weight, describe, no_macs
from .textbook import Textbook, axis

_NORM_INERT = frozenset({"momentum", "epsilon", "beta_initializer", "gamma_initializer",
                         "moving_mean_initializer", "moving_variance_initializer",
                         "beta_regularizer", "gamma_regularizer", "beta_constraint",
                         "gamma_constraint", "synchronized", "renorm_clipping",
                         "renorm_momentum", "fused", "virtual_batch_size", "adjustment"})


def _axis_size(layer: Layer, input_shape, axis: int):
    try:
        size = input_shape[axis]
    except IndexError:
        raise layer.error(f"axis {axis} is out of range for input {describe(input_shape)}") from None
    if size is None:
        raise layer.error(f"axis {axis} of input {describe(input_shape)} must be known")
    return size


class BatchNormalization(Layer):
    kind = "batchnorm"
    statistics = ("moving_mean", "moving_variance")
    inert_args = _NORM_INERT
    prose = "batchnorm"
    misconceptions = frozenset({"bn_moving_left_out", "bn_all_non_trainable", "bn_one_statistic"})
    macs = no_macs

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 renorm=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis[0] if isinstance(axis, (list, tuple)) and len(axis) == 1 else axis)
        self.center = bool(center)
        self.scale = bool(scale)
        self.renorm = bool(renorm)

    def declare_weights(self, input_shape):
        shape = (_axis_size(self, input_shape, self.axis),)
        if self.scale:
            yield Weight("gamma", shape)
        if self.center:
            yield Weight("beta", shape)
        yield Weight("moving_mean", shape, trainable=False)
        yield Weight("moving_variance", shape, trainable=False)
        if self.renorm:
            yield Weight("moving_stddev", shape, trainable=False)
            yield Weight("renorm_mean", shape, trainable=False)
            yield Weight("renorm_stddev", shape, trainable=False)

    def config(self):
        return {"axis": self.axis, "center": self.center, "scale": self.scale}

    def textbook(self, shape):
        t = Textbook()
        c = t.q("C", shape[self.axis], axis(self.axis % len(shape)))
        t.formula = mul(int(self.center) + int(self.scale) + 2, c)
        t.non_trainable = mul(2, c)
        return t


class LayerNormalization(Layer):
    kind = "layernorm"
    inert_args = _NORM_INERT
    prose = "layernorm"
    macs = no_macs

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = [int(a) for a in axis] if isinstance(axis, (list, tuple)) else int(axis)
        self.center = bool(center)
        self.scale = bool(scale)
        self.rms_scaling = bool(rms_scaling)

    def normalized_shape(self, input_shape):
        if isinstance(self.axis, list):
            axes = sorted(self.axis)
            return tuple(_axis_size(self, input_shape, a) for a in axes)
        return (_axis_size(self, input_shape, self.axis),)

    def declare_weights(self, input_shape):
        shape = self.normalized_shape(input_shape)
        if self.scale or self.rms_scaling:
            yield Weight("gamma", shape)
        if self.center and not self.rms_scaling:
            yield Weight("beta", shape)

    def config(self):
        return {"axis": self.axis, "center": self.center, "scale": self.scale,
                "rms_scaling": self.rms_scaling}

    def textbook(self, shape):
        t = Textbook()
        axes = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        sizes = [t.q("d" if len(axes) == 1 else f"d_{i + 1}", shape[a], axis(a % len(shape)))
                 for i, a in enumerate(axes)]
        per = int(self.scale or self.rms_scaling) + int(self.center and not self.rms_scaling)
        t.formula = mul(per, *sizes) if per != 1 else mul(*sizes)
        return t


class RMSNormalization(Layer):
    inert_args = frozenset({"epsilon"})
    prose = "rmsnorm"
    macs = no_macs

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = [int(a) for a in axis] if isinstance(axis, (list, tuple)) else int(axis)

    def declare_weights(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        yield Weight("scale", tuple(_axis_size(self, input_shape, a) for a in axes))

    def textbook(self, shape):
        t = Textbook()
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        sizes = [t.q("d" if len(axes) == 1 else f"d_{i + 1}", shape[a], axis(a % len(shape)))
                 for i, a in enumerate(axes)]
        t.formula = mul(*sizes)
        return t


class GroupNormalization(Layer):
    kind = "groupnorm"
    inert_args = _NORM_INERT
    prose = "groupnorm"
    macs = no_macs

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, **kwargs):
        super().__init__(**kwargs)
        self.groups = as_positive(groups, "groups")
        self.axis = int(axis)
        self.center = bool(center)
        self.scale = bool(scale)

    def declare_weights(self, input_shape):
        channels = _axis_size(self, input_shape, self.axis)
        if channels.is_Integer and self.groups.is_Integer:
            if self.groups > channels:
                raise self.error(f"groups={self.groups} is more than the {channels} channels "
                                 f"of input {describe(input_shape)}")
            if int(channels) % int(self.groups):
                raise self.error(f"groups={self.groups} does not divide the {channels} channels "
                                 f"of input {describe(input_shape)}")
        if self.scale:
            yield Weight("gamma", (channels,))
        if self.center:
            yield Weight("beta", (channels,))

    def config(self):
        return {"groups": self.groups, "axis": self.axis, "center": self.center, "scale": self.scale}

    def textbook(self, shape):
        t = Textbook()
        c = t.q("C", shape[self.axis], axis(self.axis % len(shape)))
        per = int(self.scale) + int(self.center)
        t.formula = mul(per, c) if per != 1 else c
        return t


class UnitNormalization(Layer):
    prose = "unitnorm"
    macs = no_macs

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
