"""Noise and dropout layers: no weights, shape unchanged."""

from __future__ import annotations

from .base import Layer, no_macs


class Dropout(Layer):
    prose = "dropout"
    macs = no_macs

    def __init__(self, rate=0.5, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate


class _SpatialDropout(Layer):
    prose = "dropout"
    macs = no_macs

    def __init__(self, rate=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate


class SpatialDropout1D(_SpatialDropout):
    input_rank = 3


class SpatialDropout2D(_SpatialDropout):
    input_rank = 4


class SpatialDropout3D(_SpatialDropout):
    input_rank = 5


class GaussianNoise(Layer):
    prose = "noise"
    macs = no_macs

    def __init__(self, stddev=0.1, seed=None, **kwargs):
        super().__init__(**kwargs)


class GaussianDropout(Dropout):
    pass


class AlphaDropout(Dropout):
    pass


class ActivityRegularization(Layer):
    prose = "activation"
    macs = no_macs

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(**kwargs)
