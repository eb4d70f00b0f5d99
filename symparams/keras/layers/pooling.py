"""Local and global pooling: no weights; spatial axes shrink by Keras's rule."""

from __future__ import annotations

from ...core.dims import as_size, as_tuple
from . import window
from .base import no_macs
from .conv import _Spatial, standardize_data_format, standardize_padding


class BasePooling(_Spatial):
    prose = "pooling"
    window_names = ("p", "pool_size")
    macs = no_macs
    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = as_tuple(pool_size, self.rank, "pool_size")
        self.strides = self.pool_size if strides is None else as_tuple(strides, self.rank, "strides")
        # keras/src/layers/pooling/base_pooling.py: strides=None means strides = pool_size.
        self.strides_from = "pool_size" if strides is None else None
        self.padding = standardize_padding(padding, allow_causal=False)
        self.data_format = standardize_data_format(data_format)

    def compute_output_shape(self, input_shape):
        spatial = [window.pool_length(n, p, s, self.padding, self.strides_from)
                   for n, p, s in zip(self.spatial(input_shape), self.pool_size, self.strides)]
        self.check_spatial(input_shape, spatial, what="pool window")
        return self.assemble(input_shape, spatial, self.channels(input_shape))

    def config(self):
        return {"pool_size": self.pool_size, "strides": self.strides, "padding": self.padding,
                "data_format": self.data_format}

    def axis_rules(self, input_shape):
        return self.window_rules(input_shape, lambda t, names, n, i: window.rule().pool(
            t, names, n, self.pool_size[i], self.strides[i], self.padding))


def _pool(name: str, rank: int, default_pool):
    def __init__(self, pool_size=default_pool, strides=None, padding="valid", data_format=None, **kwargs):
        BasePooling.__init__(self, pool_size, strides, padding, data_format, **kwargs)
    return type(name, (BasePooling,), {"rank": rank, "__init__": __init__, "__module__": __name__})


MaxPooling1D = _pool("MaxPooling1D", 1, 2)
MaxPooling2D = _pool("MaxPooling2D", 2, (2, 2))
MaxPooling3D = _pool("MaxPooling3D", 3, (2, 2, 2))
AveragePooling1D = _pool("AveragePooling1D", 1, 2)
AveragePooling2D = _pool("AveragePooling2D", 2, (2, 2))
AveragePooling3D = _pool("AveragePooling3D", 3, (2, 2, 2))


class BaseGlobalPooling(_Spatial):
    prose = "global_pooling"
    macs = no_macs
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = bool(keepdims)

    def compute_output_shape(self, input_shape):
        channels = self.channels(input_shape)
        if not self.keepdims:
            return (input_shape[0], channels)
        return self.assemble(input_shape, [as_size(1)] * self.rank, channels)

    def config(self):
        return {"keepdims": self.keepdims, "data_format": self.data_format}


def _global(name: str, rank: int):
    return type(name, (BaseGlobalPooling,), {"rank": rank, "__module__": __name__})


GlobalMaxPooling1D = _global("GlobalMaxPooling1D", 1)
GlobalMaxPooling2D = _global("GlobalMaxPooling2D", 2)
GlobalMaxPooling3D = _global("GlobalMaxPooling3D", 3)
GlobalAveragePooling1D = _global("GlobalAveragePooling1D", 1)
GlobalAveragePooling2D = _global("GlobalAveragePooling2D", 2)
GlobalAveragePooling3D = _global("GlobalAveragePooling3D", 3)


class BaseAdaptivePooling(_Spatial):
    """Pooling to a fixed ``output_size`` whatever the input's size (keras/src/layers/pooling/base_adaptive_pooling.py)."""

    prose = "pooling"
    macs = no_macs

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.output_size = as_tuple(output_size, self.rank, "output_size")
        self.data_format = standardize_data_format(data_format)

    def compute_output_shape(self, input_shape):
        return self.assemble(input_shape, list(self.output_size), self.channels(input_shape))

    def config(self):
        return {"output_size": self.output_size, "data_format": self.data_format}


def _adaptive(name: str, rank: int):
    return type(name, (BaseAdaptivePooling,), {"rank": rank, "__module__": __name__})


AdaptiveAveragePooling1D = _adaptive("AdaptiveAveragePooling1D", 1)
AdaptiveAveragePooling2D = _adaptive("AdaptiveAveragePooling2D", 2)
AdaptiveAveragePooling3D = _adaptive("AdaptiveAveragePooling3D", 3)
AdaptiveMaxPooling1D = _adaptive("AdaptiveMaxPooling1D", 1)
AdaptiveMaxPooling2D = _adaptive("AdaptiveMaxPooling2D", 2)
AdaptiveMaxPooling3D = _adaptive("AdaptiveMaxPooling3D", 3)
