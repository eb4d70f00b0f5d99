"""Preprocessing and augmentation layers: Rescaling, Normalization, Resizing, crops, random transforms.

None has trainable weights. Normalization keeps the statistics it adapted to
as non-trainable weights (keras/src/layers/preprocessing/normalization.py:
``mean`` and ``variance`` over the kept axes, and a scalar ``count``) unless
its mean and variance are given. The image layers follow
keras/src/layers/preprocessing/image_preprocessing: an input of rank 4 is a
batch of images; one of rank 3 is a single image (no batch axis), as Keras
reads it.
"""

from __future__ import annotations

from ..dims import as_positive
from ..formula import add, mul
from .base import Layer, Weight, describe, no_macs
from .conv import standardize_data_format
from .textbook import Textbook, axis

_IMAGE_INERT = frozenset({"seed", "fill_mode", "interpolation", "fill_value", "value_range",
                          "bounding_box_format", "antialias", "crop_to_aspect_ratio",
                          "pad_to_aspect_ratio"})


class _Preprocessing(Layer):
    """A fixed transformation of the values: nothing to learn, no products."""

    prose = "preprocessing"
    inert_args = _IMAGE_INERT
    macs = no_macs


class Rescaling(_Preprocessing):
    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)


class Normalization(_Preprocessing):
    prose = "normalization"
    inert_args = frozenset({"invert"})

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        self.axis = (int(axis),) if not isinstance(axis, (list, tuple)) else tuple(int(a) for a in axis)
        if (mean is None) != (variance is None):
            raise ValueError("Normalization needs both mean and variance, or neither")
        self.adapted = mean is None

    def kept_axes(self, input_shape) -> tuple:
        rank = len(input_shape)
        if any(a < -rank or a >= rank for a in self.axis):
            raise self.error(f"axis {self.axis} does not fit input {describe(input_shape)}")
        kept = tuple(sorted(a % rank for a in self.axis))
        for a in kept:
            if input_shape[a] is None:
                raise self.error(f"axis {a} of input {describe(input_shape)} must be known")
        return kept

    def declare_weights(self, input_shape):
        kept = self.kept_axes(input_shape)
        if self.adapted:
            shape = tuple(input_shape[a] for a in kept)
            yield Weight("mean", shape, trainable=False)
            yield Weight("variance", shape, trainable=False)
            yield Weight("count", (), trainable=False)

    def config(self):
        return {"axis": self.axis, "adapted": self.adapted}

    def textbook(self, shape):
        t = Textbook()
        kept = self.kept_axes(shape)
        sizes = [t.q("d" if len(kept) == 1 else f"d_{i + 1}", shape[a], axis(a))
                 for i, a in enumerate(kept)]
        t.formula = add(mul(2, *sizes), 1)
        t.non_trainable = t.formula
        return t


class _ImageSize(_Preprocessing):
    """Layers that set an image's height and width: Resizing, CenterCrop, RandomCrop."""

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height = as_positive(height, "height")
        self.width = as_positive(width, "width")
        self.data_format = standardize_data_format(data_format)

    def check_input(self, in_shapes):
        if isinstance(in_shapes, list) or len(in_shapes) not in (3, 4):
            raise self.error(f"{type(self).__name__} takes images of rank 4 (a batch) or 3, "
                             f"got {describe(in_shapes)}")

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        first = (1 if len(out) == 4 else 0) + (0 if self.data_format == "channels_last" else 1)
        out[first], out[first + 1] = self.height, self.width
        return tuple(out)

    def config(self):
        return {"height": self.height, "width": self.width, "data_format": self.data_format}


class Resizing(_ImageSize):
    pass


class CenterCrop(_ImageSize):
    pass


class RandomCrop(_ImageSize):
    pass


class _RandomTransform(_Preprocessing):
    """Augmentations that keep the image's shape (active in training only)."""

    def __init__(self, *args, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)


class RandomFlip(_RandomTransform):
    def __init__(self, mode="horizontal_and_vertical", **kwargs):
        super().__init__(**kwargs)


class RandomRotation(_RandomTransform):
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)


class RandomZoom(_RandomTransform):
    def __init__(self, height_factor, width_factor=None, **kwargs):
        super().__init__(**kwargs)


class RandomTranslation(_RandomTransform):
    def __init__(self, height_factor, width_factor, **kwargs):
        super().__init__(**kwargs)


class RandomContrast(_RandomTransform):
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
